"""Retry-After handling, which failures are retried for which method, and the back-off."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    ServerError,
    SimClient,
    _clock,
)
from sim_client._pipeline import BACKOFF_MAX, backoff, rate_limit_wait
from sim_client._status import parse_retry_after
from tests.mock_api import MockAPI, json_response

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (" 2 ", 2.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-1", None),
        ("nan", None),
        ("inf", float("inf")),  # longer than any caller will wait
        ("Mon, 99 Foo 2026 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW.timestamp()) == expected


def rate_limited(retry_after: str | None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return json_response(429, {"message": "Rate Limit Exceeded"}, headers)


@pytest.mark.parametrize(
    ("retry_after", "expected_sleep"),
    [("2", 2.0), ("0.25", 0.25), ("60", 60.0), (None, "backoff"), ("garbage", "backoff")],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_429_is_retried_for_every_method_waiting_retry_after(
    waits: list[float], method: str, retry_after: str | None, expected_sleep: float | str
) -> None:
    api = MockAPI()
    api.answer(rate_limited(retry_after))
    if method == "DELETE":
        api.default = httpx.Response(204)
    sim = api.client()
    await call(sim, method)
    assert len(api.requests) == 2
    (waited,) = waits
    if expected_sleep == "backoff":
        assert 0.375 <= waited <= 0.5
    else:
        assert waited == expected_sleep


async def test_429_with_an_http_date_waits_until_then(waits: list[float]) -> None:
    later = datetime.now(UTC) + timedelta(seconds=20)
    api = MockAPI()
    api.answer(rate_limited(format_datetime(later, usegmt=True)))
    await api.client().get_integration("abc")
    (waited,) = waits
    assert 15.0 <= waited <= 20.0


async def test_a_retry_after_above_max_rate_limit_wait_raises_at_once(waits: list[float]) -> None:
    api = MockAPI()
    api.answer(rate_limited("121"))
    with pytest.raises(RateLimitError) as raised:
        await api.client().get_integration("abc")
    assert raised.value.retry_after == 121.0
    assert len(api.requests) == 1 and waits == []


async def test_429_retries_do_not_use_up_max_retries_but_max_rate_limit_wait(
    waits: list[float],
) -> None:
    api = MockAPI(rate_limited("1"))
    with pytest.raises(RateLimitError):
        await api.client(max_retries=0, max_rate_limit_wait=3.5).create_integration({"name": "n"})
    assert len(api.requests) == 4
    assert waits == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize(
    ("method", "attempts"),
    [("GET", 3), ("PUT", 3), ("DELETE", 3), ("POST", 1), ("PATCH", 1)],
)
async def test_gateway_errors_are_retried_only_for_idempotent_methods(
    waits: list[float], status: int, method: str, attempts: int
) -> None:
    api = MockAPI(json_response(status, {"detailCode": "unavailable"}))
    with pytest.raises(ServerError):
        await call(api.client(), method)
    assert len(api.requests) == attempts
    assert len(waits) == attempts - 1


async def test_500_is_not_retried(waits: list[float]) -> None:
    api = MockAPI(json_response(500, {"detailCode": "500.0 Internal Fault"}))
    with pytest.raises(ServerError):
        await api.client().get_integration("abc")
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.RemoteProtocolError("dropped"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
    ],
)
@pytest.mark.parametrize(
    ("method", "attempts"),
    [("GET", 3), ("PUT", 3), ("DELETE", 3), ("POST", 1), ("PATCH", 1)],
)
async def test_broken_exchanges_are_retried_only_for_idempotent_methods(
    waits: list[float],
    failure: Exception,
    error_class: type[APIConnectionError],
    method: str,
    attempts: int,
) -> None:
    api = MockAPI(failure)
    with pytest.raises(error_class):
        await call(api.client(), method)
    assert len(api.requests) == attempts


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("t")])
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
async def test_connections_that_never_opened_are_retried_for_every_method(
    waits: list[float], failure: Exception, method: str
) -> None:
    api = MockAPI()
    api.answer(failure)
    await call(api.client(), method)
    assert len(api.requests) == 2 and len(waits) == 1


async def test_max_retries_zero_turns_retries_off(waits: list[float]) -> None:
    api = MockAPI(json_response(503, {}))
    with pytest.raises(ServerError):
        await api.client(max_retries=0).get_integration("abc")
    assert len(api.requests) == 1 and waits == []


async def test_backoff_is_exponential_capped_and_jittered(waits: list[float]) -> None:
    api = MockAPI(json_response(503, {}))
    with pytest.raises(ServerError):
        await api.client(max_retries=7).get_integration("abc")
    assert len(waits) == 7
    for attempt, waited in enumerate(waits, start=1):
        ceiling = min(BACKOFF_MAX, 0.5 * 2 ** (attempt - 1))
        assert 0.75 * ceiling <= waited <= ceiling
    assert max(waits) <= BACKOFF_MAX
    assert len(set(waits)) > 1


def test_jitter_differs_between_draws() -> None:
    rng = random.Random(7)
    draws = {backoff(3, rng) for _ in range(20)}
    assert len(draws) > 10 and all(1.5 <= d <= 2.0 for d in draws)


async def test_a_scheduled_retry_logs_a_warning(
    waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    api = MockAPI()
    api.answer(rate_limited("2"))
    with caplog.at_level(logging.INFO, logger="sim_client"):
        await api.client(rate_limit=None).get_integration("abc")
    (record,) = [r for r in caplog.records if r.name == "sim_client" and r.levelno >= logging.INFO]
    assert record.levelno == logging.INFO
    assert "GET /beta/sim-integrations/abc" in record.getMessage()
    assert "429" in record.getMessage() and "2.0 s" in record.getMessage()


async def call(sim: SimClient, method: str) -> None:
    """One call of ``sim`` that uses ``method``."""
    if method == "GET":
        await sim.get_integration("abc")
    elif method == "POST":
        await sim.create_integration({"name": "n"})
    elif method == "PUT":
        await sim.update_integration("abc", {"name": "n"})
    elif method == "PATCH":
        await sim.patch_integration("abc", [{"op": "remove", "path": "/cluster"}])
    else:
        await sim.delete_integration("abc")


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_pool_timeout_counts_as_nothing_sent(waits: list[float], method: str) -> None:
    api = MockAPI()
    api.answer(httpx.PoolTimeout("no free connection"))
    await call(api.client(), method)
    assert len(api.requests) == 2 and len(waits) == 1


class Fixed(random.Random):
    """A random source that always draws ``value``."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_backoff_is_capped_at_8_seconds() -> None:
    assert [backoff(attempt, Fixed(0.0)) for attempt in range(1, 8)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
        8.0,
    ]


