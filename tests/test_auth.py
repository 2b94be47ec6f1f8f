"""Static tokens and client credentials: caching, single flight, refresh, 401 replay, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from urllib.parse import parse_qs

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    AuthenticationError,
    ClientCredentialsAuth,
    ServerError,
    SimClient,
)
from tests.mock_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUED_TOKEN,
    TOKEN,
    MockAPI,
    json_response,
)


def credentials_client(api: MockAPI, **options: object) -> SimClient:
    return api.client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **options)


def with_async_token_endpoint(
    api: MockAPI,
    token_endpoint: Callable[[httpx.Request], Coroutine[None, None, httpx.Response]],
    max_retries: int = 2,
) -> SimClient:
    """A client-credentials client whose token requests ``token_endpoint`` answers (and ``api``
    logs); every other request goes to ``api``."""
    token_transport = httpx.MockTransport(token_endpoint)

    class Router(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/oauth/token":
                api.requests.append(request)
                return await token_transport.handle_async_request(request)
            return await api.transport.handle_async_request(request)

    return SimClient(
        "https://acme.api.identitynow.com",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        http_client=httpx.AsyncClient(transport=Router()),
        max_retries=max_retries,
    )


async def test_a_static_token_is_sent_as_bearer() -> None:
    api = MockAPI(json_response(200, []))
    await api.client().list_integrations()
    assert api.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert api.token_requests == []


async def test_the_token_request_is_a_client_credentials_form() -> None:
    api = MockAPI(json_response(200, []))
    await credentials_client(api).list_integrations()
    token_request, call = api.requests
    assert (token_request.method, str(token_request.url)) == (
        "POST",
        "https://acme.api.identitynow.com/oauth/token",
    )
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    assert call.headers["Authorization"] == f"Bearer {ISSUED_TOKEN}"


async def test_token_url_can_be_given() -> None:
    api = MockAPI(json_response(200, []))
    sim = credentials_client(api, token_url="https://login.example.com/oauth/token")
    await sim.list_integrations()
    assert str(api.token_requests[0].url) == "https://login.example.com/oauth/token"


async def test_the_token_is_cached_between_calls() -> None:
    api = MockAPI(json_response(200, []))
    sim = credentials_client(api)
    for _ in range(5):
        await sim.list_integrations()
    assert len(api.token_requests) == 1


async def test_100_concurrent_calls_on_a_cold_client_make_one_token_request() -> None:
    api = MockAPI(json_response(200, []))

    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return json_response(200, {"access_token": ISSUED_TOKEN, "expires_in": 3600})

    sim = with_async_token_endpoint(api, slow_token)
    results = await asyncio.gather(*(sim.list_integrations() for _ in range(100)))
    assert len(results) == 100
    assert len(api.token_requests) == 1
    assert len(api.api_requests) == 100
    assert {r.headers["Authorization"] for r in api.api_requests} == {f"Bearer {ISSUED_TOKEN}"}


async def test_an_expiring_token_is_refreshed_before_it_runs_out() -> None:
    now = [1000.0]
    api = MockAPI(json_response(200, []))
    http = httpx.AsyncClient(transport=api.transport)
    auth = ClientCredentialsAuth(
        "https://acme.api.identitynow.com/oauth/token",
        CLIENT_ID,
        CLIENT_SECRET,
        clock=lambda: now[0],
        http_client=http,
    )
    http.auth = auth
    api.token_answer = json_response(200, {"access_token": "first", "expires_in": 600})
    await http.get("https://acme.api.identitynow.com/beta/sim-integrations")
    now[0] += 500  # 100 s left: still more than the 60 s margin
    await http.get("https://acme.api.identitynow.com/beta/sim-integrations")
    assert auth.token_requests == 1
    api.token_answer = json_response(200, {"access_token": "second", "expires_in": 600})
    now[0] += 45  # 55 s left: inside the margin, refreshed early
    await http.get("https://acme.api.identitynow.com/beta/sim-integrations")
    assert auth.token_requests == 2
    assert api.api_requests[-1].headers["Authorization"] == "Bearer second"


async def test_a_401_drops_the_token_fetches_a_new_one_and_replays_once() -> None:
    api = MockAPI(json_response(200, []))
    sim = credentials_client(api)
    await sim.list_integrations()
    api.token_answer = json_response(200, {"access_token": "renewed", "expires_in": 3600})
    api.answer(json_response(401, {"error": "JWT validation failed: JWT is expired"}))
    assert await sim.list_integrations() == []
    assert len(api.token_requests) == 2
    assert [r.headers["Authorization"] for r in api.api_requests] == [
        f"Bearer {ISSUED_TOKEN}",
        f"Bearer {ISSUED_TOKEN}",
        "Bearer renewed",
    ]


async def test_a_second_401_raises_authentication_error() -> None:
    api = MockAPI(json_response(401, {"error": "JWT validation failed"}))
    with pytest.raises(AuthenticationError) as raised:
        await credentials_client(api).list_integrations()
    assert raised.value.status_code == 401
    assert len(api.api_requests) == 2
    assert len(api.token_requests) == 2


async def test_a_401_with_a_static_token_is_not_replayed() -> None:
    api = MockAPI(json_response(401, {"error": "bad token"}))
    with pytest.raises(AuthenticationError):
        await api.client().list_integrations()
    assert len(api.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_refused_credentials_raise_authentication_error(status: int) -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = json_response(
        status, {"error": "invalid_client", "error_description": "Bad credentials"}
    )
    with pytest.raises(AuthenticationError) as raised:
        await credentials_client(api).list_integrations()
    error = raised.value
    assert error.status_code == status
    assert error.messages == ["Bad credentials"]
    assert "token request" in str(error) and "Bad credentials" in str(error)
    assert CLIENT_SECRET not in str(error) and CLIENT_SECRET not in repr(error)
    assert api.api_requests == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"access_token": ""}',
        b'{"access_token": "t", "expires_in": -5}',
        b'{"access_token": 5}',
        b"[]",
    ],
)
async def test_an_unusable_token_answer_raises_authentication_error(body: bytes) -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = httpx.Response(200, content=body)
    with pytest.raises(AuthenticationError, match="no usable access_token"):
        await credentials_client(api).list_integrations()
    assert api.api_requests == []


async def test_a_token_endpoint_that_cannot_be_reached_is_a_connection_error() -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = httpx.ConnectError("refused")
    with pytest.raises(APIConnectionError):
        await credentials_client(api, max_retries=0).list_integrations()


async def test_a_cancelled_waiter_does_not_block_the_others() -> None:
    api = MockAPI(json_response(200, []))
    gate = asyncio.Event()

    async def gated_token(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return json_response(200, {"access_token": ISSUED_TOKEN, "expires_in": 3600})

    sim = with_async_token_endpoint(api, gated_token)
    first = asyncio.create_task(sim.list_integrations())
    second = asyncio.create_task(sim.list_integrations())
    await asyncio.sleep(0.01)
    first.cancel()
    await asyncio.sleep(0.01)
    gate.set()
    assert await asyncio.wait_for(second, 5) == []
    with pytest.raises(asyncio.CancelledError):
        await first


@pytest.mark.parametrize("status", [401, 503])
async def test_callers_queued_behind_a_refused_fetch_share_its_error(status: int) -> None:
    api = MockAPI(json_response(200, []))

    async def refusing_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return json_response(status, {"error": "invalid_client"})

    sim = with_async_token_endpoint(api, refusing_token, max_retries=0)
    outcomes = await asyncio.gather(
        *(sim.list_integrations() for _ in range(100)), return_exceptions=True
    )
    expected = AuthenticationError if status == 401 else ServerError
    assert all(type(outcome) is expected for outcome in outcomes)
    assert len(api.token_requests) == 1
    assert api.api_requests == []


async def test_a_later_caller_asks_again_after_a_refusal() -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = json_response(401, {"error": "invalid_client"})
    sim = credentials_client(api)
    with pytest.raises(AuthenticationError):
        await sim.list_integrations()
    api.token_answer = json_response(200, {"access_token": "good", "expires_in": 60})
    assert await sim.list_integrations() == []
    assert len(api.token_requests) == 2


@pytest.mark.parametrize("token", ["has space", "line\r\nbreak", "nul\x00", "caf\u00e9"])
async def test_a_token_that_cannot_travel_in_a_header_is_refused(token: str) -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = json_response(200, {"access_token": token, "expires_in": 60})
    with pytest.raises(AuthenticationError) as raised:
        await credentials_client(api).list_integrations()
    assert token not in str(raised.value)
    assert api.api_requests == []


async def test_the_token_request_carries_the_clients_headers_but_its_own_auth() -> None:
    api = MockAPI(json_response(200, []))
    http = httpx.AsyncClient(
        transport=api.transport, headers={"X-Proxy-Key": "team", "User-Agent": "my-app/1"}
    )
    sim = SimClient(
        "https://acme.api.identitynow.com",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        http_client=http,
    )
    await sim.list_integrations()
    (token_request,) = api.token_requests
    assert token_request.headers["X-Proxy-Key"] == "team"
    assert token_request.headers["User-Agent"] == "my-app/1"
    assert token_request.headers["Accept"] == "application/json"
    assert "Authorization" not in token_request.headers
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_a_deeply_nested_token_answer_is_an_authentication_error() -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = httpx.Response(200, content=b"[" * 100_000)
    with pytest.raises(AuthenticationError):
        await credentials_client(api).list_integrations()
