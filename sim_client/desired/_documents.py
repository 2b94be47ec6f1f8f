"""Desired-state documents: their canonical form, their checks, and id rewriting.

A document is one integration in the wire's camelCase, without the fields the service assigns
(``id``, ``created``, ``modified``, ``provisioningConfig.universalManager``). Both sides of a
plan are brought to the same canonical form before they are compared:

- ``null`` means "not set", at every level: a member whose value is ``null`` is left out (the
  service stores nothing for it, and a service that answers explicit nulls reads the same);
- a document without ``description``, ``type`` or ``attributes`` gets the service's defaults
  (``""``, ``"ServiceNowSDIM"``, ``{}``), as a create would;
- keys are ordered ``name``, ``description``, ``type``, then alphabetically, at every level;
  list order is kept.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sim_client._arguments import _MAX_DEPTH as MAX_DEPTH
from sim_client._arguments import READ_ONLY_FIELDS as READ_ONLY_FIELDS
from sim_client.errors import SimError
from sim_client.models import DtoType

from ._secrets import DEFAULT_PREFIXES, FieldPath, check_placeholders

#: What the service stores for a field a create or a replacement leaves out.
SERVICE_DEFAULTS: Mapping[str, Any] = {
    "description": "",
    "type": "ServiceNowSDIM",
    "attributes": {},
}
_FIRST = ("name", "description", "type")
_RULE_TYPES = frozenset(member.value for member in DtoType)
#: Values one desired state may hold, counted as written out (an integration has a few dozen),
#: so that YAML aliases cannot make a small file take hours to check.
MAX_VALUES = 1_000_000
#: Python refuses to turn longer digit strings into integers (and back).
MAX_INT_DIGITS = 4300

#: The fields the fragment defines, at each level a desired document has fixed members;
#: ``attributes``, ``request`` and ``statusMap`` are free maps.
_REF_FIELDS = frozenset({"type", "id", "name"})
_TOP_FIELDS = READ_ONLY_FIELDS | {
    "name",
    "description",
    "type",
    "attributes",
    "request",
    "statusMap",
    "sources",
    "managedSources",
    "cluster",
    "clusterRef",
    "ownerRef",
    "provisioningConfig",
    "beforeProvisioningRule",
}
_CONFIG_FIELDS = frozenset(
    {
        "universalManager",
        "managedResourceRefs",
        "planInitializerScript",
        "noProvisioningRequests",
        "provisioningRequestExpiration",
    }
)
_SCRIPT_FIELDS = frozenset({"source"})
_SURROGATE = re.compile("[\ud800-\udfff]")

Document = dict[str, Any]
#: Says where a field of a document was written: ``file:line:col``, or the document's index.
Locator = Callable[[FieldPath], str]
#: Notes a problem: (field path, what is wrong).
Note = Callable[[FieldPath, str], None]


class DesiredStateError(SimError, ValueError):
    """The desired state cannot be used; ``problems`` lists every problem found, each with
    where it is (``file:line:col`` for a file, else the document's index, and the field)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the desired state:\n{lines}"
        )


@dataclass(frozen=True)
class Problem:
    """One problem of a document: the field it is about (a path inside the document) and what
    is wrong. The text never holds a value of the document."""

    path: FieldPath
    text: str


class LocatedDocument(dict[str, Any]):
    """A document read from a file: a plain dict that also knows, through :attr:`locate`,
    where each of its fields was written (``file:line:col``)."""

    def __init__(self, data: Mapping[str, Any], locate: Locator) -> None:
        super().__init__(data)
        self.locate = locate


def describe(problem: Problem, locate: Locator) -> str:
    """``problem`` as one line: where, which field, what is wrong."""
    field = dotted(problem.path)
    return f"{locate(problem.path)}: {field + ': ' if field else ''}{problem.text}"


