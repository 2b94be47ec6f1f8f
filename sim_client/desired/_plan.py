"""Plan: what it takes to bring the tenant to the desired documents, as pure data.

Safety rules a plan enforces before anything is sent (each a :class:`DesiredStateError`):

- an update that drops credential ``attributes`` members the tenant has (a typo in a key, a
  forgotten placeholder) needs ``allow_credential_removal=True``; the plan then shows it as
  ``removes credentials: password``;
- ``prune`` deletes at most ``max_deletes`` integrations, and never every integration of the
  tenant, unless ``allow_delete_all=True``; an integration with a blank name is never pruned
  (it cannot be matched, so it cannot be desired either) and is listed as unmanaged;
- ``id_map`` entries that no document refers to are :attr:`Plan.warnings`, errors with
  ``strict=True``.

A plan is bound to the API root it was made against (:attr:`Plan.base_url`); each update and
delete carries a digest of the target's record as planned (:attr:`Action.assumed`), and
:func:`~sim_client.desired.apply` refuses a target whose content changed since.
"""

from __future__ import annotations

import json
import os
import secrets as _random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sim_client.errors import SimError, redact

from ._digest import digest
from ._documents import (
    MAX_VALUES,
    DesiredStateError,
    Document,
    LocatedDocument,
    Locator,
    canonical,
    check_document,
    check_id_map,
    describe,
    dotted,
    map_ids,
    referenced_ids,
)
from ._protocol import IntegrationClient
from ._secrets import (
    DEFAULT_PREFIXES,
    SENSITIVE,
    FieldPath,
    allowed_variable,
    check_prefixes,
    is_credential_name,
    mask,
    placeholders,
    resolve,
)

ActionKind = Literal["create", "update", "delete", "unchanged"]
_MARKERS: dict[str, str] = {"create": "+", "update": "~", "delete": "-", "unchanged": "="}
#: How many integrations ``prune`` deletes at most unless told otherwise.
DEFAULT_MAX_DELETES = 10


