"""Rate-limit budgets: a request takes a slot before it is sent.

A :class:`Budget` grants slots so that no window of ``limit.per`` seconds holds more than
``limit.requests`` of them. Each call reserves the earliest free slot at once (after those
reserved before it, so callers are served in order of arrival), which tells it how long it
will wait before it waits: a wait longer than the caller allows fails at once, holding nothing.
A 429's ``Retry-After`` pauses the whole budget. :func:`budget_for` hands every client of a
process with the same limit, store and key (:func:`budget_key`) the same budget;
:func:`take_slot` is how a call of the pipeline waits for its slot.

:class:`LocalBudget` keeps the budget in the process; ``sim_client._redis_budget`` keeps it in
Redis for every process that uses the store.
"""

from __future__ import annotations

import abc
import asyncio
import bisect
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable

import httpx

from sim_client.errors import RateLimitError, describe_request
from sim_client.rate_limit import RateLimit

logger = logging.getLogger("sim_client")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

WINDOW_MARGIN = 0.02
"""Slots of the same window position are spaced ``per * (1 + WINDOW_MARGIN)`` apart: requests
leave at their slot time but reach the service after varying delays, and a request that
overtook an earlier one must still land in a later window."""

LOG_AFTER = 1.0
"""A wait longer than this many seconds is logged at INFO, once per episode."""

PAUSE_REASON = "a 429's Retry-After"


class WaitTooLong(Exception):
    """The wait a call would need for its slot exceeds what it may wait; nothing is held.

    Attributes:
        wait: the seconds the call would have had to wait in all.
        reason: what makes it wait, e.g. ``the rate limit (100 requests per 10 s)``.
    """

    def __init__(self, wait: float, reason: str) -> None:
        super().__init__(f"a slot is {wait:.1f} s away, for {reason}")
        self.wait = wait
        self.reason = reason


class Budget(abc.ABC):
    """The slots of one :class:`RateLimit` for one client; see the module's docstring."""

    limit: RateLimit

    @abc.abstractmethod
    async def acquire(self, max_wait: float) -> float:
        """Wait for a slot and return the seconds waited (0.0 at once when one is free).

        Raises :class:`WaitTooLong` at once, holding nothing, when the slot this call would
        get (after every call that came before it, and after a pause) is more than
        ``max_wait`` seconds away, or when a pause ordered while it waits pushes it there.
        Cancelling a waiting call gives its slot up.
        """

    @abc.abstractmethod
    async def pause(self, seconds: float) -> None:
        """Grant no slot before ``seconds`` from now (the service answered 429 with this
        ``Retry-After``); a longer pause already in force is kept."""

    def try_acquire(self) -> bool:
        """Take a slot if one is free now, without waiting for anything (False: call
        :meth:`acquire`). A shared store always needs :meth:`acquire`."""
        return False


def rate_reason(limit: RateLimit) -> str:
    """What a wait for a slot of ``limit`` is for, in words."""
    return f"the rate limit ({limit.describe()})"


def spacing(limit: RateLimit) -> float:
    """The least time between a slot and the slot ``limit.requests`` places after it."""
    return limit.per * (1 + WINDOW_MARGIN)


class _Waiter:
    """A call waiting for its slot ``at`` (None once it holds none)."""

    __slots__ = ("at", "deadline", "error", "started", "wake")

    def __init__(self, at: float, started: float, deadline: float) -> None:
        self.at: float | None = at
        self.started = started
        self.deadline = deadline
        self.wake: asyncio.Future[None] | None = None
        self.error: WaitTooLong | None = None


