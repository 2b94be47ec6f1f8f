"""Desired-state files: YAML or JSON, read with a safe loader, every problem reported at once.

A file holds a list of documents or ``{"integrations": [...]}``, next to which keys starting
with ``x-`` may hold YAML anchors for merge keys (``x-base: &base {...}``); a BOM is accepted.
Every problem is reported as ``file:line:col: field: what is wrong``, all of them at once.

YAML is read with a PyYAML loader (the ``cli`` extra) made safe and predictable:

- YAML 1.2 core typing: only ``true``/``false`` are booleans (``no``, ``yes``, ``on``, ``off``
  are strings), only ``null``/``~``/empty are null, integers are decimal, ``0o`` octal or
  ``0x`` hex; a number with a leading zero (``012345``) and a sexagesimal ``1:30`` stay
  strings; dates stay strings, as JSON has them;
- merge keys (``<<: *base``) work; a mapping with a key twice is an error;
- aliases are counted as they would be written out before anything is built: an alias cycle,
  or aliases that expand past :data:`MAX_VALUES` values, are refused at once.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ._documents import (
    MAX_INT_DIGITS,
    MAX_VALUES,
    DesiredStateError,
    Document,
    DocumentChecker,
    TooLongInteger,
    check_id_map,
    printable_name,
)
from ._secrets import DEFAULT_PREFIXES, FieldPath, check_prefixes

_WRAPPER_FIELDS = ("integrations",)


def load_documents(
    paths: Iterable[str | Path], *, placeholder_prefixes: Iterable[str] = DEFAULT_PREFIXES
) -> list[Document]:
    """Every document of the files, checked; DesiredStateError lists each problem with its
    ``file:line:col`` and field (syntax errors, unknown fields, wrong types, placeholders that
    are not ones, missing and duplicate names).

    The documents are dicts that also know where their fields were written, so that a later
    problem (e.g. a placeholder whose variable is not set, found by the plan) names it too.
    """
    checker = DocumentChecker(check_prefixes(placeholder_prefixes))
    for path in map(Path, paths):
        if checker.exhausted:
            break
        source = _read(path)
        if isinstance(source, str):
            checker.problems.append(source)
            continue
        data, locate = source
        items, key = (data["integrations"], "integrations") if _wrapped(data) else (data, None)
        if key is not None:
            checker.problems += _unknown_wrapper_fields(data, locate)
        if not isinstance(items, list):
            where = locate((key,) if key else ())
            checker.problems.append(
                f"{where}: expected a list of integrations or {{integrations: [...]}}"
            )
            continue
        for index, document in enumerate(items):
            if checker.exhausted:
                break
            prefix: FieldPath = (key, index) if key else (index,)
            checker.add(document, functools.partial(_within, locate, prefix))
    return checker.checked()


def load_id_map(path: str | Path) -> dict[str, str]:
    """An id map file: a mapping of source-tenant ids to target-tenant ids (YAML or JSON)."""
    source = _read(Path(path))
    if isinstance(source, str):
        raise DesiredStateError([source])
    data, locate = source
    if not isinstance(data, Mapping):
        raise DesiredStateError([f"{locate(())}: expected a mapping of ids to ids"])
    return check_id_map(data)


def _within(locate: Callable[[FieldPath], str], prefix: FieldPath, path: FieldPath) -> str:
    return locate((*prefix, *path))


def _wrapped(data: object) -> bool:
    return isinstance(data, Mapping) and "integrations" in data


def _unknown_wrapper_fields(
    data: Mapping[Any, Any], locate: Callable[[FieldPath], str]
) -> list[str]:
    return [
        f"{locate((key,))}: unknown field `{printable_name(str(key))}` next to `integrations`"
        " (a key starting with x- may hold YAML anchors)"
        for key in data
        if key not in _WRAPPER_FIELDS and not (isinstance(key, str) and key.startswith("x-"))
    ]


def _read(path: Path) -> tuple[Any, Callable[[FieldPath], str]] | str:
    """The file's data and its locator, or the problem (with line and column where known)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        return f"{path}: cannot be read: not UTF-8 (byte {error.start})"
    except OSError as error:
        return f"{path}: cannot be read: {error.__class__.__name__}: {error.strerror or error}"
    if path.suffix.lower() == ".json":
        return _read_json(path, text)
    return _read_yaml(path, text)