class _Missing:
    """A side of a change where the field is not set."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class DuplicateNameError(SimError):
    """The tenant holds more than one integration with a desired name, so a plan cannot tell
    which one is meant."""


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


def desired_documents(
    desired: object, *, placeholder_prefixes: Iterable[str] = DEFAULT_PREFIXES
) -> list[Document]:
    """The list of documents in ``desired`` (a list, or a mapping with ``integrations``),
    checked; DesiredStateError lists every problem (``file:line:col`` for documents read by
    :func:`~sim_client.desired.load_documents`)."""
    if isinstance(desired, Mapping) and "integrations" in desired:
        desired = desired["integrations"]
    if isinstance(desired, str | bytes | Mapping) or not isinstance(desired, Sequence):
        raise TypeError("desired must be a list of documents or {'integrations': [...]}")
    prefixes = check_prefixes(placeholder_prefixes)
    problems: list[str] = []
    seen: dict[str, str] = {}
    budget = [MAX_VALUES]
    for index, document in enumerate(desired):
        if budget[0] < 0:
            break
        locate = _locator(document, index)
        found = check_document(document, budget, placeholder_prefixes=prefixes)
        problems += [describe(problem, locate) for problem in found]
        name = document.get("name") if isinstance(document, Mapping) else None
        if isinstance(name, str):
            where = locate(("name",))
            if name in seen:
                problems.append(f"{where}: name: {name!r} is also the name of {seen[name]}")
            seen.setdefault(name, where)
    if problems:
        raise DesiredStateError(problems)
    return [
        LocatedDocument(document, document.locate)
        if isinstance(document, LocatedDocument)
        else dict(document)
        for document in desired
    ]


def _locator(document: object, index: int) -> Locator:
    if isinstance(document, LocatedDocument):
        return document.locate
    return lambda path: f"desired[{index}]"


@dataclass(frozen=True)
class _Wanted:
    """A desired document ready to compare: resolved, ids mapped, canonical."""

    document: Document
    template: Document
    secret_paths: frozenset[FieldPath]
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class _Target:
    """A tenant integration as the plan saw it."""

    integration_id: str
    name: str | None
    modified: str | None
    record: Document


async def plan(
    sim: IntegrationClient,
    desired: object,
    *,
    prune: bool = False,
    id_map: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    placeholder_prefixes: Iterable[str] = DEFAULT_PREFIXES,
    allow_credential_removal: bool = False,
    max_deletes: int = DEFAULT_MAX_DELETES,
    allow_delete_all: bool = False,
    strict: bool = False,
) -> Plan:
    """Compare ``desired`` with the tenant and say what :func:`apply` would do.

    Documents are matched to integrations by ``name``. ``id_map`` rewrites ids in references
    (promotion between tenants). Placeholders (``${NAME}``, NAME starting with one of
    ``placeholder_prefixes``) are resolved from ``secrets`` (default: the environment). Every
    problem of the documents, a missing placeholder included, raises
    :class:`DesiredStateError` before any request; so do the safety rules of this module
    (credential removal, ``max_deletes``, ``allow_delete_all``, ``strict``), before any write.
    One request: the list of integrations.
    """
    prefixes = check_prefixes(placeholder_prefixes)
    _check_limits(max_deletes, allow_credential_removal, allow_delete_all, strict)
    documents = desired_documents(desired, placeholder_prefixes=prefixes)
    ids = check_id_map(id_map) if id_map is not None else {}
    warnings = _unused_ids(documents, ids, strict)
    wanted = _resolve_all(documents, _values(secrets, prefixes), ids)
    named, blank = _split_by_name(await _tenant(sim))
    salt = _random.token_hex(16)
    actions = [_action_for(name, want, named.get(name, []), salt) for name, want in wanted.items()]
    if not allow_credential_removal:
        _refuse_credential_removal(actions)
    unmanaged = [
        target for name, targets in named.items() if name not in wanted for target in targets
    ]
    if prune:
        _check_deletes(len(unmanaged), sum(map(len, named.values())), max_deletes, allow_delete_all)
        actions += [_delete(target, salt) for target in unmanaged]
        unmanaged = []
    actions.sort(key=lambda action: (action.name, action.kind))
    return Plan(
        tuple(actions),
        prune=prune,
        unmanaged=tuple(
            Unmanaged(target.name, target.integration_id)
            for target in sorted(
                [*unmanaged, *blank], key=lambda t: (t.name or "", t.integration_id)
            )
        ),
        warnings=tuple(warnings),
        base_url=sim.base_url,
        salt=salt,
    )


def _by_name(target: _Target) -> tuple[str, str]:
    return (target.name or "", target.integration_id)


def _check_limits(max_deletes: object, *flags: object) -> None:
    if isinstance(max_deletes, bool) or not isinstance(max_deletes, int) or max_deletes < 0:
        raise ValueError("max_deletes must be an integer >= 0")
    if not all(isinstance(flag, bool) for flag in flags):
        raise TypeError("allow_credential_removal, allow_delete_all and strict must be booleans")


def _values(secrets: Mapping[str, str] | None, prefixes: tuple[str, ...]) -> dict[str, str]:
    """The values placeholders may take: ``secrets``, or the environment's variables with an
    allowed prefix (never the client's own ``SAIL_*`` settings)."""
    source = os.environ if secrets is None else secrets
    return {
        name: value
        for name, value in source.items()
        if isinstance(name, str) and isinstance(value, str) and allowed_variable(name, prefixes)
    }


def _unused_ids(documents: list[Document], ids: Mapping[str, str], strict: bool) -> list[str]:
    """A warning for each id-map entry no document refers to; DesiredStateError if strict."""
    used: set[str] = set()
    for document in documents:
        used |= referenced_ids(document)
    unused = [
        f"id_map: {source!r} matches no reference in the desired state"
        for source in ids
        if source not in used
    ]
    if unused and strict:
        raise DesiredStateError(unused)
    return unused


def _resolve_all(
    documents: list[Document], values: Mapping[str, str], ids: Mapping[str, str]
) -> dict[str, _Wanted]:
    """Each document by name, placeholders resolved; DesiredStateError naming every
    placeholder whose variable is not set."""
    missing = [
        f"{_locator(document, index)(('attributes', *path))}: "
        f"attributes.{dotted(path)}: ${{{variable}}} is not set"
        for index, document in enumerate(documents)
        for path, variable in placeholders(document.get("attributes"))
        if variable not in values
    ]
    if missing:
        raise DesiredStateError(missing)
    wanted: dict[str, _Wanted] = {}
    for document in documents:
        found = placeholders(document.get("attributes"))
        template = canonical(map_ids(dict(document), ids))
        resolved = dict(document)
        if "attributes" in resolved:
            resolved["attributes"] = resolve(resolved["attributes"], values)
        wanted[document["name"]] = _Wanted(
            canonical(map_ids(resolved, ids)),
            template,
            frozenset(("attributes", *path) for path, _ in found),
            tuple(sorted({values[variable] for _, variable in found if values[variable]})),
        )
    return wanted


async def _tenant(sim: IntegrationClient) -> list[_Target]:
    """The tenant's integrations in canonical form."""
    targets: list[_Target] = []
    for integration in await sim.list_integrations():
        wire = integration.to_dict()
        name = wire.get("name")
        modified = wire.get("modified")
        try:
            record = canonical(wire)
        except DesiredStateError as error:
            raise DesiredStateError(
                [f"the tenant's integration {integration.id!r}: {error.problems[0]}"]
            ) from None
        targets.append(
            _Target(
                integration.id,
                name if isinstance(name, str) else None,
                modified if isinstance(modified, str) else None,
                record,
            )
        )
    return targets


def _split_by_name(targets: list[_Target]) -> tuple[dict[str, list[_Target]], list[_Target]]:
    """The targets by name, and those without a usable (non-blank) name."""
    named: dict[str, list[_Target]] = {}
    blank: list[_Target] = []
    for target in targets:
        if target.name is None or not target.name.strip():
            blank.append(target)  # cannot be matched, so never desired and never pruned
        else:
            named.setdefault(target.name, []).append(target)
    return named, blank


def _action_for(name: str, want: _Wanted, targets: list[_Target], salt: str) -> Action:
    if len(targets) > 1:
        raise DuplicateNameError(
            f"the tenant has {len(targets)} integrations named {name!r} "
            f"({', '.join(repr(target.integration_id) for target in targets)}); "
            "a plan cannot tell which one is meant"
        )
    document = want.document
    if not targets:
        # The headline names it; every other field is an addition.
        fields = {k: v for k, v in document.items() if k != "name"}
        return Action(
            "create",
            name,
            changes=diff({}, fields, (), want.secret_paths),
            document=document,
            template=want.template,
            secrets=want.secrets,
        )
    (target,) = targets
    changes = diff(target.record, document, (), want.secret_paths)
    return Action(
        "update" if changes else "unchanged",
        name,
        target.integration_id,
        target.modified,
        changes,
        document=document,
        seen=target.record,
        removes_credentials=removed_credentials(target.record, document),
        assumed=digest(salt, target.record),
        template=want.template,
        secrets=want.secrets,
    )


def _delete(target: _Target, salt: str) -> Action:
    return Action(
        "delete",
        target.name or "",
        target.integration_id,
        target.modified,
        seen=target.record,
        assumed=digest(salt, target.record),
    )


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


def _refuse_credential_removal(actions: list[Action]) -> None:
    problems = [
        f"{action.name!r}: the update removes credentials the tenant has: "
        f"{', '.join(action.removes_credentials)} (keep them, e.g. as placeholders, or allow "
        "credential removal)"
        for action in actions
        if action.kind == "update" and action.removes_credentials
    ]
    if problems:
        raise DesiredStateError(problems)


def _check_deletes(deletes: int, total: int, max_deletes: int, allow_delete_all: bool) -> None:
    if allow_delete_all or not deletes:
        return
    if deletes == total:
        raise DesiredStateError(
            [
                f"prune would delete every integration of the tenant ({deletes}); "
                "allow deleting them all to go ahead"
            ]
        )
    if deletes > max_deletes:
        raise DesiredStateError(
            [
                f"prune would delete {deletes} integrations, more than the {max_deletes} "
                "allowed; raise max_deletes (or allow deleting them all) to go ahead"
            ]
        )


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
    return printable(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))
