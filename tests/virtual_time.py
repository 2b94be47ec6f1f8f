"""A clock and sleep that run in virtual time, for tests of code that waits.

``clock = VirtualClock()`` is a callable clock (``clock()`` -> seconds) with an awaitable
``clock.sleep``; nothing moves until the test calls ``await clock.advance(seconds)``, which wakes
every sleeper whose time has come, in order, letting the event loop run in between.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

SETTLE_ROUNDS = 20


class VirtualClock:
    """Virtual monotonic seconds, starting at ``start``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.sleeps: list[float] = []
        """Every duration passed to :meth:`sleep`, in order."""

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Return once :meth:`advance` has moved the clock ``seconds`` on."""
        self.sleeps.append(seconds)
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(seconds, 0.0), next(self._order), wake))
        await wake

    async def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` on, waking sleepers at their times along the way."""
        target = self.now + seconds
        await settle()
        while self._timers and self._timers[0][0] <= target:
            at, _, wake = heapq.heappop(self._timers)
            if wake.done():
                continue
            self.now = max(self.now, at)
            wake.set_result(None)
            await settle()
        self.now = target
        await settle()


async def settle() -> None:
    """Let every task that can run do so."""
    for _ in range(SETTLE_ROUNDS):
        await asyncio.sleep(0)
