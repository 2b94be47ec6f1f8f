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

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sim_client.models import DtoType

READ_ONLY_FIELDS = ("id", "created", "modified")
"""Fields the service assigns; ignored in a desired document, left out of an export."""
SERVICE_DEFAULTS: Mapping[str, Any] = {
    "description": "",
    "type": "ServiceNowSDIM",
    "attributes": {},
}
"""What the service stores for a field a create or a replacement leaves out."""
_FIRST = ("name", "description", "type")
_RULE_TYPES = frozenset(member.value for member in DtoType)
_MAX_DEPTH = 64
#: Values one desired state may hold, counted as written out (an integration has a few dozen),
#: so that YAML aliases cannot make a small file take hours to check.
MAX_VALUES = 1_000_000

Document = dict[str, Any]
#: Notes a problem: (field path, what is wrong).
Note = Callable[[str, str], None]


class DesiredStateError(ValueError):
    """The desired state cannot be used; ``problems`` lists every problem found, each with
    where it is (file, index, field)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the desired state:\n{lines}"
        )


def canonical(document: Mapping[str, Any]) -> Document:
    """``document`` without read-only fields and nulls, with defaults, keys in a stable order.

    A document nested more than 64 levels deep is a DesiredStateError (it would exhaust the
    recursion of every step here): the checks refuse such a desired document, but the
    service's answers are read as they come.
    """
    if _deeper_than(document, _MAX_DEPTH):
        name = document.get("name")
        raise DesiredStateError(
            [f"integration {name!r}: nested more than {_MAX_DEPTH} levels deep"]
        )
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


def check_document(document: object, where: str, budget: list[int] | None = None) -> list[str]:
    """Every problem of one desired document, each prefixed with ``where``.

    ``budget`` (``[MAX_VALUES]`` unless given) counts down the values left to look at; share
    one between the documents of a desired state, and stop once it is below zero.
    """
    if not isinstance(document, Mapping):
        return [f"{where}: must be a mapping of fields, not {_kind(document)}"]
    problems: list[str] = []

    def problem(field: str, text: str) -> None:
        problems.append(f"{where}: {field}: {text}")

    if not _check_json(document, (), problem, [MAX_VALUES] if budget is None else budget):
        return problems
    name: Any = document.get("name")
    if name is None:
        problem("name", "is required")
    elif not isinstance(name, str) or not name.strip():
        problem("name", "must be a non-blank string")
    for field in ("description", "type", "cluster"):
        _expect(document.get(field), field, str, problem)
    for field in ("attributes", "request"):
        _expect(document.get(field), field, dict, problem)
    status_map: Any = document.get("statusMap")
    if _expect(status_map, "statusMap", dict, problem):
        for key, value in status_map.items():
            _expect(value, f"statusMap.{key}", str, problem)
    for field in ("sources", "managedSources"):
        ids: Any = document.get(field)
        if _expect(ids, field, list, problem):
            for i, item in enumerate(ids):
                if not isinstance(item, str):
                    problem(f"{field}[{i}]", f"must be a string (an id), not {_kind(item)}")
    _check_ref(document.get("ownerRef"), "ownerRef", {"IDENTITY"}, problem)
    _check_ref(document.get("clusterRef"), "clusterRef", {"CLUSTER"}, problem)
    _check_ref(
        document.get("beforeProvisioningRule"), "beforeProvisioningRule", _RULE_TYPES, problem
    )
    config: Any = document.get("provisioningConfig")
    if _expect(config, "provisioningConfig", dict, problem):
        _check_config(config, "provisioningConfig", problem)
    return problems


def _check_config(config: dict[str, Any], field: str, problem: Note) -> None:
    refs: Any = config.get("managedResourceRefs")
    if _expect(refs, f"{field}.managedResourceRefs", list, problem):
        for i, ref in enumerate(refs):
            _check_ref(ref, f"{field}.managedResourceRefs[{i}]", {"SOURCE"}, problem)
    _expect(config.get("noProvisioningRequests"), f"{field}.noProvisioningRequests", bool, problem)
    _expect(
        config.get("provisioningRequestExpiration"),
        f"{field}.provisioningRequestExpiration",
        int,
        problem,
    )
    script: Any = config.get("planInitializerScript")
    if _expect(script, f"{field}.planInitializerScript", dict, problem):
        _expect(script.get("source"), f"{field}.planInitializerScript.source", str, problem)


def _expect(value: Any, field: str, kind: type, problem: Note) -> bool:
    """Whether ``value`` is set (not null) and of ``kind``; a problem is noted if it is
    neither null nor of ``kind``."""
    if value is None:
        return False
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return True
    problem(field, f"must be {_VALUE_NAMES[kind]}, not {_kind(value)}")
    return False


def _check_ref(ref: Any, field: str, types: frozenset[str] | set[str], problem: Note) -> None:
    if not _expect(ref, field, dict, problem):
        return
    for member in ("id", "name"):
        _expect(ref.get(member), f"{field}.{member}", str, problem)
    kind = ref.get("type")
    if kind is not None and kind not in types:
        allowed = next(iter(types)) if len(types) == 1 else "a known reference type"
        problem(f"{field}.type", f"must be {allowed}")


def _check_json(
    value: object, path: tuple[str | int, ...], problem: Note, budget: list[int]
) -> bool:
    """Note values JSON cannot carry: non-string keys, dates, NaN, other objects. False once
    ``budget`` (values left to visit) runs out."""
    budget[0] -= 1
    if budget[0] < 0:
        problem(
            dotted(path) or "(document)",
            f"goes past the {MAX_VALUES} values a desired state may hold"
            " (a YAML alias counts each time it is used)",
        )
        return False
    if len(path) > _MAX_DEPTH:
        problem(dotted(path), "is nested too deeply")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                problem(dotted(path) or "(document)", f"has a key that is not a string: {key!r}")
            elif not _check_json(item, (*path, key), problem, budget):
                return False
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if not _check_json(item, (*path, i), problem, budget):
                return False
    elif isinstance(value, float) and not math.isfinite(value):
        problem(dotted(path), "must be a finite number")
    elif value is not None and not isinstance(value, str | int | float | bool):
        problem(dotted(path), f"must be a JSON value (quote it), not {_kind(value)}")
    return True


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
    result = dict(document)

    def ref(value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return {**value, "id": id_map.get(value["id"], value["id"])}
        return value

    def ids(value: Any) -> Any:
        if isinstance(value, list):
            return [id_map.get(item, item) if isinstance(item, str) else item for item in value]
        return value

    for field in ("ownerRef", "clusterRef", "beforeProvisioningRule"):
        if field in result:
            result[field] = ref(result[field])
    for field in ("managedSources", "sources"):
        if field in result:
            result[field] = ids(result[field])
    if isinstance(result.get("cluster"), str):
        result["cluster"] = id_map.get(result["cluster"], result["cluster"])
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
