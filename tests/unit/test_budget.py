"""The in-process rate-limit budget, in virtual time: slots, order, fail-fast, cancellation,
the shared pause after a 429, logging, and the process-wide registry."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim_client._budget import (
    PAUSE_REASON,
    LocalBudget,
    WaitTooLong,
    budget_for,
    spacing,
)
from sim_client.rate_limit import RateLimit
from tests.virtual_time import VirtualClock, settle


def local(limit: RateLimit, clock: VirtualClock) -> LocalBudget:
    return LocalBudget(limit, clock=clock, sleep=clock.sleep)


def max_in_any_window(times: list[float], per: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + per) for start in times)


async def granted_times(
    budget: LocalBudget, clock: VirtualClock, calls: int, *, max_wait: float = 1e9
) -> list[asyncio.Task[float]]:
    """Start ``calls`` concurrent acquires; each task's result is the virtual time it got
    its slot."""

    async def one() -> float:
        await budget.acquire(max_wait)
        return clock()

    tasks = [asyncio.create_task(one()) for _ in range(calls)]
    await settle()
    return tasks


async def test_a_free_slot_is_granted_at_once_without_sleeping() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(5, per=10.0), clock)
    for _ in range(5):
        assert await budget.acquire(0.0) == 0.0
    assert clock.sleeps == []


async def test_a_burst_spreads_over_windows_and_no_window_holds_more_than_the_limit() -> None:
    clock = VirtualClock()
    limit = RateLimit(5, per=10.0)
    budget = local(limit, clock)
    start = clock()
    tasks = await granted_times(budget, clock, 23)
    await clock.advance(60)
    times = [task.result() for task in tasks]
    assert max_in_any_window(times, limit.per) == 5
    # in order of arrival, five per window, each window as early as the limit allows
    step = spacing(limit)
    assert times == pytest.approx([start + step * (i // 5) for i in range(23)])
    assert step == pytest.approx(10.2)


async def test_acquire_returns_the_seconds_waited() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(1, per=10.0), clock)
    await budget.acquire(60)
    await clock.advance(4)
    task = asyncio.create_task(budget.acquire(60))
    await clock.advance(30)
    assert task.result() == pytest.approx(spacing(budget.limit) - 4)


async def test_a_wait_longer_than_allowed_fails_at_once_and_holds_nothing() -> None:
    clock = VirtualClock()
    limit = RateLimit(2, per=10.0)
    budget = local(limit, clock)
    await budget.acquire(0)
    await budget.acquire(0)
    with pytest.raises(WaitTooLong) as caught:
        await budget.acquire(5.0)
    assert caught.value.wait == pytest.approx(10.2)
    assert caught.value.reason == "the rate limit (2 requests per 10 s)"
    assert "10.2 s" in str(caught.value)
    assert clock.sleeps == []
    # the refused call took no slot: the next one gets the first slot of the next window
    task = asyncio.create_task(budget.acquire(20.0))
    await clock.advance(11)
    assert task.result() == pytest.approx(10.2)


async def test_the_wait_counts_the_calls_queued_before() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(1, per=10.0), clock)
    await budget.acquire(0)
    second = asyncio.create_task(budget.acquire(15.0))
    await settle()
    with pytest.raises(WaitTooLong) as caught:
        await budget.acquire(15.0)  # its slot is behind the second's: 20.4 s away
    assert caught.value.wait == pytest.approx(20.4)
    await clock.advance(11)
    assert second.done()


async def test_cancelling_a_waiting_call_frees_its_place_for_those_behind() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(1, per=10.0), clock)
    start = clock()
    await budget.acquire(0)
    second, third = await granted_times(budget, clock, 2)
    second.cancel()
    await settle()
    assert second.cancelled()
    await clock.advance(11)
    assert third.result() == pytest.approx(start + 10.2)  # moved up into the freed slot
    # and the cancelled call holds nothing: a new one waits one window, not two
    fourth = asyncio.create_task(budget.acquire(60))
    await clock.advance(30)
    assert fourth.result() == pytest.approx(start + 20.4 - (start + 11))


async def test_cancelling_every_waiting_call_leaves_the_budget_as_before() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(2, per=10.0), clock)
    await budget.acquire(0)
    await budget.acquire(0)
    tasks = await granted_times(budget, clock, 50)
    for task in tasks:
        task.cancel()
    await settle()
    with pytest.raises(WaitTooLong) as caught:
        await budget.acquire(1.0)
    assert caught.value.wait == pytest.approx(10.2)


async def test_a_pause_holds_every_new_call_until_it_ends() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(100, per=10.0), clock)
    start = clock()
    await budget.pause(30)
    with pytest.raises(WaitTooLong) as caught:
        await budget.acquire(10.0)
    assert caught.value.wait == pytest.approx(30)
    assert caught.value.reason == PAUSE_REASON
    tasks = await granted_times(budget, clock, 3, max_wait=60)
    await clock.advance(29)
    assert not any(task.done() for task in tasks)
    await clock.advance(2)
    assert [task.result() for task in tasks] == [start + 30] * 3


async def test_a_shorter_pause_never_shortens_a_longer_one() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(100, per=10.0), clock)
    await budget.pause(30)
    await budget.pause(5)
    await budget.pause(0)
    with pytest.raises(WaitTooLong) as caught:
        await budget.acquire(20)
    assert caught.value.wait == pytest.approx(30)


async def test_a_pause_moves_waiting_calls_and_fails_those_it_pushes_past_their_limit() -> None:
    clock = VirtualClock()
    budget = local(RateLimit(1, per=10.0), clock)
    start = clock()
    await budget.acquire(0)
    patient = asyncio.create_task(budget.acquire(60.0))
    hasty = asyncio.create_task(budget.acquire(25.0))  # its slot: 20.4 s away
    await settle()
    await budget.pause(30)
    await settle()
    # the pause pushes the hasty call's slot past its 25 s: it fails at once
    assert hasty.done()
    error = hasty.exception()
    assert isinstance(error, WaitTooLong)
    assert error.reason == PAUSE_REASON
    assert error.wait > 25
    assert not patient.done()
    await clock.advance(31)
    assert patient.result() == pytest.approx(30)
    assert clock() - start == pytest.approx(31)


async def test_a_waiting_flood_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    clock = VirtualClock()
    budget = local(RateLimit(5, per=10.0), clock)
    tasks = await granted_times(budget, clock, 40)
    await clock.advance(100)
    assert all(task.done() for task in tasks)
    infos = [r for r in caplog.records if r.name == "sim_client" and r.levelno == logging.INFO]
    assert [r.getMessage() for r in infos] == [
        "waiting 10.2 s for the rate limit (5 requests per 10 s)"
    ]


async def test_a_pause_is_logged_once_however_many_calls_report_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = VirtualClock()
    budget = local(RateLimit(100, per=10.0), clock)
    for _ in range(5):
        await budget.pause(6)
        clock.now += 0.01
    tasks = await granted_times(budget, clock, 10)
    await clock.advance(10)
    assert all(task.done() for task in tasks)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert infos == ["the service answered 429: holding every request for 6 s"]


async def test_a_short_wait_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    clock = VirtualClock()
    budget = local(RateLimit(1, per=0.5), clock)
    tasks = await granted_times(budget, clock, 2)
    await clock.advance(1)
    assert all(task.done() for task in tasks)
    assert not [r for r in caplog.records if r.levelno == logging.INFO]


def test_a_budget_serves_one_event_loop_after_another() -> None:
    budget = LocalBudget(RateLimit(3, per=0.2))

    async def burst() -> list[float]:
        return list(await asyncio.gather(*(budget.acquire(5) for _ in range(5))))

    first = asyncio.run(burst())
    second = asyncio.run(burst())
    assert first[:3] == [0.0, 0.0, 0.0]
    assert all(wait > 0 for wait in first[3:])
    assert max(second) > 0  # the earlier loop's slots still count


def test_the_same_limit_and_key_give_the_same_budget() -> None:
    limit = RateLimit(100, per=10.0)
    budget = budget_for(limit, "test-registry-a")
    assert budget_for(RateLimit(100, per=10), "test-registry-a") is budget
    assert budget_for(limit, "test-registry-b") is not budget
    assert budget_for(RateLimit(50, per=10.0), "test-registry-a") is not budget
    assert budget_for(RateLimit(100, per=5.0), "test-registry-a") is not budget
    assert isinstance(budget, LocalBudget)
    assert budget.limit == limit


def test_the_budget_repr_is_short() -> None:
    assert repr(LocalBudget(RateLimit(3))) == "<LocalBudget RateLimit(3, per=10), 0 waiting>"


Step = tuple[str, float]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("arrive"), st.integers(1, 8).map(float)),
        st.tuples(st.just("advance"), st.floats(0.0, 15.0)),
        st.tuples(st.just("cancel"), st.integers(0, 40).map(float)),
        st.tuples(st.just("pause"), st.floats(0.0, 20.0)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(requests=st.integers(1, 5), per=st.sampled_from([1.0, 10.0]), script=steps)
def test_no_window_ever_holds_more_than_the_limit(
    requests: int, per: float, script: list[Step]
) -> None:
    """Whatever arrives, is cancelled or paused: granted slots respect the limit, come in
    order of arrival, and none is granted during a pause."""

    async def run() -> None:
        clock = VirtualClock()
        budget = local(RateLimit(requests, per=per), clock)
        granted: list[tuple[int, float]] = []
        pauses: list[tuple[float, float]] = []
        tasks: list[asyncio.Task[None]] = []

        async def call(number: int) -> None:
            with contextlib.suppress(WaitTooLong):
                await budget.acquire(30.0)
                granted.append((number, clock()))

        for kind, value in script:
            if kind == "arrive":
                for _ in range(int(value)):
                    tasks.append(asyncio.create_task(call(len(tasks))))
                await settle()
            elif kind == "advance":
                await clock.advance(value)
            elif kind == "cancel" and tasks:
                tasks[int(value) % len(tasks)].cancel()
                await settle()
            elif kind == "pause":
                await budget.pause(value)
                pauses.append((clock(), clock() + value))
        await clock.advance(1000)
        assert all(task.done() for task in tasks)
        times = [at for _, at in granted]
        assert times == sorted(times)
        # Slots follow the order of arrival (calls given the same instant may wake in any order).
        by_slot = [number for number, _ in sorted(granted, key=lambda g: (g[1], g[0]))]
        assert by_slot == sorted(by_slot)
        for index in range(len(times) - requests):
            assert times[index + requests] - times[index] >= per - 1e-9
        for start, end in pauses:
            assert not any(start < at < end - 1e-9 for at in times)

    asyncio.run(run())
