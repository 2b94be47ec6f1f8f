"""Saved plans: a reviewed plan kept as JSON and applied later exactly as reviewed.

>>> saved = plan.to_saved()                       # or plan.to_saved(tenant=..., api=...)
>>> Path("plan.json").write_text(json.dumps(saved))
>>> later = load_saved_plan("plan.json")          # resolves placeholders again, checks them
>>> result = await apply(sim, later)              # refused on another tenant or a changed one

The saved form (``format_version`` 1) is a JSON object:

- ``tenant``: the API root URL the plan was made against (``SimClient.base_url``, e.g.
  ``https://acme.api.identitynow.com/beta``), ``api``: its API version (``beta``);
- ``prune``, ``summary``, ``unmanaged``, ``warnings`` as in :meth:`Plan.to_dict`;
- ``salt``: the key of the plan's digests (random per plan);
- ``secrets``: for each placeholder variable the documents use, the digest of its value when
  the plan was made: never the value;
- ``actions``: each with ``action``, ``name``, ``id``, ``modified``, ``changes`` (display
  values, secrets masked, ``path`` as a list), ``removes_credentials``, ``document`` (what a
  create or update sends, with its placeholders, not their values) and ``assumed``: the
  target's record as the plan saw it (``state``: credentials masked; ``digest``: of the whole
  record) or null for a create.

Secrets are never stored in clear: a document keeps its ``${SIM_...}`` placeholders, and
:func:`load_saved_plan` resolves them from the environment (or ``secrets``) again, refusing
a variable that is missing or whose value differs from the one the plan was made with. A
plan whose documents hold a literal credential (not a placeholder) cannot be saved.

:func:`~sim_client.desired.apply` refuses a saved plan on another API root (tenant or API
version: :class:`WrongTenantError`), and, before any write, when any target changed since
the plan (content, by digest, not only ``modified``), was deleted, or when the name of a
create now exists (:class:`~sim_client.desired.StalePlanError`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._digest import digest
from ._documents import DesiredStateError, Document, dotted
from ._model import MISSING, Action, Change, Plan, Unmanaged
from ._secrets import (
    DEFAULT_PREFIXES,
    FieldPath,
    check_placeholders,
    check_prefixes,
    is_sensitive,
    masked,
    placeholder_values,
    placeholders,
    resolve,
    secret_values,
)

#: The saved form this module writes and reads.
FORMAT_VERSION = 1
_KINDS = ("create", "update", "delete", "unchanged")


def api_of(base_url: str) -> str:
    """The API version of an API root: its last path segment (``beta``, ``v2025``)."""
    return urlsplit(base_url).path.rstrip("/").rsplit("/", 1)[-1]


def same_root(a: str, b: str) -> bool:
    """Whether two API roots are the same (scheme and host compared case-insensitively)."""
    return _normal(a) == _normal(b)


def _normal(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url.strip())
    return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/")


def to_saved(plan: Plan, *, tenant: str | None = None, api: str | None = None) -> dict[str, Any]:
    """``plan`` in the saved form; ``tenant`` and ``api`` default to the plan's own
    :attr:`Plan.base_url`. DesiredStateError if the plan has neither, or if a document holds a
    literal credential (which would be stored in clear)."""
    root = tenant if tenant is not None else plan.base_url
    if not isinstance(root, str) or not root.strip():
        raise DesiredStateError(["a saved plan needs the tenant (API root URL) it was made for"])
    problems = [
        f"{action.name!r}: attributes.{dotted(path)}: a literal credential cannot be kept in "
        "a saved plan; use a ${SIM_...} placeholder"
        for action in plan.changes
        if action.template is not None
        for path in _literal_credentials(action.template.get("attributes"))
    ]
    if problems:
        raise DesiredStateError(problems)
    variables = _variable_digests(plan)
    return {
        "format_version": FORMAT_VERSION,
        "tenant": root,
        "api": api if api is not None else api_of(root),
        "prune": plan.prune,
        "summary": plan.summary(),
        "salt": plan.salt,
        "secrets": variables,
        "actions": [_saved_action(action) for action in plan.actions],
        "unmanaged": [item.to_dict() for item in plan.unmanaged],
        "warnings": list(plan.warnings),
    }


def _literal_credentials(attributes: object) -> list[FieldPath]:
    """Paths (below ``attributes``) of credential values that are not placeholders."""
    found: list[FieldPath] = []
    held = {path for path, _ in placeholders(attributes)}

    def walk(value: object, path: FieldPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*path, i))
        elif value not in (None, "") and path not in held and is_sensitive(("attributes", *path)):
            found.append(path)

    walk(attributes, ())
    return found


def _variable_digests(plan: Plan) -> dict[str, str]:
    """Each placeholder variable's digest: kept from a loaded plan, else from the values the
    actions resolved."""
    result = dict(plan.variables)
    for action in plan.changes:
        if action.template is None or action.document is None:
            continue
        values = _resolved_values(
            action.template.get("attributes"), action.document.get("attributes")
        )
        for variable, value in values.items():
            result.setdefault(variable, digest(plan.salt, value))
    return dict(sorted(result.items()))


def _resolved_values(template: object, document: object) -> dict[str, Any]:
    """variable -> value, read side by side from a template and its resolved document."""
    found: dict[str, Any] = {}
    for path, variable in placeholders(template):
        value: Any = document
        for step in path:
            if isinstance(value, dict):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            else:
                value = None
        found[variable] = value
    return found


def _saved_action(action: Action) -> dict[str, Any]:
    assumed = None
    if action.kind != "create":
        assumed = {
            "digest": action.assumed,
            "state": masked(action.seen) if action.seen is not None else None,
        }
    changes = []
    for change in action.changes:
        item: dict[str, Any] = {"path": list(change.path)}
        if change.before is not MISSING:
            item["before"] = change.before
        if change.after is not MISSING:
            item["after"] = change.after
        changes.append(item)
    return {
        "action": action.kind,
        "name": action.name,
        "id": action.integration_id,
        "modified": action.modified,
        "changes": changes,
        "removes_credentials": list(action.removes_credentials),
        "document": action.template if action.kind in ("create", "update") else None,
        "assumed": assumed,
    }


def load_saved_plan(
    source: str | Path | Mapping[str, Any],
    *,
    secrets: Mapping[str, str] | None = None,
    placeholder_prefixes: Iterable[str] = DEFAULT_PREFIXES,
) -> Plan:
    """A saved plan (a path, its JSON text, or the parsed mapping) as a :class:`Plan` to
    apply, placeholders resolved from ``secrets`` (default: the environment).

    DesiredStateError lists every problem at once: not a saved plan, an unknown
    ``format_version``, a malformed action, a placeholder variable that is not set or whose
    value differs from the one the plan was made with.
    """
    prefixes = check_prefixes(placeholder_prefixes)
    data = _parse(source)
    problems: list[str] = []
    if data.get("format_version") != FORMAT_VERSION:
        raise DesiredStateError(
            [
                f"saved plan: format_version must be {FORMAT_VERSION}; this is not a saved plan "
                "this version can apply"
            ]
        )
    tenant, salt = data.get("tenant"), data.get("salt")
    recorded = data.get("secrets")
    raw_actions = data.get("actions")
    if not isinstance(tenant, str) or not tenant:
        problems.append("saved plan: tenant must be the API root URL")
    if not isinstance(salt, str) or not _is_hex(salt):
        problems.append("saved plan: salt must be hex")
    if not isinstance(recorded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in recorded.items()
    ):
        problems.append("saved plan: secrets must map variable names to digests")
    if not isinstance(raw_actions, list):
        problems.append("saved plan: actions must be a list")
    if problems:
        raise DesiredStateError(problems)
    assert isinstance(tenant, str)
    assert isinstance(salt, str)
    assert isinstance(recorded, dict)
    assert isinstance(raw_actions, list)
    values = placeholder_values(secrets, prefixes)
    for variable, expected in recorded.items():
        if variable not in values:
            problems.append(f"saved plan: ${{{variable}}} is not set")
        elif digest(salt, values[variable]) != expected:
            problems.append(
                f"saved plan: ${{{variable}}} has another value than when the plan was made; "
                "plan again"
            )
    actions = [
        _loaded_action(item, index, values, recorded, prefixes, problems)
        for index, item in enumerate(raw_actions)
    ]
    if problems:
        raise DesiredStateError(problems)
    return Plan(
        tuple(action for action in actions if action is not None),
        prune=bool(data.get("prune")),
        unmanaged=tuple(
            Unmanaged(item.get("name"), str(item.get("id")))
            for item in data.get("unmanaged") or []
            if isinstance(item, dict)
        ),
        warnings=tuple(str(item) for item in data.get("warnings") or []),
        base_url=tenant,
        salt=salt,
        variables=dict(recorded),
        saved=True,
    )


def _parse(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, where = source, "saved plan"
    else:
        path = Path(source)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise DesiredStateError([f"{where}: cannot be read: {error}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DesiredStateError(
            [f"{where}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"]
        ) from None
    except (ValueError, RecursionError) as error:
        raise DesiredStateError([f"{where}: not valid JSON: {error}"]) from None
    if not isinstance(data, dict):
        raise DesiredStateError([f"{where}: a saved plan is a JSON object"])
    return data


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return bool(text)


def _loaded_action(
    item: object,
    index: int,
    values: Mapping[str, str],
    recorded: Mapping[str, str],
    prefixes: tuple[str, ...],
    problems: list[str],
) -> Action | None:
    where = f"saved plan: actions[{index}]"
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return None
    kind, name = item.get("action"), item.get("name")
    integration_id, modified = item.get("id"), item.get("modified")
    template, assumed = item.get("document"), item.get("assumed")
    if kind not in _KINDS or not isinstance(name, str):
        problems.append(f"{where}: must have an action ({', '.join(_KINDS)}) and a name")
        return None
    if kind != "create" and (
        not isinstance(integration_id, str)
        or not isinstance(assumed, dict)
        or not isinstance(assumed.get("digest"), str)
    ):
        problems.append(f"{where}: an {kind} needs the target's id and assumed digest")
        return None
    if kind in ("create", "update") and not isinstance(template, dict):
        problems.append(f"{where}: a {kind} needs its document")
        return None
    document: Document | None = None
    used: tuple[str, ...] = ()
    if isinstance(template, dict):
        attributes = template.get("attributes")
        bad = check_placeholders(attributes, prefixes)
        if bad:
            problems += [f"{where}: attributes.{dotted(path)}: {text}" for path, text in bad]
            return None
        unrecorded = sorted({v for _, v in placeholders(attributes) if v not in recorded})
        if unrecorded:
            names = ", ".join(f"${{{variable}}}" for variable in unrecorded)
            problems.append(f"{where}: {names} not recorded in the plan's secrets")
            return None
        if any(variable not in values for _, variable in placeholders(attributes)):
            return None  # reported once per variable above
        document = dict(template)
        if attributes is not None:
            document["attributes"] = resolve(attributes, values)
        used = secret_values(document.get("attributes"), placeholders(attributes), values)
    return Action(
        kind,
        name,
        integration_id if isinstance(integration_id, str) else None,
        modified if isinstance(modified, str) else None,
        tuple(
            _loaded_change(change)
            for change in item.get("changes") or []
            if isinstance(change, dict)
        ),
        document=document,
        seen=None,
        removes_credentials=tuple(str(p) for p in item.get("removes_credentials") or []),
        assumed=assumed.get("digest") if isinstance(assumed, dict) else None,
        template=template if isinstance(template, dict) else None,
        secrets=used,
    )


def _loaded_change(item: dict[str, Any]) -> Change:
    path = item.get("path")
    steps: FieldPath = tuple(
        step for step in (path if isinstance(path, list) else []) if isinstance(step, str | int)
    )
    return Change(steps, item.get("before", MISSING), item.get("after", MISSING))
