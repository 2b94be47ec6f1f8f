"""A rate-limit budget kept in Redis, shared by every process that uses the same store and key.

Each call reserves its slot with one atomic Lua script: a sorted set holds the reserved slot
times (Redis ``TIME``, so the processes' clocks need not agree), a second key the end of a
429's pause. The script finds the earliest slot after those reserved before it and after the
pause, and reserves it only when it is within the call's ``max_wait``; otherwise it tells the
wait at once. A rate-limiting library (pyrate-limiter, limits) answers only "allowed now or
not" and waits by polling: it can neither tell a call's wait in the queue nor pause the budget.

When the store does not answer, calls fall back to an in-process budget of the same limit,
which has counted this process's own slots all along (one WARNING); the store is tried again
every :data:`RETRY_STORE_EVERY` seconds, and when it answers the fallback's slots are copied
into it before it is used again (one INFO). A store fault never fails a call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import weakref
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from sim_client._budget import (
    LOG_AFTER,
    PAUSE_REASON,
    Budget,
    Clock,
    LocalBudget,
    Sleep,
    WaitTooLong,
    nap,
    rate_reason,
    spacing,
    wake_up,
)
from sim_client.rate_limit import RateLimit, redacted

logger = logging.getLogger("sim_client")

RETRY_STORE_EVERY = 5.0
"""Seconds between two tries of a store that did not answer."""
STORE_TIMEOUT = 1.0
"""Seconds a store may take to connect or answer before it counts as down."""
MAX_CONNECTIONS = 16
"""Connections to the store per event loop; more concurrent calls wait for one."""
KEY_PREFIX = "sim_client:rate"

_STORE_FAULTS = (RedisError, OSError, TimeoutError)

# KEYS: slots (sorted set: member -> slot time), pause (the pause's end).
# ARGV: requests, spacing, max_wait, member, recheck ("1": the member holds a slot; keep it
# unless a pause now covers it). Returns {status, wait, paused}: status "ok" (reserved, or
# kept) or "late" (the slot is more than max_wait away; nothing reserved).
RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local requests = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local member = ARGV[4]
local paused_until = tonumber(redis.call('GET', KEYS[2]) or '0')
local paused = '0'
if paused_until > now then paused = '1' end
if ARGV[5] == '1' then
  local held = redis.call('ZSCORE', KEYS[1], member)
  if held and tonumber(held) >= paused_until then
    return {'ok', string.format('%.6f', tonumber(held) - now), paused}
  end
  redis.call('ZREM', KEYS[1], member)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - spacing)
local at = now
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2])) end
if redis.call('ZCARD', KEYS[1]) >= requests then
  local nth = redis.call('ZRANGE', KEYS[1], -requests, -requests, 'WITHSCORES')
  at = math.max(at, tonumber(nth[2]) + spacing)
end
at = math.max(at, paused_until)
local wait = at - now
if wait > max_wait then return {'late', string.format('%.6f', wait), paused} end
redis.call('ZADD', KEYS[1], string.format('%.6f', at), member)
local ttl = math.ceil((wait + spacing) * 1000) + 1000
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return {'ok', string.format('%.6f', wait), paused}
"""

# KEYS: pause. ARGV: seconds. Moves the pause's end to now + seconds unless it is later.
PAUSE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local untill = now + tonumber(ARGV[1])
if untill > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', untill),
             'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""

# KEYS: slots. ARGV: spacing, a prefix for members, then slot times as seconds from now.
ADOPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local spacing = tonumber(ARGV[1])
local latest = 0
for i = 3, #ARGV do
  local offset = tonumber(ARGV[i])
  redis.call('ZADD', KEYS[1], string.format('%.6f', now + offset), ARGV[2] .. ':' .. i)
  latest = math.max(latest, offset)
