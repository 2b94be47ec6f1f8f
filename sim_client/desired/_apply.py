"""Apply: carry out a plan's actions with bounded concurrency, each with its own outcome."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sim_client.errors import APIStatusError, NotFoundError, SimError

from ._documents import canonical
from ._plan import Action, Plan, same

if TYPE_CHECKING:
    from sim_client.client import SimClient
    from sim_client.models import SimIntegration

Status = Literal["created", "updated", "deleted", "unchanged", "failed", "skipped"]
_STATUSES: tuple[Status, ...] = ("created", "updated", "deleted", "unchanged", "failed", "skipped")
_DONE: dict[str, Status] = {"create": "created", "update": "updated", "delete": "deleted"}


class StalePlanError(SimError):
    """The target of an update or delete changed (or went away) since the plan was made, so
    the action was not applied; plan again."""


@dataclass(frozen=True)
class Outcome:
    """What became of one action: the integration as stored (create, update), or the error
    (``failed``); ``skipped`` when ``fail_fast`` stopped it from starting."""

    action: Action
    status: Status
    integration: SimIntegration | None = None
    error: Exception | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.action.kind,
            "name": self.action.name,
            "id": self.integration.id if self.integration else self.action.integration_id,
            "status": self.status,
        }
        if self.error is not None:
            data["error"] = f"{type(self.error).__name__}: {self.error}"
            if isinstance(self.error, APIStatusError) and self.error.tracking_id:
                data["tracking_id"] = self.error.tracking_id
        return data

    def render(self) -> str:
        line = f"{self.status} {self.action.name}"
        if self.error is not None:
            line += f": {type(self.error).__name__}: {self.error}"
        return line


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
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


async def apply(
    sim: SimClient,
    plan: Plan,
    *,
    concurrency: int = 4,
    fail_fast: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> ApplyResult:
    """Carry out ``plan``: at most ``concurrency`` actions at a time.

    A failed action (any :class:`~sim_client.SimError`, or a ValueError/TypeError from the
    argument checks) is reported in its outcome and does not stop the others, unless
    ``fail_fast``: then no further action starts (those running finish) and the rest are
    ``skipped``. Before an update or delete the target is read again; if its ``modified``
    differs from the plan's (or, when the service gives none, its content does), the action
    fails with :class:`StalePlanError`. ``on_outcome`` is called as each action ends.
    """
    import asyncio

    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a Plan, not {type(plan).__name__}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError("concurrency must be an integer >= 1")
    gate = asyncio.Semaphore(concurrency)
    stopped = False

    async def run(action: Action) -> Outcome:
        nonlocal stopped
        if action.kind == "unchanged":
            return Outcome(action, "unchanged")
        async with gate:
            if stopped:
                outcome = Outcome(action, "skipped")
            else:
                try:
                    outcome = Outcome(action, _DONE[action.kind], await _carry_out(sim, action))
                except (SimError, ValueError, TypeError) as error:
                    stopped = stopped or fail_fast
                    outcome = Outcome(action, "failed", error=error)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    outcomes = await asyncio.gather(*(run(action) for action in plan.actions))
    return ApplyResult(tuple(outcomes))


async def _carry_out(sim: SimClient, action: Action) -> SimIntegration | None:
    if action.kind == "create":
        assert action.document is not None
        return await sim.create_integration(action.document)
    assert action.integration_id is not None
    await _check_fresh(sim, action, action.integration_id)
    if action.kind == "update":
        assert action.document is not None
        return await sim.update_integration(action.integration_id, action.document)
    # Gone already (e.g. a retried DELETE whose first answer was lost) is as desired.
    with contextlib.suppress(NotFoundError):
        await sim.delete_integration(action.integration_id)
    return None


async def _check_fresh(sim: SimClient, action: Action, integration_id: str) -> None:
    """Raise StalePlanError unless the target is as the plan saw it."""
    try:
        wire = (await sim.get_integration(integration_id)).to_dict()
    except NotFoundError:
        raise StalePlanError(
            f"{action.name!r} ({integration_id}) was deleted since the plan; not applied"
        ) from None
    modified = wire.get("modified")
    modified = modified if isinstance(modified, str) else None
    if modified != action.modified:
        raise StalePlanError(
            f"{action.name!r} ({integration_id}) changed since the plan (modified "
            f"{action.modified or 'unknown'}, now {modified or 'unknown'}); not applied"
        )
    if modified is None and not same(canonical(wire), action.seen):
        raise StalePlanError(
            f"{action.name!r} ({integration_id}) changed since the plan; not applied"
        )
