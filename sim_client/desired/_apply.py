"""Apply: carry out a plan's actions with bounded concurrency, each with its own outcome.

Stopping is orderly: when ``on_outcome`` raises, or when :func:`apply` is cancelled (Ctrl-C
under :func:`asyncio.run`), no new write starts, the writes in flight are waited for, and only
then does :func:`apply` raise (the callback's exception, or :class:`ApplyInterrupted`, a
:class:`asyncio.CancelledError` carrying the counts). Nothing is left running.

Secrets the plan resolved are masked in every outcome, however they come back: an error whose
message, ``messages`` or ``body`` echo a submitted secret (a 400 quoting the request) is
scrubbed before it is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sim_client._masking import hide
from sim_client.errors import APIStatusError, NotFoundError, SimError

from ._diff import same
from ._digest import digest
from ._documents import canonical
from ._model import Action, Plan, printable
from ._protocol import IntegrationClient, IntegrationRecord
from ._saved import api_of, same_root

Status = Literal["created", "updated", "deleted", "unchanged", "failed", "skipped"]
_STATUSES: tuple[Status, ...] = ("created", "updated", "deleted", "unchanged", "failed", "skipped")
_DONE: dict[str, Status] = {"create": "created", "update": "updated", "delete": "deleted"}


class StalePlanError(SimError):
    """The target of an update or delete changed (or went away) since the plan was made, so
    the action was not applied; plan again."""


class WrongTenantError(StalePlanError):
    """The plan was made against another API root (tenant or API version); nothing applied."""


@dataclass(frozen=True)
class Outcome:
    """What became of one action: the integration as stored (create, update), or the error
    (``failed``); ``skipped`` when it was not started (``fail_fast``, a failing
    ``on_outcome``, or cancellation stopped it).

    Rendered and serialised with the plan's secrets masked and server text escaped.
    """

    action: Action
    status: Status
    integration: IntegrationRecord | None = None
    error: Exception | None = None

    def _secrets(self) -> tuple[str, ...]:
        return self.action.secrets

    def error_text(self) -> str | None:
        """``Type: message`` of the error, secrets masked, controls escaped (None if none)."""
        if self.error is None:
            return None
        return printable(f"{type(self.error).__name__}: {self.error}", self._secrets())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.action.kind,
            "name": self.action.name,
            "id": self.integration.id if self.integration else self.action.integration_id,
            "status": self.status,
        }
        if self.error is not None:
            data["error"] = self.error_text()
            if isinstance(self.error, APIStatusError) and self.error.tracking_id:
                data["tracking_id"] = self.error.tracking_id
        return data

    def render(self) -> str:
        line = f"{self.status} {printable(self.action.name)}"
        if self.error is not None:
            line += f": {self.error_text()}"
        return line

    def __repr__(self) -> str:
        integration = self.integration.id if self.integration else None
        return (
            f"Outcome(action={self.action!r}, status={self.status!r}, "
            f"integration={integration!r}, error={self.error_text()!r})"
        )


@dataclass(frozen=True)
class ApplyResult:
    """One :class:`Outcome` per action of the plan, in the plan's order."""

    outcomes: tuple[Outcome, ...]

    @property
    def ok(self) -> bool:
        """Whether every action was applied (or had nothing to do)."""
        return all(outcome.status not in ("failed", "skipped") for outcome in self.outcomes)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status == "failed")

    @property
    def done(self) -> int:
        """How many actions were carried out (created, updated or deleted)."""
        return sum(outcome.status in _DONE.values() for outcome in self.outcomes)

    @property
    def not_started(self) -> int:
        """How many actions were not started (``skipped``)."""
        return sum(outcome.status == "skipped" for outcome in self.outcomes)

    def summary(self) -> dict[str, int]:
        """How many outcomes of each status there are (statuses that occur only)."""
        counts = dict.fromkeys(_STATUSES, 0)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return {status: count for status, count in counts.items() if count}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON, every non-ASCII character escaped (C1 controls too)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=True)


