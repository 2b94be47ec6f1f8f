"""RateLimit: what it accepts, what it refuses before any request, and its repr."""

from __future__ import annotations

import math
from typing import Any

import pytest

import sim_client
from sim_client import RateLimit


def test_the_default_is_the_services_limit_kept_in_the_process() -> None:
    limit = RateLimit(100)
    assert (limit.requests, limit.per, limit.store) == (100, 10.0, None)
    assert sim_client.RateLimit is RateLimit
    assert limit.describe() == "100 requests per 10 s"
    assert RateLimit(1, per=0.5).describe() == "1 request per 0.5 s"


def test_it_is_a_frozen_hashable_value() -> None:
    assert RateLimit(100, per=10) == RateLimit(100, per=10.0)
    assert hash(RateLimit(100, per=10)) == hash(RateLimit(100, per=10.0))
    assert isinstance(RateLimit(5, per=2).per, float)
    limit = RateLimit(5)
    with pytest.raises(AttributeError):
        limit.requests = 6  # type: ignore[misc]


@pytest.mark.parametrize(
    "store",
    [
        "redis://localhost:6379/0",
        "redis://127.0.0.1",
        "rediss://user:pw@cache.example:6380/2",
        "redis://[::1]:6379/0",
    ],
)
def test_a_redis_url_is_accepted_as_store(store: str) -> None:
    assert RateLimit(100, store=store).store == store


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((0,), {}, ValueError, "requests must be > 0"),
        ((-5,), {}, ValueError, "requests must be > 0"),
        ((1.5,), {}, TypeError, "requests must be an int, not float"),
        ((True,), {}, TypeError, "requests must be an int, not bool"),
        (("100",), {}, TypeError, "requests must be an int, not str"),
        ((100,), {"per": 0}, ValueError, "per must be a finite number of seconds > 0"),
        ((100,), {"per": -1.0}, ValueError, "per must be a finite number of seconds > 0"),
        ((100,), {"per": math.inf}, ValueError, "per must be a finite number of seconds > 0"),
        ((100,), {"per": math.nan}, ValueError, "per must be a finite number of seconds > 0"),
        ((100,), {"per": "10"}, TypeError, "per must be a number of seconds, not str"),
        ((100,), {"per": False}, TypeError, "per must be a number of seconds, not bool"),
        ((100,), {"store": 6379}, TypeError, "store must be None or a redis:// URL, not int"),
        ((100,), {"store": "http://localhost:6379"}, ValueError, "must be a redis:// or"),
        ((100,), {"store": "localhost:6379"}, ValueError, "must be a redis:// or"),
        ((100,), {"store": "redis://"}, ValueError, "store names no host"),
        ((100,), {"store": "redis://h:99999/0"}, ValueError, "store is not a valid URL"),
        ((100,), {"store": "redis://h:6379/x"}, ValueError, "database must be a number"),
    ],
)
def test_bad_arguments_are_refused_clearly(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("/", "\\/")) as caught:
        RateLimit(*args, **kwargs)
    assert type(caught.value) is error


@pytest.mark.parametrize(
    "store",
    [
        "redis://:hunter2@localhost:6379/0",
        "rediss://admin:hunter2@cache.example:6380/1",
        "redis://admin:hunter2@[::1]:6379",
    ],
)
def test_the_repr_never_shows_the_store_password(store: str) -> None:
    limit = RateLimit(10, per=1, store=store)
    assert "hunter2" not in repr(limit)
    assert "hunter2" not in str(limit)
    assert ":***@" in repr(limit)


def test_the_password_stays_out_of_a_refusal() -> None:
    with pytest.raises(ValueError, match="database") as caught:
        RateLimit(10, store="redis://:hunter2@localhost:6379/zero")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError, match="not a valid URL") as caught:
        RateLimit(10, store="redis://:hunter2@localhost:port/0")
    assert "hunter2" not in str(caught.value)


def test_the_repr_reads_like_the_call() -> None:
    assert repr(RateLimit(100)) == "RateLimit(100, per=10)"
    assert repr(RateLimit(5, per=0.5, store="redis://h:1/0")) == (
        "RateLimit(5, per=0.5, store='redis://h:1/0')"
    )
