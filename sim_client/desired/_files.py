"""Desired-state files: YAML or JSON, read with a safe loader, every problem reported at once.

A file holds a list of documents or ``{"integrations": [...]}``. YAML is read with PyYAML's
safe loader (the ``cli`` extra), minus its date conversion (dates stay strings, as JSON has
them), and a mapping with a key twice is an error rather than a silent overwrite.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ._documents import MAX_VALUES, DesiredStateError, Document, check_document, check_id_map


def load_documents(paths: Iterable[str | Path]) -> list[Document]:
    """Every document of the files, checked; DesiredStateError lists each problem with its
    file, index and field (syntax errors, wrong types, missing and duplicate names)."""
    problems: list[str] = []
    documents: list[Document] = []
    names: dict[str, str] = {}
    budget = [MAX_VALUES]
    for path in map(Path, paths):
        if budget[0] < 0:
            break
        data, problem = _read(path)
        if problem:
            problems.append(problem)
            continue
        items, key = (data["integrations"], "integrations") if _wrapped(data) else (data, "")
        if not isinstance(items, list):
            problems.append(f"{path}: expected a list of integrations or {{integrations: [...]}}")
            continue
        for index, document in enumerate(items):
            where = f"{path}: {key}[{index}]"
            if budget[0] < 0:
                break
            found = check_document(document, where, budget)
            problems += found
            name = document.get("name") if isinstance(document, Mapping) else None
            if isinstance(name, str):
                if name in names:
                    problems.append(f"{where}: name: {name!r} is also the name of {names[name]}")
                names.setdefault(name, where)
            if not found:
                documents.append(dict(document))
    if problems:
        raise DesiredStateError(problems)
    return documents


def load_id_map(path: str | Path) -> dict[str, str]:
    """An id map file: a mapping of source-tenant ids to target-tenant ids (YAML or JSON)."""
    data, problem = _read(Path(path))
    if problem:
        raise DesiredStateError([problem])
    if not isinstance(data, Mapping):
        raise DesiredStateError([f"{path}: expected a mapping of ids to ids"])
    return check_id_map(data)


def _wrapped(data: object) -> bool:
    return isinstance(data, Mapping) and "integrations" in data


def _read(path: Path) -> tuple[Any, str | None]:
    """The file's data, or None and the problem (with line and column where known)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{path}: cannot be read: {error.__class__.__name__}: {error}"
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_nan), None
        except (ValueError, RecursionError) as error:
            return None, f"{path}: not valid JSON: {error}"
    return _read_yaml(path, text)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _no_nan(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _read_yaml(path: Path, text: str) -> tuple[Any, str | None]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - the cli extra is installed wherever tests run
        return None, f"{path}: reading YAML needs PyYAML: pip install 'sim-client[cli]'"
    try:
        return yaml.load(text, Loader=_loader()), None  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        return None, f"{path}: not valid YAML: {_one_line(str(error))}"
    except RecursionError:
        return None, f"{path}: nested too deeply"


def _one_line(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def _loader() -> Any:
    """A SafeLoader without timestamps that refuses duplicate keys (built once, lazily)."""
    import yaml
    from yaml.constructor import ConstructorError

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            keys: set[Any] = set()
            for key_node, _ in node.value:
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

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader
