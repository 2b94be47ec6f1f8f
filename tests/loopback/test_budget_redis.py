"""The rate-limit budget shared through a real Redis server: one budget for several budgets
and processes, the shared pause, cancellation, and the in-process fallback when the store goes
away and comes back."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import subprocess
import sys
import time

import pytest

from sim_client._budget import PAUSE_REASON, WaitTooLong, budget_for
from sim_client._redis_budget import RedisBudget
from sim_client.rate_limit import RateLimit
from tests.redis_server import RedisServer

pytestmark = pytest.mark.loopback


def fresh_key() -> str:
    return f"test-{secrets.token_hex(6)}"


def max_in_any_window(times: list[float], per: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + per) for start in times)


async def test_slots_are_shared_by_every_budget_of_the_store(redis_server: RedisServer) -> None:
    limit = RateLimit(5, per=1.0, store=redis_server.url)
    key = fresh_key()
    first, second = RedisBudget(limit, key), RedisBudget(limit, key)
    for budget in (first, second, first, second, first):
        assert await budget.acquire(0.0) == 0.0
    with pytest.raises(WaitTooLong) as caught:
        await second.acquire(0.1)
    assert caught.value.wait == pytest.approx(1.02, abs=0.05)
    assert caught.value.reason == "the rate limit (5 requests per 1 s)"
    assert first.shared and second.shared
    # another key is another budget
    assert await RedisBudget(limit, fresh_key()).acquire(0.0) == 0.0


async def test_a_burst_waits_for_its_slots_in_the_store(redis_server: RedisServer) -> None:
    budget = RedisBudget(RateLimit(4, per=0.5, store=redis_server.url), fresh_key())
    waits = await asyncio.gather(*(budget.acquire(5.0) for _ in range(10)))
    assert sorted(waits)[:4] == [0.0] * 4
    assert max(waits) == pytest.approx(1.02, abs=0.15)  # the third window


async def test_the_registry_gives_a_redis_budget_for_a_store(redis_server: RedisServer) -> None:
    limit = RateLimit(5, per=1.0, store=redis_server.url)
    budget = budget_for(limit, "test-registry-redis")
    assert isinstance(budget, RedisBudget)
    assert budget_for(RateLimit(5, per=1.0, store=redis_server.url), "test-registry-redis") is (
        budget
    )
    assert "<RedisBudget RateLimit(5, per=1, store='redis://127.0.0.1:" in repr(budget)


async def test_a_pause_holds_every_budget_of_the_store(redis_server: RedisServer) -> None:
    limit = RateLimit(100, per=10.0, store=redis_server.url)
    key = fresh_key()
    here, elsewhere = RedisBudget(limit, key), RedisBudget(limit, key)
    await here.pause(5.0)
    with pytest.raises(WaitTooLong) as caught:
        await elsewhere.acquire(1.0)
    assert caught.value.wait == pytest.approx(5.0, abs=0.2)
    assert caught.value.reason == PAUSE_REASON
    await here.pause(1.0)  # never shortens it
    with pytest.raises(WaitTooLong):
        await elsewhere.acquire(3.0)


async def test_a_pause_reaches_the_calls_already_waiting(redis_server: RedisServer) -> None:
    limit = RateLimit(1, per=1.0, store=redis_server.url)
    budget = RedisBudget(limit, fresh_key())
    await budget.acquire(0.0)
    waiting = asyncio.create_task(budget.acquire(3.0))
    await asyncio.sleep(0.1)
    await budget.pause(10.0)
    error = await asyncio.wait_for(asyncio.gather(waiting, return_exceptions=True), 1.0)
    assert isinstance(error[0], WaitTooLong)
    assert error[0].reason == PAUSE_REASON


async def test_cancelling_a_waiting_call_gives_its_slot_back(redis_server: RedisServer) -> None:
    limit = RateLimit(1, per=1.0, store=redis_server.url)
    budget = RedisBudget(limit, fresh_key())
    await budget.acquire(0.0)
    waiting = asyncio.create_task(budget.acquire(5.0))
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.sleep(0.1)  # the reservation is removed in the background
    # the next call gets the slot the cancelled one held, not the one after
    with pytest.raises(WaitTooLong) as caught:
        await budget.acquire(0.0)
    assert caught.value.wait < 1.02


async def test_a_store_that_goes_away_falls_back_and_comes_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = RedisServer()
    server.start()
    try:
        limit = RateLimit(3, per=2.0, store=server.url)
        key = fresh_key()
        budget = RedisBudget(limit, key, retry_every=0.3)
        assert await budget.acquire(0.0) == 0.0
        assert await budget.acquire(0.0) == 0.0
        server.stop()
        # no error: the in-process budget serves, and it counted the two slots taken so far
        assert await budget.acquire(0.0) == 0.0
        assert not budget.shared
        with pytest.raises(WaitTooLong):
            await budget.acquire(0.1)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "does not answer" in warnings[0].getMessage()
        assert server.url.rpartition("/")[0] in warnings[0].getMessage()

        server.start()
        await asyncio.sleep(0.4)
        with pytest.raises(WaitTooLong):  # back on the store, which now holds all three
            await budget.acquire(0.1)
        assert budget.shared
        infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        assert any("answers again" in message for message in infos)
        with pytest.raises(WaitTooLong):  # another process sees them too
            await RedisBudget(limit, key).acquire(0.1)
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    finally:
        server.stop()


async def test_an_unreachable_store_never_fails_a_call(caplog: pytest.LogCaptureFixture) -> None:
    limit = RateLimit(2, per=1.0, store=f"redis://:hunter2@127.0.0.1:{free_closed_port()}/0")
    budget = RedisBudget(limit, fresh_key())
    assert await budget.acquire(0.0) == 0.0
    assert await budget.acquire(0.0) == 0.0
    with pytest.raises(WaitTooLong):
        await budget.acquire(0.1)
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "redis://:***@127.0.0.1:" in warning.getMessage()
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
    assert "hunter2" not in repr(budget)


def free_closed_port() -> int:
    from tests.redis_server import free_port

    return free_port()


TWO_PROCESSES = """
import asyncio, json, sys, time
from sim_client._budget import budget_for
from sim_client.rate_limit import RateLimit

async def main():
    budget = budget_for(RateLimit(20, per=2.0, store=sys.argv[1]), sys.argv[2])
    async def one():
        await budget.acquire(60.0)
        return time.time()
    print(json.dumps(await asyncio.gather(*(one() for _ in range(30)))))

asyncio.run(main())
"""


def test_two_processes_share_one_budget(redis_server: RedisServer) -> None:
    key = fresh_key()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", TWO_PROCESSES, redis_server.url, key],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    started = time.time()
    times: list[float] = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        times += json.loads(out)
    assert len(times) == 60
    # together within 20 per 2 s: 60 slots take three windows, whoever asks
    assert max_in_any_window(times, 2.0) <= 20
    assert max(times) - min(times) >= 4.0
    assert max(times) - started < 30


async def test_a_call_waiting_when_the_store_dies_falls_back_and_gets_its_slot() -> None:
    server = RedisServer()
    server.start()
    try:
        budget = RedisBudget(RateLimit(1, per=1.0, store=server.url), fresh_key())
        await budget.acquire(0.0)
        waiting = asyncio.create_task(budget.acquire(5.0))
        await asyncio.sleep(0.2)
        server.stop()
        waited = await asyncio.wait_for(waiting, 5.0)
        # the in-process budget knew of the first slot: the second still waited its window
        assert 0.9 < waited < 2.5
        assert not budget.shared
    finally:
        server.stop()


async def test_a_waiting_flood_is_logged_once(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    budget = RedisBudget(RateLimit(5, per=1.5, store=redis_server.url), fresh_key())
    await asyncio.gather(*(budget.acquire(10.0) for _ in range(12)))
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 1
    assert infos[0].startswith("waiting ")
    assert infos[0].endswith(" s for the rate limit (5 requests per 1.5 s)")


def test_a_budget_serves_one_event_loop_after_another(redis_server: RedisServer) -> None:
    budget = RedisBudget(RateLimit(3, per=0.5, store=redis_server.url), fresh_key())

    async def burst() -> list[float]:
        return list(await asyncio.gather(*(budget.acquire(5.0) for _ in range(4))))

    assert sorted(asyncio.run(burst()))[:3] == [0.0, 0.0, 0.0]
    assert max(asyncio.run(burst())) > 0
    assert budget.shared


async def test_the_store_holds_the_budget_under_the_given_key_only(
    redis_server: RedisServer,
) -> None:
    import redis.asyncio as aioredis

    key = fresh_key()
    budget = RedisBudget(RateLimit(5, per=1.0, store=redis_server.url), key)
    await budget.acquire(0.0)
    await budget.pause(2.0)
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        names = sorted([name.decode() async for name in client.scan_iter(f"*{key}*")])
        ttls = [await client.pttl(name) for name in names]
    finally:
        await client.aclose()
    assert names == [f"sim_client:rate:{key}:5:1", f"sim_client:rate:{key}:5:1:pause"]
    assert all(0 < ttl <= 4000 for ttl in ttls)  # nothing outlives its use
