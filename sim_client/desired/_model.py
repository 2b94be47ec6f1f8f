"""The plan as data: :class:`Plan`, its :class:`Action` per integration, their field-level
:class:`Change` s and the :class:`Unmanaged` integrations; printable with secrets masked and
every server-provided character escaped, serialisable without any secret value."""

from __future__ import annotations

import json
import secrets as _random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sim_client._masking import redact

from ._documents import Document, dotted
from ._secrets import SENSITIVE, FieldPath

ActionKind = Literal["create", "update", "delete", "unchanged"]
_MARKERS: dict[str, str] = {"create": "+", "update": "~", "delete": "-", "unchanged": "="}


class _Missing:
    """A side of a change where the field is not set."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""``Change.before`` of an added field and ``Change.after`` of a removed one."""


def printable(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` fit for a terminal: each secret masked, C0/C1 controls and DEL escaped."""
    return redact(text, secrets)


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
        """One line, every server-provided character escaped."""
        marker = {"add": "+", "remove": "-", "change": "~"}[self.op]
        where = printable(dotted(self.path))
        if self.op == "add":
            return f"{marker} {where}: {_show(self.after)}"
        if self.op == "remove":
            return f"{marker} {where}: {_show(self.before)}"
        return f"{marker} {where}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True)
class Action:
    """What the plan does with one integration.

    ``integration_id`` and ``modified`` are the target's as seen when planning (None for a
    create); ``assumed`` is a digest of the target's whole record as seen (see
    :attr:`Plan.salt`). ``removes_credentials`` lists the credential members of the target an
    update drops. ``document`` is what a create or update sends, secrets resolved;
    ``template`` the same with placeholders (what a saved plan keeps); ``seen`` the target's
    record; ``secrets`` the resolved values, masked wherever the action is shown. None of
    these four is in ``repr()`` or :meth:`to_dict`.
    """

    kind: ActionKind
    name: str
    integration_id: str | None = None
    modified: str | None = None
    changes: tuple[Change, ...] = ()
    document: Document | None = field(default=None, repr=False, compare=False)
    seen: Document | None = field(default=None, repr=False, compare=False)
    removes_credentials: tuple[str, ...] = ()
    assumed: str | None = field(default=None, repr=False)
    template: Document | None = field(default=None, repr=False, compare=False)
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.kind,
            "name": self.name,
            "id": self.integration_id,
            "modified": self.modified,
            "changes": [change.to_dict() for change in self.changes],
        }
        if self.removes_credentials:
            data["removes_credentials"] = list(self.removes_credentials)
        return data

    def headline(self) -> str:
        """``~ update NAME  (ID)``, every server-provided character escaped."""
        target = f"  ({printable(self.integration_id)})" if self.integration_id else ""
        return f"{_MARKERS[self.kind]} {self.kind} {printable(self.name)}{target}"


@dataclass(frozen=True)
class Unmanaged:
    """A tenant integration that no desired document names (and that the plan leaves alone)."""

    name: str | None
    integration_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.integration_id}

    def render(self) -> str:
        shown = printable(self.name) if self.name and self.name.strip() else "(blank name)"
        return f"  {shown}  ({printable(self.integration_id)})"


@dataclass(frozen=True)
class Plan:
    """One action per desired document (and per pruned integration), sorted by name.

    Printable (:meth:`render`: a readable diff, secrets shown as ``(sensitive)``, server text
    escaped) and serialisable (:meth:`to_dict`, :meth:`to_json`: no secret value either;
    :meth:`to_saved` for a plan to apply later, see :mod:`sim_client.desired._saved`).

    ``unmanaged`` lists the tenant's integrations no document names and the plan leaves as
    they are; ``warnings`` what the plan noticed but did not refuse; ``base_url`` the API root
    the plan was made against (apply refuses another one); ``salt`` keys the digests of
    :attr:`Action.assumed` and of resolved placeholders; ``variables`` (a loaded saved plan
    only) maps each placeholder's variable to the digest of its value.
    """

    actions: tuple[Action, ...]
    prune: bool = False
    unmanaged: tuple[Unmanaged, ...] = ()
    warnings: tuple[str, ...] = ()
    base_url: str | None = None
    salt: str = field(default_factory=lambda: _random.token_hex(16), repr=False, compare=False)
    variables: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    saved: bool = False

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
            "unmanaged": [item.to_dict() for item in self.unmanaged],
            "warnings": list(self.warnings),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON, every non-ASCII character escaped (C1 controls too)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=True)

    def to_saved(self, *, tenant: str | None = None, api: str | None = None) -> dict[str, Any]:
        """This plan in the saved form (see :func:`sim_client.desired.load_saved_plan`)."""
        from ._saved import to_saved

        return to_saved(self, tenant=tenant, api=api)

    def render(self) -> str:
        """The plan as text: one headline per change, its field changes indented below, the
        unmanaged integrations and the warnings; every server-provided character escaped."""
        lines: list[str] = []
        for action in self.changes:
            lines.append(action.headline())
            if action.removes_credentials:
                removed = ", ".join(printable(path) for path in action.removes_credentials)
                lines.append(f"    ! removes credentials: {removed}")
            lines.extend(f"    {change.render()}" for change in action.changes)
        if self.unmanaged:
            lines.append(f"Not in the desired state, left as they are ({len(self.unmanaged)}):")
            lines.extend(item.render() for item in self.unmanaged)
        lines.extend(f"Warning: {printable(warning)}" for warning in self.warnings)
        counts = self.summary()
        lines.append(
            f"Plan: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete, {counts['unchanged']} unchanged."
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _show(value: Any) -> str:
    if value == SENSITIVE:
        return SENSITIVE
    return printable(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))
