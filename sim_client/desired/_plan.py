"""Plan: what it takes to bring the tenant to the desired documents, as pure data."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sim_client.errors import SimError

from ._documents import (
    MAX_VALUES,
    DesiredStateError,
    Document,
    canonical,
    check_document,
    check_id_map,
    dotted,
    map_ids,
)
from ._secrets import SENSITIVE, FieldPath, mask, placeholders, resolve

if TYPE_CHECKING:
    from sim_client.client import SimClient

ActionKind = Literal["create", "update", "delete", "unchanged"]
_MARKERS: dict[str, str] = {"create": "+", "update": "~", "delete": "-", "unchanged": "="}


class _Missing:
    """A side of a change where the field is not set."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""``Change.before`` of an added field and ``Change.after`` of a removed one."""


class DuplicateNameError(SimError):
    """The tenant holds more than one integration with a desired name, so a plan cannot tell
    which one is meant."""


@dataclass(frozen=True)
class Change:
    """One field-level difference; ``before``/``after`` are display values (secrets masked,
    :data:`MISSING` where the field is not set)."""

    path: FieldPath
    before: Any
    after: Any

    @property
    def op(self) -> Literal["add", "remove", "change"]:
        if self.before is MISSING:
            return "add"
        return "remove" if self.after is MISSING else "change"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": dotted(self.path), "op": self.op}
        if self.before is not MISSING:
            data["before"] = self.before
        if self.after is not MISSING:
            data["after"] = self.after
        return data

    def render(self) -> str:
        marker = {"add": "+", "remove": "-", "change": "~"}[self.op]
        if self.op == "add":
            return f"{marker} {dotted(self.path)}: {_show(self.after)}"
        if self.op == "remove":
            return f"{marker} {dotted(self.path)}: {_show(self.before)}"
        return f"{marker} {dotted(self.path)}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True)
class Action:
    """What the plan does with one integration.

    ``integration_id`` and ``modified`` are the target's as seen when planning (None for a
    create); ``document`` is what a create or update sends, secrets resolved, so it is kept out
    of ``repr()`` and of :meth:`to_dict`.
    """

    kind: ActionKind
    name: str
    integration_id: str | None = None
    modified: str | None = None
    changes: tuple[Change, ...] = ()
    document: Document | None = field(default=None, repr=False, compare=False)
    seen: Document | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.kind,
            "name": self.name,
            "id": self.integration_id,
            "modified": self.modified,
            "changes": [change.to_dict() for change in self.changes],
        }

    def headline(self) -> str:
        target = f"  ({self.integration_id})" if self.integration_id else ""
        return f"{_MARKERS[self.kind]} {self.kind} {self.name}{target}"