def test_jitter_takes_off_at_most_a_quarter() -> None:
    assert backoff(1, Fixed(1.0)) == 0.375
    assert backoff(9, Fixed(1.0)) == 6.0


async def test_the_warning_names_the_attempts_and_the_error_class(
    waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    api = MockAPI(httpx.ReadError("reset"))
    with caplog.at_level(logging.WARNING, logger="sim_client"), pytest.raises(APIConnectionError):
        await api.client(max_retries=2).get_integration("abc")
    messages = [r.getMessage() for r in caplog.records if r.name == "sim_client"]
    assert [m.split(" in ")[0] for m in messages] == ["retrying GET /beta/sim-integrations/abc"] * 2
    assert [m.split(" s ")[1] for m in messages] == [
        "(attempt 2 of 3) after APIConnectionError",
        "(attempt 3 of 3) after APIConnectionError",
    ]


async def test_the_wait_between_attempts_really_waits() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _clock.sleep(0.02)
    assert loop.time() - started >= 0.02


def test_a_429_in_a_row_is_held_at_least_one_back_off_step() -> None:
    no_jitter = Fixed(0.0)
    refused = httpx.Response(429, request=httpx.Request("GET", "https://acme.example/beta"))
    now = RateLimitError("429", retry_after=0.0, response=refused, body=None)
    assert rate_limit_wait(now, 1, no_jitter) == 0.0
    assert rate_limit_wait(now, 2, no_jitter) == 0.5
    assert rate_limit_wait(now, 3, no_jitter) == 1.0
    later = RateLimitError("429", retry_after=5.0, response=refused, body=None)
    assert rate_limit_wait(later, 3, no_jitter) == 5.0
