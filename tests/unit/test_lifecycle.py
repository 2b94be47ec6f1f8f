"""Construction, from_env, async with / aclose, the injected http_client and timeouts."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from sim_client import DEFAULT_TIMEOUT, ClientClosedError, SimClient, SimError
from tests.mock_api import BASE_URL, CLIENT_ID, CLIENT_SECRET, TOKEN, MockAPI, json_response


async def test_async_with_closes_and_a_closed_client_refuses_calls() -> None:
    api = MockAPI(json_response(200, []))
    async with api.client() as sim:
        assert await sim.list_integrations() == []
    assert sim.closed
    with pytest.raises(ClientClosedError, match="closed") as raised:
        await sim.list_integrations()
    assert str(raised.value) == "this SimClient is closed; create a new one"
    assert isinstance(raised.value, SimError) and isinstance(raised.value, RuntimeError)
    assert len(api.requests) == 1
    await sim.aclose()  # closing twice is fine


async def test_an_own_http_client_is_closed_and_has_a_finite_default_timeout() -> None:
    sim = SimClient(BASE_URL, token=TOKEN)
    own = sim._connection.http
    assert own.timeout == httpx.Timeout(30.0)
    assert own.headers["User-Agent"].startswith("sim-client/")
    await sim.aclose()
    assert own.is_closed


async def test_an_injected_http_client_is_used_kept_open_and_keeps_its_settings() -> None:
    api = MockAPI(json_response(200, []))
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    http = httpx.AsyncClient(
        transport=api.transport,
        headers={"X-Team": "identity"},
        event_hooks={"request": [hook]},
        timeout=httpx.Timeout(7.0),
    )
    async with SimClient(
        BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, http_client=http
    ) as sim:
        await sim.list_integrations()
    assert not http.is_closed
    assert seen == ["/oauth/token", "/beta/sim-integrations"]
    call = api.api_requests[0]
    assert call.headers["X-Team"] == "identity"
    assert call.headers["Accept"] == "application/json"
    await http.get(f"{BASE_URL}/still-usable")
    await http.aclose()


async def test_an_explicit_timeout_applies_to_every_request() -> None:
    timeouts: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return json_response(200, [])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=99.0)
    await SimClient(BASE_URL, token=TOKEN, timeout=5.0, http_client=http).list_integrations()
    await SimClient(BASE_URL, token=TOKEN, http_client=http).list_integrations()
    assert timeouts[0] == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    assert timeouts[1] == {"connect": 99.0, "read": 99.0, "write": 99.0, "pool": 99.0}
    assert httpx.Timeout(30.0) == DEFAULT_TIMEOUT


def test_repr_names_the_tenant_but_no_credentials() -> None:
    sim = SimClient(BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    text = repr(sim) + str(sim) + repr(sim._connection.auth)
    assert "acme.api.identitynow.com/beta" in text and "client_credentials" in text
    assert CLIENT_SECRET not in text
    static = SimClient(BASE_URL, token=TOKEN)
    assert TOKEN not in repr(static) + str(static) + repr(static._connection.auth)


def test_from_env_with_client_credentials() -> None:
    sim = SimClient.from_env(
        {
            "SAIL_BASE_URL": BASE_URL,
            "SAIL_CLIENT_ID": CLIENT_ID,
            "SAIL_CLIENT_SECRET": CLIENT_SECRET,
        },
        max_retries=5,
    )
    assert sim.base_url == f"{BASE_URL}/beta"
    assert "client_credentials" in repr(sim) and "max_retries=5" in repr(sim)


def test_from_env_with_an_access_token_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAIL_BASE_URL", BASE_URL)
    monkeypatch.setenv("SAIL_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("SAIL_CLIENT_ID", raising=False)
    monkeypatch.delenv("SAIL_CLIENT_SECRET", raising=False)
    assert "auth=token" in repr(SimClient.from_env())


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "SAIL_BASE_URL"),
        ({"SAIL_BASE_URL": BASE_URL}, "SAIL_CLIENT_ID"),
        ({"SAIL_BASE_URL": BASE_URL, "SAIL_CLIENT_ID": CLIENT_ID}, "SAIL_CLIENT_SECRET"),
        (
            {"SAIL_BASE_URL": BASE_URL, "SAIL_ACCESS_TOKEN": TOKEN, "SAIL_CLIENT_ID": CLIENT_ID},
            "not both",
        ),
        ({"SAIL_BASE_URL": "http://acme.example", "SAIL_ACCESS_TOKEN": TOKEN}, "https"),
    ],
)
def test_from_env_explains_what_is_missing(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        SimClient.from_env(environ)
    assert TOKEN not in str(raised.value)


async def test_a_transport_goes_into_the_clients_own_http_client() -> None:
    api = MockAPI(json_response(200, []))
    sim = SimClient(BASE_URL, token=TOKEN, transport=api.transport)
    assert await sim.list_integrations() == []
    own = sim._connection.http
    assert own.headers["User-Agent"].startswith("sim-client/")
    await sim.aclose()
    assert own.is_closed


async def test_an_injected_client_without_any_timeout_gets_the_default() -> None:
    timeouts: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return json_response(200, [])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=None)  # noqa: S113
    await SimClient(BASE_URL, token=TOKEN, http_client=http).list_integrations()
    await SimClient(
        BASE_URL, token=TOKEN, http_client=http, timeout=DEFAULT_TIMEOUT
    ).list_integrations()
    assert timeouts == [{"connect": 30.0, "read": 30.0, "write": 30.0, "pool": 30.0}] * 2


async def test_an_injected_client_closed_by_its_owner_gives_client_closed_error() -> None:
    api = MockAPI(json_response(200, []))
    http = httpx.AsyncClient(transport=api.transport)
    sim = SimClient(BASE_URL, token=TOKEN, http_client=http)
    await http.aclose()
    with pytest.raises(ClientClosedError) as raised:
        await sim.list_integrations()
    assert str(raised.value) == "the HTTP client was closed during the call"
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert not sim.closed and api.requests == []


@pytest.mark.parametrize("retry_after", ["30", None])
async def test_aclose_ends_a_call_waiting_to_retry(retry_after: str | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    answered = asyncio.Event()

    def refuse(request: httpx.Request) -> httpx.Response:
        answered.set()
        return json_response(429 if retry_after else 503, {}, headers)

    api = MockAPI(refuse)
    sim = SimClient(BASE_URL, token=TOKEN, transport=api.transport, max_retries=5)
    call = asyncio.create_task(sim.list_integrations())
    await answered.wait()
    await sim.aclose()
    with pytest.raises(ClientClosedError, match=r"^the client was closed while the call waited$"):
        # A guard far below the 30 s asked for: the wait must end with aclose.
        await asyncio.wait_for(call, 5)
    assert len(api.requests) == 1


async def test_a_call_cancelled_by_its_caller_as_the_client_closes_stays_cancelled() -> None:
    answered = asyncio.Event()

    def refuse(request: httpx.Request) -> httpx.Response:
        answered.set()
        return json_response(503, {})

    api = MockAPI(refuse)
    sim = SimClient(BASE_URL, token=TOKEN, transport=api.transport, max_retries=5)
    call = asyncio.create_task(sim.list_integrations())
    await answered.wait()
    await asyncio.sleep(0)  # the call is waiting to retry
    call.cancel()
    await sim.aclose()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert call.cancelled()


def test_a_runtime_error_of_an_open_client_is_not_called_closed() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a transport bug")

    sim = SimClient(BASE_URL, token=TOKEN, transport=httpx.MockTransport(broken))
    with pytest.raises(RuntimeError, match="a transport bug") as raised:
        asyncio.run(sim.list_integrations())
    assert not isinstance(raised.value, ClientClosedError)


async def test_each_attempt_logs_one_debug_record(caplog: pytest.LogCaptureFixture) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.02)
        if request.url.path.endswith("/gone"):
            return json_response(404, {"trackingId": "trk\\n1"})
        if request.url.path.endswith("/broken"):
            raise httpx.ReadError("reset")
        return json_response(200, [])

    sim = SimClient(BASE_URL, token=TOKEN, transport=httpx.MockTransport(slow), max_retries=0)
    await sim.list_integrations()
    with pytest.raises(SimError):
        await sim.get_integration("gone")
    with pytest.raises(SimError):
        await sim.get_integration("broken")
    await sim.aclose()
    records = [r.getMessage() for r in caplog.records if r.name == "sim_client"]
    patterns = [
        r"GET /beta/sim-integrations -> 200 in (\d+\.\d) ms \(attempt 1\)",
        r"GET /beta/sim-integrations/gone -> 404 in (\d+\.\d) ms \(attempt 1\) tracking id trk\\n1",
        r"GET /beta/sim-integrations/broken -> APIConnectionError in (\d+\.\d) ms \(attempt 1\)",
    ]
    assert len(records) == len(patterns)
    for record, pattern in zip(records, patterns, strict=True):
        match = re.fullmatch(pattern, record)
        assert match is not None, record
        assert 20.0 <= float(match.group(1)) < 60_000.0  # it slept 20 ms