class DocumentChecker:
    """Checks the documents of one desired state one after another (across files): every
    problem, each name's first place (a name twice is a problem), one budget of values."""

    def __init__(self, placeholder_prefixes: Iterable[str] = DEFAULT_PREFIXES) -> None:
        self.prefixes = tuple(placeholder_prefixes)
        self.problems: list[str] = []
        self.documents: list[Document] = []
        self._names: dict[str, str] = {}
        self._budget = [MAX_VALUES]

    @property
    def exhausted(self) -> bool:
        """Whether the desired state already holds more values than it may."""
        return self._budget[0] < 0

    def add(self, document: object, locate: Locator) -> None:
        """Check ``document`` (written where ``locate`` says) and keep it if it has no problem."""
        found = check_document(document, self._budget, placeholder_prefixes=self.prefixes)
        self.problems += [describe(problem, locate) for problem in found]
        name = document.get("name") if isinstance(document, Mapping) else None
        if isinstance(name, str):
            where = locate(("name",))
            if name in self._names:
                self.problems.append(
                    f"{where}: name: {name!r} is also the name of {self._names[name]}"
                )
            self._names.setdefault(name, where)
        if not found and isinstance(document, Mapping):
            self.documents.append(LocatedDocument(document, locate))

    def checked(self) -> list[Document]:
        """The documents; DesiredStateError listing every problem if there is one."""
        if self.problems:
            raise DesiredStateError(self.problems)
        return self.documents


