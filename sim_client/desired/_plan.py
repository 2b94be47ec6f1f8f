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

import secrets as _random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sim_client.errors import SimError

from ._diff import diff, removed_credentials
from ._digest import digest
from ._documents import (
    DesiredStateError,
    Document,
    DocumentChecker,
    LocatedDocument,
    Locator,
    canonical,
    check_id_map,
    dotted,
    map_ids,
    referenced_ids,
)
from ._model import Action, Plan, Unmanaged
from ._protocol import IntegrationClient
from ._secrets import (
    DEFAULT_PREFIXES,
    FieldPath,
    check_prefixes,
    placeholder_values,
    placeholders,
    resolve,
    secret_values,
)

#: How many integrations ``prune`` deletes at most unless told otherwise.
DEFAULT_MAX_DELETES = 10


class DuplicateNameError(SimError):
    """The tenant holds more than one integration with a desired name, so a plan cannot tell
    which one is meant."""


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
    checker = DocumentChecker(check_prefixes(placeholder_prefixes))
    for index, document in enumerate(desired):
        if checker.exhausted:
            break
        checker.add(document, _locator(document, index))
    return checker.checked()


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
    wanted = _resolve_all(documents, placeholder_values(secrets, prefixes), ids)
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
            for target in sorted([*unmanaged, *blank], key=_by_name)
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
            secret_values(resolved.get("attributes"), found, values),
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