class ApplyInterrupted(asyncio.CancelledError):
    """:func:`apply` was cancelled: the writes in flight were finished, none started after.

    ``result`` holds every action's outcome (those not started are ``skipped``); ``done`` and
    ``not_started`` count them, for "interrupted: N done, M not started; plan again". Under
    :func:`asyncio.run`, Ctrl-C ends as :class:`KeyboardInterrupt` whose ``__context__`` is
    this exception.
    """

    def __init__(self, result: ApplyResult) -> None:
        self.result = result
        self.done = result.done
        self.not_started = result.not_started
        super().__init__(
            f"interrupted: {self.done} done, {self.not_started} not started; plan again"
        )


@dataclass
class _Run:
    """The shared state of one apply: whether to start more writes, the first error that
    stopped them (from ``on_outcome``, or unexpected), each action's outcome by index."""

    stopped: bool = False
    error: Exception | None = None
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def stop(self, error: Exception) -> None:
        self.stopped = True
        self.error = self.error or error


async def apply(
    sim: IntegrationClient,
    plan: Plan,
    *,
    concurrency: int = 4,
    fail_fast: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> ApplyResult:
    """Carry out ``plan``: at most ``concurrency`` actions at a time.

    Refused before any request (:class:`WrongTenantError`) if ``plan`` was made against
    another API root than ``sim.base_url``; a saved plan is also refused before any write
    (:class:`StalePlanError`) if a target changed since. A failed action (any
    :class:`~sim_client.SimError`, or a ValueError/TypeError from the argument checks) is
    reported in its outcome and does not stop the others, unless ``fail_fast``: then no
    further action starts (those running finish) and the rest are ``skipped``. Before an
    update or delete the target is read again; if its content or ``modified`` differs from
    the plan's, the action fails with :class:`StalePlanError`. ``on_outcome`` is called as
    each action ends; if it raises, see the module.
    """
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a Plan, not {type(plan).__name__}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError("concurrency must be an integer >= 1")
    _check_tenant(sim, plan)
    if plan.saved:
        await _check_all_fresh(sim, plan)
    gate = asyncio.Semaphore(concurrency)
    run = _Run()

    async def one(index: int, action: Action) -> None:
        if action.kind == "unchanged":
            outcome = Outcome(action, "unchanged")
        else:
            async with gate:
                if run.stopped:
                    outcome = Outcome(action, "skipped")
                else:
                    try:
                        outcome = await _attempt(sim, plan, action)
                    except Exception as error:  # not an API or input error: re-raised below
                        run.stop(error)
                        outcome = Outcome(action, "failed", error=scrub(error, action.secrets))
                    run.stopped = run.stopped or (fail_fast and outcome.status == "failed")
        run.outcomes[index] = outcome
        if on_outcome is not None and run.error is None:
            try:
                on_outcome(outcome)
            except Exception as error:  # re-raised once the writes in flight end
                run.stop(error)

    tasks = [asyncio.ensure_future(one(i, action)) for i, action in enumerate(plan.actions)]
    try:
        if tasks:
            await asyncio.wait(tasks)
    except asyncio.CancelledError:
        run.stopped = True
        await _finish(tasks)
        raise ApplyInterrupted(_result(plan, run)) from None
    if run.error is not None:
        raise run.error
    return _result(plan, run)


async def _finish(tasks: Sequence[asyncio.Future[None]]) -> None:
    """Wait for every task to end (those waiting for a slot end at once, as skipped), even
    if cancelled again meanwhile."""
    while True:
        try:
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
            return
        except asyncio.CancelledError:
            if all(task.done() for task in tasks):
                return


def _result(plan: Plan, run: _Run) -> ApplyResult:
    return ApplyResult(
        tuple(
            run.outcomes.get(i) or Outcome(action, "skipped")
            for i, action in enumerate(plan.actions)
        )
    )


async def _attempt(sim: IntegrationClient, plan: Plan, action: Action) -> Outcome:
    try:
        return Outcome(action, _DONE[action.kind], await _carry_out(sim, plan, action))
    except (SimError, ValueError, TypeError) as error:
        return Outcome(action, "failed", error=scrub(error, action.secrets))


def scrub(error: Exception, secrets: Iterable[str]) -> Exception:
    """``error`` with each secret masked in its message, and for a service error in its
    ``messages`` and ``body`` too (in place; returned for convenience)."""
    values = tuple(secret for secret in secrets if secret)
    if not values:
        return error
    error.args = tuple(hide(arg, values) if isinstance(arg, str) else arg for arg in error.args)
    for name in ("messages", "body"):  # APIStatusError, ResponseDecodeError
        if hasattr(error, name):
            setattr(error, name, _scrub_value(getattr(error, name), values))
    return error


def _scrub_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return hide(value, secrets)
    if isinstance(value, dict):
        return {key: _scrub_value(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_value(item, secrets) for item in value]
    return value


def _check_tenant(sim: IntegrationClient, plan: Plan) -> None:
    if plan.base_url is None:
        return
    here = sim.base_url
    if not same_root(plan.base_url, here) or api_of(plan.base_url) != api_of(here):
        raise WrongTenantError(
            f"this plan was made for {printable(plan.base_url)}, not {printable(here)}; "
            "nothing applied (plan again against this tenant)"
        )


async def _check_all_fresh(sim: IntegrationClient, plan: Plan) -> None:
    """StalePlanError, before any write, naming every target that changed since the plan."""
    current = {item.id: item.to_dict() for item in await sim.list_integrations()}
    names = {wire.get("name") for wire in current.values()}
    problems: list[str] = []
    for action in plan.changes:
        if action.kind == "create":
            if action.name in names:
                problems.append(f"{action.name!r} exists now; the plan would create it")
            continue
        wire = current.get(action.integration_id or "")
        if wire is None:
            problems.append(f"{action.name!r} ({action.integration_id!r}) was deleted")
        elif not _as_planned(plan, action, wire):
            problems.append(f"{action.name!r} ({action.integration_id!r}) changed")
    if problems:
        raise StalePlanError(
            "the tenant changed since the plan; nothing applied (plan again): "
            + "; ".join(problems)
        )


def _as_planned(plan: Plan, action: Action, wire: dict[str, Any]) -> bool:
    """Whether the target's record (wire form) is the one the plan saw: same ``modified`` and
    same content (by digest; by comparison for an action built by hand without one)."""
    modified = wire.get("modified")
    if (modified if isinstance(modified, str) else None) != action.modified:
        return False
    if action.assumed is not None:
        return digest(plan.salt, canonical(wire)) == action.assumed
    return action.seen is None or same(canonical(wire), action.seen)


async def _carry_out(
    sim: IntegrationClient, plan: Plan, action: Action
) -> IntegrationRecord | None:
    if action.kind == "create":
        assert action.document is not None
        return await sim.create_integration(action.document)
    assert action.integration_id is not None
    await _check_fresh(sim, plan, action, action.integration_id)
    if action.kind == "update":
        assert action.document is not None
        return await sim.update_integration(action.integration_id, action.document)
    # Gone already (e.g. a retried DELETE whose first answer was lost) is as desired.
    with contextlib.suppress(NotFoundError):
        await sim.delete_integration(action.integration_id)
    return None


async def _check_fresh(
    sim: IntegrationClient, plan: Plan, action: Action, integration_id: str
) -> None:
    """Raise StalePlanError unless the target is as the plan saw it."""
    try:
        wire = (await sim.get_integration(integration_id)).to_dict()
    except NotFoundError:
        raise StalePlanError(
            f"{action.name!r} ({integration_id!r}) was deleted since the plan; not applied"
        ) from None
    if not _as_planned(plan, action, wire):
        modified = wire.get("modified")
        raise StalePlanError(
            f"{action.name!r} ({integration_id!r}) changed since the plan (modified "
            f"{action.modified or 'unknown'!r}, now {modified or 'unknown'!r}); not applied"
        )