class TooLongInteger:
    """Stands for an integer literal of more than :data:`MAX_INT_DIGITS` digits in a file,
    so that the checks report it where it is instead of failing to read the file."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits>"


def canonical(document: Mapping[str, Any]) -> Document:
    """``document`` without read-only fields and nulls, with defaults, keys in a stable order.

    A document nested more than 64 levels deep is a DesiredStateError (it would exhaust the
    recursion of every step here): the checks refuse such a desired document, but the
    service's answers are read as they come.
    """
    if _deeper_than(document, MAX_DEPTH):
        name = document.get("name")
        raise DesiredStateError([f"integration {name!r}: nested more than {MAX_DEPTH} levels deep"])
    clean = {k: v for k, v in document.items() if k not in READ_ONLY_FIELDS}
    config = clean.get("provisioningConfig")
    if isinstance(config, dict):
        clean["provisioningConfig"] = {k: v for k, v in config.items() if k != "universalManager"}
    stripped: Document = {k: _without_nulls(v) for k, v in clean.items() if v is not None}
    for field, default in SERVICE_DEFAULTS.items():
        stripped.setdefault(field, default)
    ordered: Document = _ordered(stripped, top=True)
    return ordered


def _deeper_than(value: object, limit: int) -> bool:
    """Whether a value inside ``value`` lies more than ``limit`` levels down (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, Mapping):
            stack += ((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack += ((child, depth + 1) for child in item)
    return False


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _ordered(value: Any, *, top: bool = False) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=_top_key if top else str)
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def _top_key(key: str) -> tuple[int, str]:
    return (_FIRST.index(key), "") if key in _FIRST else (len(_FIRST), key)


def dotted(path: Iterable[str | int]) -> str:
    """A path as ``provisioningConfig.managedResourceRefs[1].id``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def check_document(
    document: object,
    budget: list[int] | None = None,
    *,
    placeholder_prefixes: Iterable[str] = DEFAULT_PREFIXES,
) -> list[Problem]:
    """Every problem of one desired document: values JSON cannot carry, unknown fields (with
    the closest known name), wrong types, placeholders that are not ones.

    ``budget`` (``[MAX_VALUES]`` unless given) counts down the values left to look at; share
    one between the documents of a desired state, and stop once it is below zero.
    """
    if not isinstance(document, Mapping):
        return [Problem((), f"must be a mapping of fields, not {_kind(document)}")]
    problems: list[Problem] = []

    def problem(path: FieldPath, text: str) -> None:
        problems.append(Problem(path, text))

    if not _check_json(document, (), problem, [MAX_VALUES] if budget is None else budget):
        return problems
    _check_fields(document, (), _TOP_FIELDS, problem)
    name: Any = document.get("name")
    if name is None:
        problem(("name",), "is required")
    elif not isinstance(name, str) or not name.strip():
        problem(("name",), "must be a non-blank string")
    for field in ("description", "type", "cluster"):
        _expect(document.get(field), (field,), str, problem)
    for field in ("attributes", "request"):
        _expect(document.get(field), (field,), dict, problem)
    status_map: Any = document.get("statusMap")
    if _expect(status_map, ("statusMap",), dict, problem):
        for key, value in status_map.items():
            _expect(value, ("statusMap", key), str, problem)
    for field in ("sources", "managedSources"):
        ids: Any = document.get(field)
        if _expect(ids, (field,), list, problem):
            for i, item in enumerate(ids):
                if not isinstance(item, str):
                    problem((field, i), f"must be a string (an id), not {_kind(item)}")
    _check_ref(document.get("ownerRef"), ("ownerRef",), {"IDENTITY"}, problem)
    _check_ref(document.get("clusterRef"), ("clusterRef",), {"CLUSTER"}, problem)
    _check_ref(
        document.get("beforeProvisioningRule"), ("beforeProvisioningRule",), _RULE_TYPES, problem
    )
    config: Any = document.get("provisioningConfig")
    if _expect(config, ("provisioningConfig",), dict, problem):
        _check_config(config, ("provisioningConfig",), problem)
    attributes = document.get("attributes")
    if attributes is not None:
        for path, text in check_placeholders(attributes, placeholder_prefixes):
            problem(("attributes", *path), text)
    return problems


def _check_fields(
    mapping: Mapping[str, Any], path: FieldPath, known: frozenset[str], problem: Note
) -> None:
    """Note every key of ``mapping`` the fragment does not define there (never its value)."""
    for key in mapping:
        if isinstance(key, str) and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            problem((*path, key), f"unknown field `{printable_name(key)}`{hint}")


def printable_name(text: str) -> str:
    """A field name for a message: control characters escaped, at most 80 characters."""
    return repr(text[:80])[1:-1]


def _check_config(config: dict[str, Any], path: FieldPath, problem: Note) -> None:
    _check_fields(config, path, _CONFIG_FIELDS, problem)
    refs: Any = config.get("managedResourceRefs")
    if _expect(refs, (*path, "managedResourceRefs"), list, problem):
        for i, ref in enumerate(refs):
            _check_ref(ref, (*path, "managedResourceRefs", i), {"SOURCE"}, problem)
    _expect(config.get("noProvisioningRequests"), (*path, "noProvisioningRequests"), bool, problem)
    _expect(
        config.get("provisioningRequestExpiration"),
        (*path, "provisioningRequestExpiration"),
        int,
        problem,
    )
    script: Any = config.get("planInitializerScript")
    if _expect(script, (*path, "planInitializerScript"), dict, problem):
        _check_fields(script, (*path, "planInitializerScript"), _SCRIPT_FIELDS, problem)
        _expect(script.get("source"), (*path, "planInitializerScript", "source"), str, problem)


def _expect(value: Any, path: FieldPath, kind: type, problem: Note) -> bool:
    """Whether ``value`` is set (not null) and of ``kind``; a problem is noted if it is
    neither null nor of ``kind``."""
    if value is None:
        return False
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return True
    problem(path, f"must be {_VALUE_NAMES[kind]}, not {_kind(value)}")
    return False


def _check_ref(ref: Any, path: FieldPath, types: frozenset[str] | set[str], problem: Note) -> None:
    if not _expect(ref, path, dict, problem):
        return
    _check_fields(ref, path, _REF_FIELDS, problem)
    for member in ("id", "name"):
        _expect(ref.get(member), (*path, member), str, problem)
    kind = ref.get("type")
    if kind is not None and kind not in types:
        allowed = next(iter(types)) if len(types) == 1 else "a known reference type"
        problem((*path, "type"), f"must be {allowed}")


def _check_json(value: object, path: FieldPath, problem: Note, budget: list[int]) -> bool:
    """Note values JSON cannot carry: non-string keys, dates, NaN, integers too long to
    convert, strings UTF-8 cannot encode, other objects. False once ``budget`` (values left
    to visit) runs out."""
    budget[0] -= 1
    if budget[0] < 0:
        problem(
            path,
            f"goes past the {MAX_VALUES} values a desired state may hold"
            " (a YAML alias counts each time it is used)",
        )
        return False
    if len(path) > MAX_DEPTH:
        problem(path, "is nested too deeply")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                problem(path, f"has a key that is not a string: {_kind(key)}")
            elif _SURROGATE.search(key):
                problem(path, "has a key that cannot be encoded as UTF-8 (a lone surrogate)")
            elif not _check_json(item, (*path, key), problem, budget):
                return False
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if not _check_json(item, (*path, i), problem, budget):
                return False
    elif isinstance(value, str):
        if _SURROGATE.search(value):
            problem(path, "cannot be encoded as UTF-8 (it holds a lone surrogate)")
    elif isinstance(value, TooLongInteger):
        problem(path, f"is an integer of {value.digits} digits (at most {MAX_INT_DIGITS})")
    elif isinstance(value, float) and not math.isfinite(value):
        problem(path, "must be a finite number")
    elif value is not None and not isinstance(value, int | float | bool):
        problem(path, f"must be a JSON value (quote it), not {_kind(value)}")
    elif isinstance(value, int) and not isinstance(value, bool) and _too_long(value):
        problem(path, f"is an integer of more than {MAX_INT_DIGITS} digits")
    return True


def _too_long(value: int) -> bool:
    """Whether ``value`` has more digits than Python converts (checked only past 14,000 bits,
    about 4,200 digits)."""
    if value.bit_length() < 14_000:
        return False
    try:
        str(value)
    except ValueError:
        return True
    return False


_VALUE_NAMES: dict[type, str] = {
    str: "a string",
    dict: "a mapping",
    list: "a list",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
}


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return _VALUE_NAMES.get(type(value), f"a {type(value).__name__}")


def map_ids(document: Document, id_map: Mapping[str, str]) -> Document:
    """A copy of ``document`` with ids in references rewritten through ``id_map``.

    Rewritten: ``ownerRef.id``, ``clusterRef.id``, ``beforeProvisioningRule.id``,
    ``provisioningConfig.managedResourceRefs[].id``, ``managedSources[]``, ``sources[]`` and
    ``cluster``. Ids not in the map are kept.
    """
    if not id_map:
        return document
    return _rewrite_ids(document, lambda old: id_map.get(old, old))


def referenced_ids(document: Document) -> set[str]:
    """The ids in ``document``'s references: those :func:`map_ids` would rewrite."""
    found: set[str] = set()

    def note(old: str) -> str:
        found.add(old)
        return old

    _rewrite_ids(document, note)
    return found


def _rewrite_ids(document: Document, new_id: Callable[[str], str]) -> Document:
    result = dict(document)

    def ref(value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return {**value, "id": new_id(value["id"])}
        return value

    def ids(value: Any) -> Any:
        if isinstance(value, list):
            return [new_id(item) if isinstance(item, str) else item for item in value]
        return value

    for field in ("ownerRef", "clusterRef", "beforeProvisioningRule"):
        if field in result:
            result[field] = ref(result[field])
    for field in ("managedSources", "sources"):
        if field in result:
            result[field] = ids(result[field])
    if isinstance(result.get("cluster"), str):
        result["cluster"] = new_id(result["cluster"])
    config = result.get("provisioningConfig")
    if isinstance(config, dict) and isinstance(config.get("managedResourceRefs"), list):
        result["provisioningConfig"] = {
            **config,
            "managedResourceRefs": [ref(item) for item in config["managedResourceRefs"]],
        }
    return result


def check_id_map(id_map: object) -> dict[str, str]:
    """``id_map`` as a dict of non-empty strings; ValueError/TypeError otherwise."""
    if not isinstance(id_map, Mapping):
        raise TypeError(f"id_map must be a mapping of ids, not {_kind(id_map)}")
    problems = [
        f"id_map: {key!r}: ids must be non-empty strings"
        for key, value in id_map.items()
        if not (isinstance(key, str) and key and isinstance(value, str) and value)
    ]
    if problems:
        raise DesiredStateError(problems)
    return dict(id_map)
