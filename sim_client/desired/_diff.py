"""Field-level differences between two documents, and JSON equality."""

from __future__ import annotations

from typing import Any

from ._documents import Document, dotted
from ._model import MISSING, Change
from ._secrets import FieldPath, is_credential_name, mask


def diff(
    before: Any, after: Any, path: FieldPath, secret_paths: frozenset[FieldPath]
) -> tuple[Change, ...]:
    """Field-level changes from ``before`` to ``after``: objects and lists are compared member
    by member (a longer or shorter list adds or removes at its end); values are masked."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[Change] = []
        for key in [*before, *(k for k in after if k not in before)]:
            changes += diff(
                before.get(key, MISSING), after.get(key, MISSING), (*path, key), secret_paths
            )
        return tuple(changes)
    if isinstance(before, list) and isinstance(after, list):
        changes = []
        for i in range(max(len(before), len(after))):
            old = before[i] if i < len(before) else MISSING
            new = after[i] if i < len(after) else MISSING
            changes += diff(old, new, (*path, i), secret_paths)
        return tuple(changes)
    if same(before, after):
        return ()
    shown = (
        MISSING if value is MISSING else mask(value, path, secret_paths)
        for value in (before, after)
    )
    return (Change(path, *shown),)


def same(a: Any, b: Any) -> bool:
    """JSON equality: ``1`` equals ``1.0`` but not ``True``; objects and lists deeply."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def removed_credentials(before: Document, after: Document) -> tuple[str, ...]:
    """The credential ``attributes`` members (non-empty in ``before``) that ``after`` lacks,
    as dotted paths below ``attributes``."""
    removed: list[str] = []

    def walk(old: Any, new: Any, path: tuple[str, ...]) -> None:
        if not isinstance(old, dict):
            return
        for key, value in old.items():
            here = (*path, key)
            present = isinstance(new, dict) and key in new
            if is_credential_name(key) and value not in (None, "", {}, []) and not present:
                removed.append(dotted(here))
            elif present:
                walk(value, new[key], here)

    walk(before.get("attributes"), after.get("attributes"), ())
    return tuple(removed)