end
local ttl = math.ceil((latest + spacing) * 1000) + 1000
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return #ARGV - 2
"""


class _Store:
    """The connection to the store for one event loop, and its scripts."""

    def __init__(self, url: str) -> None:
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=STORE_TIMEOUT,
            socket_timeout=STORE_TIMEOUT,
            socket_connect_timeout=STORE_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        self.client = aioredis.Redis(connection_pool=pool)
        self.reserve = self.client.register_script(RESERVE)
        self.pause = self.client.register_script(PAUSE)
        self.adopt = self.client.register_script(ADOPT)


class RedisBudget(Budget):
    """The budget of ``limit`` (whose ``store`` is a Redis URL) for the client ``key``.

    ``key`` names the budget in Redis: it must hold no secret. ``clock`` and ``sleep`` time the
    waits and the in-process fallback; the slots themselves are timed by the store.
    """

    def __init__(
        self,
        limit: RateLimit,
        key: str,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry_every: float = RETRY_STORE_EVERY,
    ) -> None:
        if limit.store is None:
            raise ValueError("RedisBudget needs a RateLimit with a store")
        self.limit = limit
        self._url = limit.store
        self._slots_key = f"{KEY_PREFIX}:{key}:{limit.requests}:{limit.per:g}"
        self._pause_key = f"{self._slots_key}:pause"
        self._spacing = spacing(limit)
        self._clock = clock
        self._sleep = sleep
        self._retry_every = retry_every
        self._fallback = LocalBudget(limit, clock=clock, sleep=sleep)
        self._stores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Store] = (
            weakref.WeakKeyDictionary()
        )
        self._down_until: float | None = None  # while the store is down: when to try it again
        self._wakes: set[asyncio.Future[None]] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self._announced = False
        self._waiting = 0  # calls that were told to wait and have not got their slot yet

    def __repr__(self) -> str:
        state = "shared" if self.shared else "store down, in-process"
        return f"<RedisBudget {self.limit!r}, {state}>"

    @property
    def shared(self) -> bool:
        """Whether the budget is in the store (False while the in-process fallback serves)."""
        return self._down_until is None

    async def acquire(self, max_wait: float) -> float:
        start = self._clock()
        if not self._use_store(start):
            return await self._fallback.acquire(max_wait)
        member = secrets.token_hex(8)
        recheck = False
        try:
            while True:
                elapsed = self._clock() - start
                try:
                    status, wait, paused = await self._reserve(member, max_wait - elapsed, recheck)
                except _STORE_FAULTS as exc:
                    self._store_failed(exc)
                    waited = self._clock() - start if recheck else 0.0
                    return waited + await self._fallback.acquire(max(max_wait - waited, 0.0))
                reason = PAUSE_REASON if paused else rate_reason(self.limit)
                if status != "ok":
                    raise WaitTooLong(elapsed + wait, reason)
                if wait <= 0:
                    self._fallback.record(self._clock())
                    if not recheck:
                        if not self._waiting:  # the episode of waiting is over
                            self._announced = False
                        return 0.0
                    return self._clock() - start
                if wait > LOG_AFTER and not self._announced and not recheck:
                    self._announced = True
                    logger.info("waiting %.1f s for %s", wait, reason)
                if not recheck:
                    self._waiting += 1  # until this call leaves acquire(), however it does
                recheck = True
                wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._wakes.add(wake)
                try:
                    await nap(self._sleep, wait, wake)
                except BaseException:
                    self._give_up(member)
                    raise
                finally:
                    self._wakes.discard(wake)
        finally:
            if recheck:  # this call was counted as waiting
                self._waiting -= 1

    async def pause(self, seconds: float) -> None:
        if not seconds > 0:
            return
        await self._fallback.pause(seconds)
        if self._use_store(self._clock()):
            try:
                await self._store().pause(keys=[self._pause_key], args=[f"{seconds:.6f}"])
            except _STORE_FAULTS as exc:
                self._store_failed(exc)
        for wake in list(self._wakes):
            wake_up(wake)  # each waiting call checks its slot against the pause

    def _store(self) -> _Store:
        loop = asyncio.get_running_loop()
        store = self._stores.get(loop)
        if store is None:
            store = self._stores[loop] = _Store(self._url)
        return store

    def _use_store(self, now: float) -> bool:
        """Whether to ask the store: it is up, or it is time to try it again (one call does)."""
        if self._down_until is None:
            return True
        if now < self._down_until:
            return False
        self._down_until = now + self._retry_every
        return True

    async def _reserve(
        self, member: str, max_wait: float, recheck: bool
    ) -> tuple[str, float, bool]:
        store = self._store()
        if self._down_until is not None:
            await self._adopt(store)
        answer = await store.reserve(
            keys=[self._slots_key, self._pause_key],
            args=[
                self.limit.requests,
                f"{self._spacing:.6f}",
                f"{max(max_wait, 0.0):.6f}",
                member,
                "1" if recheck else "0",
            ],
        )
        status, wait, paused = (_text(item) for item in answer)
        return status, float(wait), paused == "1"

    async def _adopt(self, store: _Store) -> None:
        """Copy the fallback's slots into the store that answers again, then use the store."""
        held = [f"{offset:.6f}" for offset in self._fallback.held()]
        await store.adopt(
            keys=[self._slots_key],
            args=[f"{self._spacing:.6f}", f"adopted:{secrets.token_hex(4)}", *held],
        )
        self._down_until = None
        logger.info("the rate-limit store %s answers again: back to the shared budget", self._name)

    def _store_failed(self, exc: BaseException) -> None:
        if self._down_until is None:
            logger.warning(
                "the rate-limit store %s does not answer (%s): using an in-process budget of "
                "%s until it does",
                self._name,
                type(exc).__name__,
                self.limit.describe(),
            )
        self._down_until = self._clock() + self._retry_every

    def _give_up(self, member: str) -> None:
        """Remove the reservation of a call that stopped waiting, in the background."""
        task = asyncio.get_running_loop().create_task(self._remove(member))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _remove(self, member: str) -> None:
        with contextlib.suppress(*_STORE_FAULTS):  # else the slot expires by itself
            await self._store().client.zrem(self._slots_key, member)

    @property
    def _name(self) -> str:
        return redacted(self._url)


def _text(item: bytes | str) -> str:
    return item.decode() if isinstance(item, bytes) else item
