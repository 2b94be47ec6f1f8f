"""A rate-limit budget: slots reserved in time so that no window of ``per`` seconds holds more
than ``requests`` of them."""

from __future__ import annotations

import collections
import time
from collections.abc import Awaitable, Callable

from sim_client.rate_limit import RateLimit


class WaitTooLong(Exception):
    """The wait a slot would need is longer than the caller may wait."""

    def __init__(self, wait: float, reason: str) -> None:
        super().__init__(f"{wait:.1f} s for {reason}")
        self.wait = wait
        self.reason = reason


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


class Budget:
    """Slots of one rate limit, shared by every caller of this object."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = _sleep,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._slots: collections.deque[float] = collections.deque()
        self._paused_until = 0.0

    def _earliest(self, now: float) -> float:
        slots = self._slots
        while slots and slots[0] <= now - self.limit.per:
            slots.popleft()
        start = max(now, self._paused_until)
        if len(slots) >= self.limit.requests:
            start = max(start, slots[-self.limit.requests] + self.limit.per)
        return start

    def try_acquire(self) -> bool:
        """Take a slot now if one is free."""
        now = self._clock()
        if self._earliest(now) > now:
            return False
        self._slots.append(now)
        return True

    async def acquire(self, max_wait: float) -> float:
        """Reserve the earliest slot and wait for it; the seconds waited."""
        now = self._clock()
        at = self._earliest(now)
        wait = at - now
        if wait > max_wait:
            raise WaitTooLong(
                wait, f"the rate limit ({self.limit.requests} per {self.limit.per:g} s)"
            )
        self._slots.append(at)
        try:
            if wait > 0:
                await self._sleep(wait)
        except BaseException:
            self._slots.remove(at)
            raise
        return wait

    async def pause(self, seconds: float) -> None:
        """No slot is granted before ``seconds`` from now."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


_budgets: dict[tuple[int, float, str | None, str], Budget] = {}


def budget_for(
    limit: RateLimit, key: str, *, sleep: Callable[[float], Awaitable[None]] = _sleep
) -> Budget:
    """The process's budget of ``limit`` for ``key`` (made with ``sleep`` if it is new)."""
    index = (limit.requests, limit.per, limit.store, key)
    budget = _budgets.get(index)
    if budget is None:
        budget = _budgets[index] = Budget(limit, sleep=sleep)
    return budget