class LocalBudget(Budget):
    """A budget kept in this process, used from one event loop at a time.

    Holds no loop-bound object between calls, so it serves loop after loop. ``clock`` and
    ``sleep`` (monotonic seconds; an awaitable sleep) can be replaced to run in virtual time.
    """

    def __init__(
        self, limit: RateLimit, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._spacing = spacing(limit)
        self._slots: list[float] = []  # reserved slot times still in a window, sorted
        self._waiters: list[_Waiter] = []  # in order of arrival
        self._paused_until = -math.inf
        self._announced = False  # the current episode of waiting has been logged

    def __repr__(self) -> str:
        return f"<LocalBudget {self.limit!r}, {len(self._waiters)} waiting>"

    def try_acquire(self) -> bool:
        now = self._clock()
        if self._next_slot(now)[0] > now:
            return False
        self._slots.append(now)
        self._announced = False
        return True

    async def acquire(self, max_wait: float) -> float:
        if self.try_acquire():
            return 0.0
        now = self._clock()
        at, paused = self._next_slot(now)
        wait = at - now
        reason = PAUSE_REASON if paused else rate_reason(self.limit)
        if wait > max_wait:
            raise WaitTooLong(wait, reason)
        waiter = _Waiter(at, now, now + max_wait)
        self._slots.append(at)
        self._waiters.append(waiter)
        if wait > LOG_AFTER and not self._announced:
            self._announced = True
            logger.info("waiting %.1f s for %s", wait, reason)
        try:
            await self._wait(waiter)
        except BaseException:
            self._leave(waiter)
            self._replan()
            raise
        self._waiters.remove(waiter)
        return self._clock() - now

    async def pause(self, seconds: float) -> None:
        if not seconds > 0:
            return
        now = self._clock()
        until = now + seconds
        if until <= self._paused_until:
            return
        if self._paused_until <= now and seconds > LOG_AFTER:
            logger.info("the service answered 429: holding every request for %.0f s", seconds)
            self._announced = True
        self._paused_until = until
        self._replan()

    def record(self, at: float) -> None:
        """Count a slot granted elsewhere (by a shared store) at clock time ``at``."""
        bisect.insort(self._slots, at)

    def held(self) -> list[float]:
        """The slots that still count, as seconds from now (negative: granted already)."""
        now = self._clock()
        self._next_slot(now)  # forgets the stale ones
        return [at - now for at in self._slots]

    def _next_slot(self, now: float) -> tuple[float, bool]:
        """The earliest slot a new call can reserve, and whether a pause is in force."""
        slots = self._slots
        stale = bisect.bisect_right(slots, now - self._spacing)
        if stale:
            del slots[:stale]
        at = max(now, slots[-1]) if slots else now
        n = self.limit.requests
        if len(slots) >= n:
            at = max(at, slots[-n] + self._spacing)
        return max(at, self._paused_until), self._paused_until > now

    async def _wait(self, waiter: _Waiter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if waiter.error is not None:
                raise waiter.error
            assert waiter.at is not None
            remaining = waiter.at - self._clock()
            if remaining <= 0:
                return
            waiter.wake = loop.create_future()
            try:
                await nap(self._sleep, remaining, waiter.wake)
            finally:
                waiter.wake = None

    def _leave(self, waiter: _Waiter) -> None:
        """Take ``waiter`` out of the queue and give its slot up."""
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        self._release(waiter)

    def _release(self, waiter: _Waiter) -> None:
        if waiter.at is None:
            return
        slots = self._slots
        index = bisect.bisect_left(slots, waiter.at)
        if index < len(slots) and slots[index] == waiter.at:
            del slots[index]
        waiter.at = None

    def _replan(self) -> None:
        """Reserve the waiting calls' slots anew, in order of arrival (after a call gave its
        slot up, or a pause); wake each so that it waits for its new slot, or fails."""
        for waiter in self._waiters:
            self._release(waiter)
        now = self._clock()
        for waiter in list(self._waiters):
            if waiter.wake is not None and waiter.wake.get_loop().is_closed():
                self._waiters.remove(waiter)  # its loop is gone, and so is the call
                continue
            at, paused = self._next_slot(now)
            if at > waiter.deadline:
                reason = PAUSE_REASON if paused else rate_reason(self.limit)
                waiter.error = WaitTooLong(at - waiter.started, reason)
            else:
                waiter.at = at
                self._slots.append(at)
            wake_up(waiter.wake)


async def nap(sleep: Sleep, seconds: float, wake: asyncio.Future[None]) -> None:
    """``await sleep(seconds)``, cut short when ``wake`` is resolved."""
    sleeper = asyncio.ensure_future(sleep(seconds))
    try:
        await asyncio.wait((sleeper, wake), return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()


def wake_up(wake: asyncio.Future[None] | None) -> None:
    """Resolve ``wake`` unless it is done or its event loop is gone."""
    if wake is not None and not wake.done() and not wake.get_loop().is_closed():
        wake.set_result(None)


async def take_slot(
    budget: Budget, max_wait: float, request: httpx.Request, limited: RateLimitError | None
) -> float:
    """Wait for a slot of ``budget``; the seconds waited. A wait longer than ``max_wait`` is a
    :class:`RateLimitError` at once, with ``request`` not sent: the 429 ``limited`` that paused
    the budget for this call, if there is one."""
    try:
        return await budget.acquire(max(0.0, max_wait))
    except WaitTooLong as error:
        if limited is not None:
            raise not_retried(limited, error.wait, max_wait) from None
        raise RateLimitError(
            f"{describe_request(request)} not sent: it would have had to wait {error.wait:.1f} s "
            f"for {error.reason}, more than max_rate_limit_wait allows "
            f"({max(0.0, max_wait):.1f} s left)",
            retry_after=error.wait,
            response=httpx.Response(
                429, headers={"Retry-After": f"{error.wait:.0f}"}, request=request
            ),
            body=None,
        ) from None


def not_retried(error: RateLimitError, wait: float, max_wait: float) -> RateLimitError:
    """``error``, saying it is not retried: a ``wait`` seconds long is more than ``max_wait``."""
    error.args = (
        f"{error.args[0]}; not retried: it would have had to wait {wait:.1f} s for the rate "
        f"limit, more than max_rate_limit_wait allows ({max(0.0, max_wait):.1f} s left)",
    )
    return error


def budget_key(tenant_root: str, identity: str) -> str:
    """Whose budget: the tenant and the client's identity (its client id, or its static token),
    hashed, so that no secret is kept."""
    return hashlib.sha256(f"{tenant_root}\0{identity}".encode()).hexdigest()


_BUDGETS: dict[tuple[int, float, str | None, str], Budget] = {}


def budget_for(
    limit: RateLimit, key: str, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
) -> Budget:
    """The process's budget for ``limit`` and ``key`` (an opaque, secret-free client key):
    the same limit, store and key always give the same budget (made with ``clock`` and
    ``sleep`` when it is new).

    Raises ImportError, saying which extra to install, for a Redis store without ``redis``.
    """
    index = (limit.requests, limit.per, limit.store, key)
    budget = _BUDGETS.get(index)
    if budget is None:
        if limit.store is None:
            budget = LocalBudget(limit, clock=clock, sleep=sleep)
        else:
            from sim_client._redis_budget import RedisBudget

            budget = RedisBudget(limit, key, clock=clock, sleep=sleep)
        _BUDGETS[index] = budget
    return budget
