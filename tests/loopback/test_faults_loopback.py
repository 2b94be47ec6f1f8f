"""SimClient against the fake over a real loopback socket, with the faults a network produces.

Every test talks HTTP over 127.0.0.1 to ``FakeSimServer.serve()``, once on httpx's own
transport and once on ``AiohttpTransport``, and must pass alike on both. After each one, the
``served`` fixture closes the clients it made and checks that no connection to the server is
left open: the client's pool is empty and the kernel's TCP table shows no socket to the port
still holding a connection.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    APITimeoutError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    SimClient,
    SimIntegration,
    _clock,
)
from sim_client.testing import FakeSimServer
from tests.loopback_helpers import (
    RecordingProxy,
    close_and_check,
    environment_transport,
    make_transport,
    no_proxies,
    open_connections,
    own_transport,
    pooled_connections,
    port_of,
    proxy_free_environment,
)

pytestmark = pytest.mark.loopback

API = "/beta/sim-integrations"
Log = list[tuple[str, str, int | None]]
Result = SimIntegration | list[SimIntegration] | None


@dataclass
class Served:
    """The fake served on a loopback port, and the clients a test made for it."""

    fake: FakeSimServer
    base_url: str
    port: int
    transport_name: str
    clients: list[SimClient] = field(default_factory=list)

    def client(self, **options: Any) -> SimClient:
        """A SimClient on the server's URL with its static token and the test's transport;
        closed after the test."""
        options.setdefault("token", self.fake.token)
        options.setdefault("timeout", 10.0)
        options.setdefault("transport", make_transport(self.transport_name))
        sim = SimClient(self.base_url, **options)
        self.clients.append(sim)
        return sim

    def log(self) -> Log:
        """Method, path and status of every request the server received."""
        return [(r.method, r.path, r.status) for r in self.fake.requests]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    no_proxies(monkeypatch)


@pytest.fixture
def fake() -> FakeSimServer:
    return FakeSimServer()


@pytest.fixture
async def served(fake: FakeSimServer, transport_name: str) -> AsyncIterator[Served]:
    async with fake.serve() as base_url:
        served = Served(fake, base_url, port_of(base_url), transport_name)
        yield served
        await close_and_check(served.clients, served.port)


@pytest.fixture
def real_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records each wait between attempts, and really waits."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        # To the millisecond: a wait for a rate-limit pause is measured on the real clock,
        # a few microseconds after the pause began.
        recorded.append(round(seconds, 3))
        await asyncio.sleep(seconds)

    monkeypatch.setattr(_clock, "sleep", record)
    return recorded


def item(integration_id: str) -> str:
    return f"{API}/{integration_id}"


def names(fake: FakeSimServer) -> list[str]:
    return [i["name"] for i in fake.integrations.values()]


# One call per operation, on the integration ``target``; returns the call and its request.
Operation = Callable[[SimClient, str], Awaitable[Result]]

OPERATIONS: dict[str, tuple[str, Callable[[str], str], Operation]] = {
    "list": ("GET", lambda _: API, lambda sim, _: sim.list_integrations()),
    "get": ("GET", item, lambda sim, target: sim.get_integration(target)),
    "create": ("POST", lambda _: API, lambda sim, _: sim.create_integration({"name": "new"})),
    "update": (
        "PUT",
        item,
        lambda sim, target: sim.update_integration(
            target, {"name": "seeded", "description": "updated"}
        ),
    ),
    "patch": (
        "PATCH",
        item,
        lambda sim, target: sim.patch_integration(
            target, [{"op": "replace", "path": "/description", "value": "patched"}]
        ),
    ),
    "patch_rule": (
        "PATCH",
        lambda target: f"{item(target)}/beforeProvisioningRule",
        lambda sim, target: sim.patch_before_provisioning_rule(
            target, [{"op": "add", "path": "/name", "value": "rule"}]
        ),
    ),
    "delete": ("DELETE", item, lambda sim, target: sim.delete_integration(target)),
}
NORMAL_STATUS = {"DELETE": 204}


def operation(
    served: Served, name: str
) -> tuple[str, str, Callable[[SimClient], Awaitable[Result]]]:
    """Seed an integration; return the method, path and call of operation ``name`` on it."""
    seeded = served.fake.add_integration({"name": "seeded", "description": "seed"})
    method, path, call = OPERATIONS[name]

    def bound(sim: SimClient) -> Awaitable[Result]:
        return call(sim, seeded["id"])

    return method, path(seeded["id"]), bound


def check_effect(fake: FakeSimServer, name: str) -> None:
    """The state after operation ``name`` was carried out once (or repeated, if idempotent)."""
    [*stored] = fake.integrations.values()
    expected = {
        "list": ["seed"],
        "get": ["seed"],
        "update": ["updated"],
        "patch": ["patched"],
        "delete": [],
    }[name]
    assert [i["description"] for i in stored] == expected


def check_unchanged(fake: FakeSimServer) -> None:
    [stored] = fake.integrations.values()
    assert (stored["name"], stored["description"]) == ("seeded", "seed")
    assert "beforeProvisioningRule" not in stored


# --- the checks themselves ---


async def test_the_connection_check_sees_a_kept_alive_connection(served: Served) -> None:
    sim = served.client()
    assert await sim.list_integrations() == []
    assert pooled_connections(sim) == 1
    before = open_connections(served.port)
    if before is not None:
        assert len(before) == 2, before  # the client's end and the server's end
        assert all(entry.endswith("ESTABLISHED") for entry in before)
    await close_and_check([sim], served.port)
    assert open_connections(served.port) in ([], None)


# --- 429 and Retry-After ---


async def test_retry_after_in_seconds_is_waited_for(
    served: Served, real_waits: list[float]
) -> None:
    served.fake.fail(429, method="GET", path=API, retry_after="1")
    sim = served.client()
    started = time.monotonic()
    assert await sim.list_integrations() == []
    elapsed = time.monotonic() - started
    assert real_waits == [1.0]
    assert 0.9 <= elapsed < 10
    assert served.log() == [("GET", API, 429), ("GET", API, 200)]


async def test_retry_after_as_an_http_date_is_waited_for(
    served: Served, real_waits: list[float]
) -> None:
    # An HTTP-date has whole seconds, so "now + 2 s" is between 1 and 2 seconds away.
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    served.fake.fail(429, method="POST", path=API, retry_after=when)
    sim = served.client()
    started = time.monotonic()
    created = await sim.create_integration({"name": "dated"})
    elapsed = time.monotonic() - started
    [wait] = real_waits
    assert 0.5 < wait <= 2.0
    assert wait - 0.1 <= elapsed < 10
    assert served.log() == [("POST", API, 429), ("POST", API, 200)]
    assert list(served.fake.integrations) == [created.id]


@pytest.mark.parametrize("name", ["create", "patch", "patch_rule", "delete", "update"])
async def test_a_queued_429_is_retried_for_every_method(
    served: Served, waits: list[float], name: str
) -> None:
    method, path, call = operation(served, name)
    served.fake.fail(429, method=method, path=path, retry_after="0")
    sim = served.client()
    await call(sim)
    assert sum(waits) == 0.0  # Retry-After: 0, the first 429 in a row: again at once
    assert served.log() == [(method, path, 429), (method, path, NORMAL_STATUS.get(method, 200))]
    if name == "create":
        assert names(served.fake) == ["seeded", "new"]  # created once
    elif name == "patch_rule":
        [stored] = served.fake.integrations.values()
        assert stored["beforeProvisioningRule"] == {"name": "rule"}
    else:
        check_effect(served.fake, name)


async def test_a_retry_after_over_max_rate_limit_wait_is_raised_at_once(
    served: Served, waits: list[float]
) -> None:
    served.fake.fail(429, method="GET", path=API, retry_after="121")
    sim = served.client()
    with pytest.raises(RateLimitError) as raised:
        await sim.list_integrations()
    assert raised.value.retry_after == 121.0
    assert raised.value.status_code == 429
    assert waits == []
    assert served.log() == [("GET", API, 429)]


# --- 5xx bursts ---


@pytest.mark.parametrize("name", ["list", "get", "update", "delete"])
async def test_a_503_burst_is_ridden_out_by_idempotent_calls(
    served: Served, waits: list[float], name: str
) -> None:
    method, path, call = operation(served, name)
    served.fake.fail(503, times=2, method=method, path=path)
    sim = served.client()
    await call(sim)
    normal = NORMAL_STATUS.get(method, 200)
    assert served.log() == [(method, path, 503), (method, path, 503), (method, path, normal)]
    # exponential back-off from 0.5 s with up to 25 % jitter taken off
    assert len(waits) == 2
    assert 0.375 <= waits[0] <= 0.5
    assert 0.75 <= waits[1] <= 1.0
    check_effect(served.fake, name)


async def test_a_503_burst_longer_than_the_retry_budget_is_raised(
    served: Served, waits: list[float]
) -> None:
    served.fake.fail(503, times=3, method="GET", path=API)
    sim = served.client(max_retries=2)
    with pytest.raises(ServerError) as raised:
        await sim.list_integrations()
    assert raised.value.status_code == 503
    assert raised.value.detail_code == "503 Service Unavailable"
    assert served.log() == [("GET", API, 503)] * 3
    assert len(waits) == 2
    assert served.fake.pending_faults == 0


@pytest.mark.parametrize("name", ["create", "patch", "patch_rule"])
async def test_a_503_on_a_post_or_patch_is_raised_at_once(
    served: Served, waits: list[float], name: str
) -> None:
    method, path, call = operation(served, name)
    served.fake.fail(503, method=method, path=path)
    sim = served.client()
    with pytest.raises(ServerError) as raised:
        await call(sim)
    assert raised.value.status_code == 503
    assert waits == []
    assert served.log() == [(method, path, 503)]
    check_unchanged(served.fake)


# --- connections dropped before the answer ---


@pytest.mark.parametrize("handled", [False, True], ids=["before-handling", "after-handling"])
@pytest.mark.parametrize("name", ["list", "get", "update"])
async def test_a_dropped_connection_is_retried_for_idempotent_calls(
    served: Served, waits: list[float], name: str, handled: bool
) -> None:
    method, path, call = operation(served, name)
    served.fake.drop(method=method, path=path, handled=handled)
    sim = served.client()
    await call(sim)
    assert served.log() == [(method, path, None), (method, path, 200)]
    assert len(waits) == 1
    check_effect(served.fake, name)


async def test_a_delete_dropped_before_handling_is_retried(
    served: Served, waits: list[float]
) -> None:
    method, path, call = operation(served, "delete")
    served.fake.drop(method=method, path=path)
    sim = served.client()
    assert await call(sim) is None
    assert served.log() == [(method, path, None), (method, path, 204)]
    assert len(waits) == 1
    assert served.fake.integrations == {}


async def test_a_delete_whose_answer_is_lost_reports_not_found_on_the_replay(
    served: Served, waits: list[float]
) -> None:
    # DELETE is retried after a broken connection; if the first one took effect, the
    # replay finds nothing and the caller gets NotFoundError although the delete succeeded.
    method, path, call = operation(served, "delete")
    served.fake.drop(method=method, path=path, handled=True)
    sim = served.client()
    with pytest.raises(NotFoundError):
        await call(sim)
    assert served.log() == [(method, path, None), (method, path, 404)]
    assert len(waits) == 1
    assert served.fake.integrations == {}


@pytest.mark.parametrize("handled", [False, True], ids=["before-handling", "after-handling"])
async def test_a_post_whose_connection_drops_is_not_replayed(
    served: Served, waits: list[float], handled: bool
) -> None:
    served.fake.drop(method="POST", path=API, handled=handled)
    sim = served.client()
    with pytest.raises(APIConnectionError) as raised:
        await sim.create_integration({"name": "once"})
    assert not isinstance(raised.value, APITimeoutError)
    assert isinstance(raised.value.__cause__, httpx.HTTPError)
    assert waits == []
    [post] = served.fake.requests
    assert (post.method, post.path, post.status, post.body) == ("POST", API, None, {"name": "once"})
    assert names(served.fake) == (["once"] if handled else [])


@pytest.mark.parametrize("name", ["patch", "patch_rule"])
async def test_a_patch_whose_answer_is_lost_is_not_replayed(
    served: Served, waits: list[float], name: str
) -> None:
    method, path, call = operation(served, name)
    served.fake.drop(method=method, path=path, handled=True)
    sim = served.client()
    with pytest.raises(APIConnectionError):
        await call(sim)
    assert waits == []
    assert served.log() == [(method, path, None)]
    [stored] = served.fake.integrations.values()
    if name == "patch":
        assert stored["description"] == "patched"
    else:
        assert stored["beforeProvisioningRule"] == {"name": "rule"}


async def test_a_connection_that_cannot_be_opened_is_retried_even_for_post(
    waits: list[float], transport_name: str
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    # Nothing listens on ``port`` now: every attempt is refused.
    transport = make_transport(transport_name)
    url = f"http://127.0.0.1:{port}"
    async with SimClient(url, token="t", timeout=5.0, transport=transport) as sim:
        with pytest.raises(APIConnectionError) as raised:
            await sim.create_integration({"name": "x"})
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(waits) == 2
    assert open_connections(port) in ([], None)


# --- no re-send but ours, and the pool ---


async def test_a_get_whose_connection_keeps_dropping_is_sent_once_per_attempt(
    served: Served, waits: list[float]
) -> None:
    # The connection is kept alive from a first call: the case in which a transport may
    # re-send an idempotent request on its own.
    sim = served.client(max_retries=2)
    assert await sim.list_integrations() == []
    served.fake.drop(times=3, method="GET", path=API)
    with pytest.raises(APIConnectionError) as raised:
        await sim.list_integrations()
    assert not isinstance(raised.value, APITimeoutError)
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError | httpx.ReadError)
    assert served.log() == [("GET", API, 200)] + [("GET", API, None)] * 3
    assert len(waits) == 2
    assert 0.375 <= waits[0] <= 0.5
    assert 0.75 <= waits[1] <= 1.0


async def test_a_post_on_a_kept_alive_connection_that_drops_is_sent_once(
    served: Served, waits: list[float]
) -> None:
    sim = served.client(max_retries=2)
    assert await sim.list_integrations() == []
    served.fake.drop(method="POST", path=API)
    with pytest.raises(APIConnectionError):
        await sim.create_integration({"name": "once"})
    assert waits == []
    assert served.log() == [("GET", API, 200), ("POST", API, None)]


async def test_a_wait_for_a_pooled_connection_is_a_pool_timeout_and_is_retried(
    served: Served, waits: list[float]
) -> None:
    # One connection, held by a slow GET: a POST waits for it past the pool timeout, twice.
    # Nothing was sent, so the POST is tried again although it is a POST.
    served.fake.delay(1.5, method="GET", path=API)
    sim = served.client(
        timeout=httpx.Timeout(5.0, pool=0.2),
        transport=make_transport(served.transport_name, httpx.Limits(max_connections=1)),
        max_retries=1,
    )
    slow = asyncio.create_task(sim.list_integrations())
    for _ in range(500):
        if served.fake.requests:
            break
        await asyncio.sleep(0.01)
    with pytest.raises(APITimeoutError) as raised:
        await sim.create_integration({"name": "queued"})
    assert isinstance(raised.value.__cause__, httpx.PoolTimeout)
    if served.transport_name == "aiohttp":  # httpcore's says nothing
        assert str(raised.value.__cause__) == "no connection became free in time"
    assert len(waits) == 1
    assert await slow == []
    assert served.log() == [("GET", API, 200)]


async def test_callers_beyond_the_pool_are_served_in_turn(served: Served) -> None:
    # 256 callers over 8 connections, three calls each: no call fails. On the aiohttp
    # transport, whose limiter is first come first served, every caller's first request also
    # reaches the server before any caller's third: aiohttp's own pool lets callers starve
    # while others go round again. (httpx's pool may offer a connection to a later request
    # before the one it was given to has used it, so its order is looser; none starves.)
    callers, rounds, size = 256, 3, 8
    ids = [served.fake.add_integration({"name": f"n{i}"})["id"] for i in range(callers)]
    sim = served.client(
        transport=make_transport(served.transport_name, httpx.Limits(max_connections=size))
    )

    async def caller(integration_id: str) -> None:
        for _ in range(rounds):
            assert (await sim.get_integration(integration_id)).id == integration_id

    await asyncio.gather(*(caller(i) for i in ids))
    log = served.log()
    assert len(log) == callers * rounds
    assert {status for _, _, status in log} == {200}
    position: dict[str, list[int]] = {}
    for index, (_, path, _) in enumerate(log):
        position.setdefault(path, []).append(index)
    last_first = max(seen[0] for seen in position.values())
    first_third = min(seen[2] for seen in position.values())
    assert served.transport_name == "httpx" or last_first < first_third


# --- malformed 2xx answers ---

MALFORMED_BODIES = {
    "truncated-json": b'{"id": "0123", "name": "cut", "descr',
    "invalid-json": b"<html><body>Service temporarily degraded</body></html>",
    "empty": b"",
}


VALID = {"id": "0123", "name": "n", "description": "", "type": "t", "attributes": {}}
WRONG_TYPES: dict[str, Any] = {
    "id-is-a-number": {**VALID, "id": 5},
    "name-is-a-list": {**VALID, "name": ["n"]},
    "attributes-is-a-string": {**VALID, "attributes": "a=b"},
    "created-is-not-a-date": {**VALID, "created": "yesterday"},
    "name-is-missing": {k: v for k, v in VALID.items() if k != "name"},
    "not-an-object": ["0123"],
}
# Bodies that are not JSON, and JSON of the wrong shape, both as the bytes the server sends.
BAD_2XX_BODIES = {
    **MALFORMED_BODIES,
    **{kind: json.dumps(body).encode() for kind, body in WRONG_TYPES.items()},
}
# Every malformed body for one read and one write, every wrong shape for a read; one body each
# for the other operations.
BAD_2XX_CASES = [
    *((name, kind) for name in ("get", "create") for kind in MALFORMED_BODIES),
    ("list", "truncated-json"),
    ("update", "invalid-json"),
    ("patch", "empty"),
    ("patch_rule", "truncated-json"),
    *(("get", kind) for kind in WRONG_TYPES),
    ("create", "id-is-a-number"),
    ("update", "attributes-is-a-string"),
    ("patch", "name-is-missing"),
]


@pytest.mark.parametrize(("name", "kind"), BAD_2XX_CASES)
async def test_a_2xx_body_that_does_not_fit_is_a_decode_error(
    served: Served, waits: list[float], name: str, kind: str
) -> None:
    body = BAD_2XX_BODIES[kind]
    method, path, call = operation(served, name)
    served.fake.fail(200, method=method, path=path, body=body)
    # The tolerant reader accepts the drifted ones (see below); strict reading refuses them all.
    sim = served.client(strict=True)
    with pytest.raises(ResponseDecodeError) as raised:
        await call(sim)
    assert raised.value.status_code == 200
    assert raised.value.body == body.decode()
    assert raised.value.method == method
    assert waits == []
    assert served.log() == [(method, path, 200)]
    check_unchanged(served.fake)


TOLERATED = ("name-is-a-list", "attributes-is-a-string", "created-is-not-a-date", "name-is-missing")


@pytest.mark.parametrize("kind", TOLERATED)
async def test_a_2xx_body_that_drifts_is_read_tolerantly_over_a_socket(
    served: Served, waits: list[float], kind: str
) -> None:
    served.fake.fail(200, method="GET", path=API, body=json.dumps([VALID, WRONG_TYPES[kind]]))
    sim = served.client(strict=False)
    integrations = await sim.list_integrations()
    assert [item.to_dict() for item in integrations] == [VALID, WRONG_TYPES[kind]]
    assert waits == []


@pytest.mark.parametrize(
    "body",
    [{"items": []}, [VALID, {**VALID, "id": 5}], [VALID, None]],
    ids=["not-a-list", "one-item-wrong", "one-item-null"],
)
async def test_a_list_body_that_does_not_fit_is_a_decode_error(
    served: Served, waits: list[float], body: Any
) -> None:
    served.fake.fail(200, method="GET", path=API, body=body)
    sim = served.client()
    with pytest.raises(ResponseDecodeError) as raised:
        await sim.list_integrations()
    assert json.loads(raised.value.body) == body
    assert waits == []


async def test_a_body_cut_short_of_its_content_length_is_a_broken_connection(
    served: Served, waits: list[float]
) -> None:
    # The server declares more bytes than it sends and then closes the connection.
    cut = b'[{"id": "0123", "na'
    declared = {"Content-Length": "400"}
    served.fake.fail(200, method="GET", path=API, body=cut, headers=declared)
    served.fake.fail(200, method="POST", path=API, body=cut, headers=declared)
    sim = served.client()
    assert await sim.list_integrations() == []  # GET: retried
    assert len(waits) == 1
    with pytest.raises(APIConnectionError) as raised:  # POST: not replayed
        await sim.create_integration({"name": "x"})
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
    assert len(waits) == 1
    assert served.log() == [("GET", API, 200), ("GET", API, 200), ("POST", API, 200)]
    assert served.fake.integrations == {}


async def test_an_answer_with_a_long_header_is_read_on_both_transports(served: Served) -> None:
    # A tracing or cookie header of 60 KiB: httpx reads it, and so must the aiohttp transport.
    served.fake.fail(200, method="GET", path=API, body=b"[]", headers={"X-Trace": "t" * 60_000})
    sim = served.client()
    assert await sim.list_integrations() == []
    assert served.log() == [("GET", API, 200)]


# --- answers slower than the client's timeout ---


async def test_a_post_slower_than_the_timeout_times_out_and_is_not_replayed(
    served: Served, waits: list[float]
) -> None:
    served.fake.delay(1.5, method="POST", path=API)
    sim = served.client(timeout=0.3)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await sim.create_integration({"name": "slow"})
    assert time.monotonic() - started < 1.4  # it did not wait for the answer
    assert waits == []
    [post] = served.fake.requests
    # The server carries the request out after the client has given up, exactly once.
    for _ in range(300):
        if post.status is not None:
            break
        await asyncio.sleep(0.01)
    assert served.log() == [("POST", API, 200)]
    assert names(served.fake) == ["slow"]


async def test_a_get_slower_than_the_timeout_is_retried(served: Served, waits: list[float]) -> None:
    served.fake.delay(1.5, method="GET", path=API)
    sim = served.client(timeout=0.3)
    started = time.monotonic()
    assert await sim.list_integrations() == []
    assert time.monotonic() - started < 1.4  # it did not wait for the slow answer
    assert len(waits) == 1
    assert [(r.method, r.path) for r in served.fake.requests] == [("GET", API)] * 2
    assert served.fake.requests[-1].status == 200


async def test_a_get_slower_than_the_timeout_every_time_times_out(
    served: Served, waits: list[float]
) -> None:
    served.fake.delay(1.5, times=3, method="GET", path=API)
    sim = served.client(timeout=0.3)
    with pytest.raises(APITimeoutError) as raised:
        await sim.list_integrations()
    # httpx's read timeout, or the attempt's overall deadline of the same length (builtin)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout | TimeoutError)
    assert len(waits) == 2
    assert len(served.fake.requests) == 3
    assert served.fake.pending_faults == 0


# --- proxies: through the proxy the environment names, never silently direct ---


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
async def test_requests_go_through_the_proxy_of_the_environment(
    served: Served, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    proxy_free_environment(monkeypatch)
    proxy = RecordingProxy()
    async with proxy as proxy_url:
        monkeypatch.setenv(variable, proxy_url)
        sim = served.client(
            token=None,
            client_id=served.fake.client_id,
            client_secret=served.fake.client_secret,
            transport=environment_transport(served.transport_name),
        )
        assert await sim.list_integrations() == []
        await sim.create_integration({"name": "proxied"})
        proxied = proxy.seen
    assert proxied == [
        f"POST {served.base_url}/oauth/token",
        f"GET {served.base_url}{API}",
        f"POST {served.base_url}{API}",
    ]
    assert served.log() == [("POST", "/oauth/token", 200), ("GET", API, 200), ("POST", API, 200)]


@pytest.mark.parametrize(
    "no_proxy",
    ["127.0.0.1", "*", "example.com, 127.0.0.1", "127.0.0.1:{port}", "localhost,127.0.0.1"],
)
async def test_a_no_proxy_host_is_reached_directly(
    served: Served, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    proxy_free_environment(monkeypatch)
    proxy = RecordingProxy()
    async with proxy as proxy_url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("NO_PROXY", no_proxy.format(port=served.port))
        sim = served.client(transport=environment_transport(served.transport_name))
        assert await sim.list_integrations() == []
        proxied = proxy.seen
    assert proxied == []
    assert served.log() == [("GET", API, 200)]


async def test_a_no_proxy_for_another_host_or_port_keeps_the_proxy(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_free_environment(monkeypatch)
    proxy = RecordingProxy()
    async with proxy as proxy_url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("no_proxy", f"127.0.0.2,example.com,127.0.0.1:{served.port + 1}")
        sim = served.client(transport=environment_transport(served.transport_name))
        assert await sim.list_integrations() == []
        proxied = proxy.seen
    assert proxied == [f"GET {served.base_url}{API}"]


async def test_an_explicit_proxy_is_used_whatever_the_environment_says(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_free_environment(monkeypatch)
    monkeypatch.setenv("NO_PROXY", "*")
    proxy = RecordingProxy()
    async with proxy as proxy_url:
        transport = own_transport(served.transport_name, proxy=proxy_url)
        sim = served.client(transport=transport)
        assert await sim.list_integrations() == []
        proxied = proxy.seen
    assert proxied == [f"GET {served.base_url}{API}"]


async def test_a_proxy_that_cannot_be_reached_fails_the_call_and_nothing_goes_direct(
    served: Served, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    proxy_free_environment(monkeypatch)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    sim = served.client(transport=environment_transport(served.transport_name))
    with pytest.raises(APIConnectionError) as raised:
        await sim.list_integrations()
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(waits) == 2
    assert served.log() == []


@pytest.mark.parametrize("given", ["url", "proxy"])
async def test_an_explicit_proxy_gets_its_credentials_and_headers(
    served: Served, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    proxy_free_environment(monkeypatch)
    proxy = RecordingProxy()
    async with proxy as proxy_url:
        with_credentials = proxy_url.replace("http://", "http://proxy-user:proxy-pass@")
        chosen: str | httpx.Proxy = with_credentials
        if given == "proxy":
            chosen = httpx.Proxy(with_credentials, headers={"X-Proxy-Note": "noted"})
        sim = served.client(transport=own_transport(served.transport_name, proxy=chosen))
        assert await sim.list_integrations() == []
    [headers] = proxy.headers
    expected = "Basic " + base64.b64encode(b"proxy-user:proxy-pass").decode()
    assert headers["proxy-authorization"] == expected
    assert headers.get("x-proxy-note") == ("noted" if given == "proxy" else None)


async def test_an_https_request_asks_the_proxy_for_a_tunnel_with_the_credentials(
    transport_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_free_environment(monkeypatch)
    proxy = RecordingProxy()
    async with proxy as proxy_url:
        chosen = httpx.Proxy(
            proxy_url.replace("http://", "http://proxy-user:proxy-pass@"),
            headers={"X-Proxy-Note": "noted"},
        )
        transport = own_transport(transport_name, proxy=chosen)
        async with SimClient(
            "https://127.0.0.1:9", token="t", transport=transport, max_retries=0
        ) as sim:
            with pytest.raises(APIConnectionError) as raised:
                await sim.list_integrations()
    assert isinstance(raised.value.__cause__, httpx.ProxyError)
    assert proxy.seen == ["CONNECT 127.0.0.1:9"]
    [headers] = proxy.headers
    expected = "Basic " + base64.b64encode(b"proxy-user:proxy-pass").decode()
    assert (headers["proxy-authorization"], headers["x-proxy-note"]) == (expected, "noted")


# --- a transport given to a client that was closed ---


async def test_a_transport_works_again_after_a_client_using_it_was_closed(
    served: Served,
) -> None:
    transport = own_transport(served.transport_name, trust_env=False)
    fake = served.fake
    for created in range(2):
        async with SimClient(served.base_url, token=fake.token, transport=transport) as sim:
            assert len(await sim.list_integrations()) == created
        async with SimClient(
            served.base_url,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            transport=transport,
        ) as sim:
            await sim.create_integration({"name": f"again-{created}"})
    assert (
        served.log() == [("GET", API, 200), ("POST", "/oauth/token", 200), ("POST", API, 200)] * 2
    )
    await close_and_check([], served.port)