@dataclass(frozen=True)
class Plan:
    """One action per desired document (and per pruned integration), sorted by name.

    Printable (:meth:`render`: a readable diff, secrets shown as ``(sensitive)``) and
    serialisable (:meth:`to_dict`, :meth:`to_json`: no secret value either).
    """

    actions: tuple[Action, ...]
    prune: bool = False

    @property
    def changes(self) -> tuple[Action, ...]:
        """The actions that change something (all but ``unchanged``)."""
        return tuple(action for action in self.actions if action.kind != "unchanged")

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(("create", "update", "delete", "unchanged"), 0)
        for action in self.actions:
            counts[action.kind] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "prune": self.prune,
            "summary": self.summary(),
            "actions": [action.to_dict() for action in self.actions],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def render(self) -> str:
        """The plan as text: one headline per change, its field changes indented below."""
        lines: list[str] = []
        for action in self.changes:
            lines.append(action.headline())
            lines.extend(f"    {change.render()}" for change in action.changes)
        counts = self.summary()
        lines.append(
            f"Plan: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete, {counts['unchanged']} unchanged."
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def desired_documents(desired: object) -> list[Document]:
    """The list of documents in ``desired`` (a list, or a mapping with ``integrations``),
    checked; DesiredStateError lists every problem."""
    if isinstance(desired, Mapping) and "integrations" in desired:
        desired = desired["integrations"]
    if isinstance(desired, str | bytes | Mapping) or not isinstance(desired, Sequence):
        raise TypeError("desired must be a list of documents or {'integrations': [...]}")
    problems: list[str] = []
    seen: dict[str, int] = {}
    budget = [MAX_VALUES]
    for index, document in enumerate(desired):
        if budget[0] < 0:
            break
        where = f"desired[{index}]"
        problems += check_document(document, where, budget)
        name = document.get("name") if isinstance(document, Mapping) else None
        if isinstance(name, str):
            if name in seen:
                problems.append(
                    f"{where}: name: {name!r} is also the name of desired[{seen[name]}]"
                )
            seen.setdefault(name, index)
    if problems:
        raise DesiredStateError(problems)
    return [dict(document) for document in desired]


async def plan(
    sim: SimClient,
    desired: object,
    *,
    prune: bool = False,
    id_map: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> Plan:
    """Compare ``desired`` with the tenant and say what :func:`apply` would do.

    Documents are matched to integrations by ``name``. ``id_map`` rewrites ids in references
    (promotion between tenants). Placeholders are resolved from ``secrets`` (default: the
    environment); every problem of the documents, a missing placeholder included, raises
    :class:`DesiredStateError` before any request. One request: the list of integrations.
    """
    documents = desired_documents(desired)
    ids = check_id_map(id_map) if id_map is not None else {}
    values = _environment() if secrets is None else secrets
    missing = [
        f"desired[{index}] ({document['name']!r}): attributes.{dotted(path)}: "
        f"${{{variable}}} is not set"
        + (
            " (SAIL_* variables are the client's own settings, never values)"
            if _own(variable)
            else ""
        )
        for index, document in enumerate(documents)
        for path, variable in placeholders(document.get("attributes"))
        if variable not in values
    ]
    if missing:
        raise DesiredStateError(missing)
    wanted: dict[str, tuple[Document, frozenset[FieldPath]]] = {}
    for document in documents:
        secret_paths = frozenset(
            ("attributes", *path) for path, _ in placeholders(document.get("attributes"))
        )
        if "attributes" in document:
            document["attributes"] = resolve(document["attributes"], values)
        wanted[document["name"]] = (canonical(map_ids(document, ids)), secret_paths)

    current: dict[str, list[tuple[str, str | None, Document]]] = {}
    for integration in await sim.list_integrations():
        wire = integration.to_dict()
        name = wire.get("name")
        if isinstance(name, str):  # one without a name cannot be matched, nor pruned
            modified = wire.get("modified")
            stamp = modified if isinstance(modified, str) else None
            try:
                seen = canonical(wire)
            except DesiredStateError as error:
                raise DesiredStateError(
                    [f"the tenant's integration {integration.id}: {error.problems[0]}"]
                ) from None
            current.setdefault(name, []).append((integration.id, stamp, seen))

    actions: list[Action] = []
    for name, (document, secret_paths) in wanted.items():
        targets = current.get(name, [])
        if len(targets) > 1:
            raise DuplicateNameError(
                f"the tenant has {len(targets)} integrations named {name!r} "
                f"({', '.join(target[0] for target in targets)}); "
                "a plan cannot tell which one is meant"
            )
        if not targets:
            # The headline names it; every other field is an addition.
            fields = {k: v for k, v in document.items() if k != "name"}
            changes = diff({}, fields, (), secret_paths)
            actions.append(Action("create", name, changes=changes, document=document))
            continue
        ((integration_id, modified, seen),) = targets
        changes = diff(seen, document, (), secret_paths)
        kind: ActionKind = "update" if changes else "unchanged"
        actions.append(
            Action(kind, name, integration_id, modified, changes, document=document, seen=seen)
        )
    if prune:
        for name, targets in current.items():
            if name not in wanted:
                actions += [
                    Action("delete", name, integration_id, modified, seen=seen)
                    for integration_id, modified, seen in targets
                ]
    actions.sort(key=lambda action: (action.name, action.kind))
    return Plan(tuple(actions), prune=prune)


def _environment() -> dict[str, str]:
    """The environment's variables a placeholder may name: not the client's own ``SAIL_*``
    settings, or a desired file could copy ``${SAIL_CLIENT_SECRET}`` into a tenant."""
    return {name: value for name, value in os.environ.items() if not _own(name)}


def _own(variable: str) -> bool:
    return variable.upper().startswith("SAIL_")


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


def _show(value: Any) -> str:
    if value == SENSITIVE:
        return SENSITIVE
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