def _read_json(path: Path, text: str) -> tuple[Any, Callable[[FieldPath], str]] | str:
    try:
        data = json.loads(
            text, object_pairs_hook=_unique_pairs, parse_constant=float, parse_int=_json_int
        )
    except json.JSONDecodeError as error:
        return f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
    except (ValueError, RecursionError) as error:
        return f"{path}: not valid JSON: {error}"

    @functools.cache
    def root() -> Any:
        # JSON is YAML; its nodes say where each field is. Only needed to report a problem.
        try:
            return _compose(text)
        except Exception:  # a locator must not fail; the file name will do
            return None

    return data, lambda field: _locate(path, root(), field)


# NaN and Infinity (which Python's reader accepts) are read as floats, for the checks to
# report as not finite, with their place.
def _json_int(text: str) -> int | TooLongInteger:
    digits = len(text.lstrip("-"))
    return TooLongInteger(digits) if digits > MAX_INT_DIGITS else int(text)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _read_yaml(path: Path, text: str) -> tuple[Any, Callable[[FieldPath], str]] | str:
    try:
        import yaml
    except ImportError:  # pragma: no cover - the cli extra is installed wherever tests run
        return f"{path}: reading YAML needs PyYAML: pip install 'sim-client[cli]'"
    try:
        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, lambda field: f"{path}"
            problem = _too_big(node)
            if problem:
                return f"{path}:{problem}"
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}"
        return f"{where}: not valid YAML: {_one_line(error.problem or error.context or '')}"
    except yaml.YAMLError as error:
        return f"{path}: not valid YAML: {_one_line(str(error))}"
    except RecursionError:
        return f"{path}: nested too deeply"
    return data, lambda field: _locate(path, node, field)


def _compose(text: str) -> Any:
    loader = _loader()(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _too_big(root: Any) -> str | None:
    """``line:col: problem`` if the node graph has a cycle or expands past MAX_VALUES values
    (each alias counted every time it is used), else None. Each node is visited once."""
    import yaml

    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node, yaml)
        if done:
            sizes[key] = min(MAX_VALUES + 1, 1 + sum(sizes[id(child)] for child in children))
            entered.discard(key)
            continue
        if key in sizes:
            continue
        if key in entered:
            mark = node.start_mark
            return (
                f"{mark.line + 1}:{mark.column + 1}: an alias refers to a node that holds it"
                " (a cycle)"
            )
        entered.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in entered:
                mark = child.start_mark
                return (
                    f"{mark.line + 1}:{mark.column + 1}: an alias refers to a node that holds it"
                    " (a cycle)"
                )
            if id(child) not in sizes:
                stack.append((child, False))
    if sizes[id(root)] > MAX_VALUES:
        return f"1:1: aliases expand to more than the {MAX_VALUES} values a desired state may hold"
    return None


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _locate(path: Path, root: Any, field: FieldPath) -> str:
    """``file:line:col`` of ``field`` (its key, or its list item), as deep as it can be found."""
    import yaml

    node, mark = root, getattr(root, "start_mark", None)
    for step in field:
        if isinstance(node, yaml.MappingNode):
            pair = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == step
                ),
                None,
            )
            if pair is None:
                break
            mark, node = pair[0].start_mark, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    if mark is None:
        return f"{path}"
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)\.[0-9]*|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?[eE][-+]?[0-9]+)"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_MERGE = re.compile(r"^<<$")


@functools.cache
def _loader() -> Any:
    """A SafeLoader with YAML 1.2 core typing that refuses duplicate keys (built once)."""
    import yaml
    from yaml.constructor import ConstructorError

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            keys: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, Hashable):
                    raise ConstructorError(
                        None, None, "a key is a list or a mapping", key_node.start_mark
                    )
                if isinstance(key, str | int | float | bool) and key in keys:
                    raise ConstructorError(
                        None, None, f"the key {key!r} appears twice", key_node.start_mark
                    )
                keys.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node: Any) -> Any:
            text = str(self.construct_scalar(node)).replace("_", "")
            digits = text.lstrip("+-")
            if len(digits) > MAX_INT_DIGITS:
                return TooLongInteger(len(digits))
            try:
                return int(text, 0) if digits[:2].lower() in ("0o", "0x") else int(text, 10)
            except ValueError:
                raise ConstructorError(None, None, "not an integer", node.start_mark) from None

    Loader.yaml_implicit_resolvers = {}
    for tag, pattern, first in (
        ("bool", _BOOL, "tTfF"),
        ("int", _INT, "-+0123456789"),
        ("float", _FLOAT, "-+0123456789."),
        ("null", _NULL, ["~", "n", "N", ""]),
        ("merge", _MERGE, "<"),
    ):
        Loader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", pattern, list(first))
    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    return Loader
