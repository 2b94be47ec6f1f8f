"""Static tokens and client credentials: caching, single flight, refresh, 401 replay, failures."""

from __future__ import annotations

import asyncio
import gc
import re
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientCredentialsAuth,
    ServerError,
    SimClient,
    StaticTokenAuth,
)
from sim_client._transfer import Transfer
from sim_client.auth import DEFAULT_EXPIRES_IN
from tests.mock_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUED_TOKEN,
    TOKEN,
    MockAPI,
    integration,
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
    sim = credentials_client(api)
    with pytest.raises(AuthenticationError) as raised:
        await sim.list_integrations()
    assert raised.value.status_code == 401
    assert len(api.api_requests) == 2
    assert len(api.token_requests) == 2
    api.default = json_response(200, [])
    assert await sim.list_integrations() == []
    assert len(api.token_requests) == 2  # the replay's token was refused, but is kept


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
    with pytest.raises(AuthenticationError, match="no usable access_token") as raised:
        await credentials_client(api).list_integrations()
    assert str(raised.value) == (
        "token request: POST /oauth/token -> 200: "
        "the answer carries no usable access_token/expires_in"
    )
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


# --- the token request under faults (hardening) ---


class Recorder(httpx.AsyncBaseTransport):
    """Token requests go to ``token_endpoint`` (sync or async), the rest to ``api``; every
    request is kept as sent, extensions included."""

    def __init__(self, api: MockAPI, token_endpoint: Callable[[httpx.Request], object]) -> None:
        self.api = api
        self.token_endpoint = token_endpoint
        self.sent: list[httpx.Request] = []

    @property
    def token_requests(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.url.path == "/oauth/token"]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # A snapshot: a replayed request is the same object with new headers.
        self.sent.append(
            httpx.Request(
                request.method,
                request.url,
                headers=request.headers.copy(),
                extensions=dict(request.extensions),
            )
        )
        if request.url.path != "/oauth/token":
            return await self.api.transport.handle_async_request(request)
        answer = self.token_endpoint(request)
        if asyncio.iscoroutine(answer):
            answer = await answer
        assert isinstance(answer, httpx.Response)
        return answer


def issued(token: str = ISSUED_TOKEN, expires_in: object = 3600) -> httpx.Response:
    return json_response(200, {"access_token": token, "expires_in": expires_in})


def recorded_client(recorder: Recorder, **options: Any) -> SimClient:
    http_options = options.pop("http_options", {})
    return SimClient(
        options.pop("base_url", "https://acme.api.identitynow.com"),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        http_client=httpx.AsyncClient(transport=recorder, **http_options),
        **options,
    )


async def never_answer(request: httpx.Request) -> httpx.Response:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def test_a_hung_token_endpoint_is_asked_once_for_all_waiters(waits: list[float]) -> None:
    recorder = Recorder(MockAPI(json_response(200, [])), never_answer)
    sim = recorded_client(recorder, timeout=0.2, max_retries=0)
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(sim.list_integrations() for _ in range(10)), return_exceptions=True), 5
    )
    assert len(recorder.token_requests) == 1
    assert all(isinstance(outcome, APITimeoutError) for outcome in outcomes)
    assert all(str(outcome).startswith("token request: POST /oauth/token") for outcome in outcomes)


async def test_retries_after_a_hung_token_endpoint_share_one_fetch_per_wave(
    waits: list[float],
) -> None:
    recorder = Recorder(MockAPI(json_response(200, [])), never_answer)
    sim = recorded_client(recorder, timeout=0.2, max_retries=2)
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(sim.list_integrations() for _ in range(10)), return_exceptions=True), 5
    )
    assert all(isinstance(outcome, APITimeoutError) for outcome in outcomes)
    assert len(recorder.token_requests) == 3  # one per attempt, not one per call and attempt


async def test_a_token_connection_error_reaches_every_waiter_and_names_the_token_request(
    waits: list[float],
) -> None:
    async def refuse(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        raise httpx.RemoteProtocolError("the peer closed the connection")

    recorder = Recorder(MockAPI(json_response(200, [])), refuse)
    sim = recorded_client(recorder, max_retries=0)
    outcomes = await asyncio.gather(
        *(sim.list_integrations() for _ in range(10)), return_exceptions=True
    )
    assert len(recorder.token_requests) == 1
    for outcome in outcomes:
        assert type(outcome) is APIConnectionError
        assert str(outcome).startswith("token request: POST /oauth/token failed")
    recorder.token_endpoint = lambda request: issued()
    assert await sim.list_integrations() == []  # the next call asks again
    assert len(recorder.token_requests) == 2


async def test_a_joining_waiter_waits_only_its_own_deadline() -> None:
    gate = asyncio.Event()

    async def gated(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return issued()

    http = httpx.AsyncClient(transport=Recorder(MockAPI(), gated))
    auth = ClientCredentialsAuth(
        "https://acme.api.identitynow.com/oauth/token", CLIENT_ID, CLIENT_SECRET
    )
    patient = asyncio.create_task(auth.bearer(Transfer(http, httpx.Timeout(5.0), 5.0)))
    await asyncio.sleep(0.01)
    with pytest.raises(APITimeoutError, match=r"^token request: POST /oauth/token .*0.05 s"):
        await auth.bearer(Transfer(http, httpx.Timeout(0.05), 0.05))
    assert not patient.done()  # the fetch goes on for the caller that started it
    gate.set()
    assert await asyncio.wait_for(patient, 5) == ISSUED_TOKEN
    assert auth.token_requests == 1


@pytest.mark.parametrize("injected_timeout", [httpx.Timeout(99.0), httpx.Timeout(None)])
async def test_the_token_request_has_the_timeout_of_the_call(
    injected_timeout: httpx.Timeout,
) -> None:
    recorder = Recorder(MockAPI(json_response(200, [])), lambda request: issued())
    sim = recorded_client(recorder, timeout=1.5, http_options={"timeout": injected_timeout})
    await sim.list_integrations()
    (token_request,) = recorder.token_requests
    assert token_request.extensions["timeout"] == httpx.Timeout(1.5).as_dict()


async def test_the_token_request_has_the_injected_clients_own_timeout_if_none_is_given() -> None:
    recorder = Recorder(MockAPI(json_response(200, [])), lambda request: issued())
    sim = recorded_client(recorder, http_options={"timeout": httpx.Timeout(7.0)})
    await sim.list_integrations()
    (token_request,) = recorder.token_requests
    assert token_request.extensions["timeout"] == httpx.Timeout(7.0).as_dict()


async def test_many_401s_at_once_make_one_new_token_request() -> None:
    api = MockAPI()
    api.default = lambda request: (
        json_response(200, [])
        if request.headers["Authorization"] == "Bearer renewed"
        else json_response(401, {"error": "JWT is expired"})
    )

    async def renew(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return issued("renewed")

    recorder = Recorder(api, lambda request: issued("first"))
    sim = recorded_client(recorder)
    with pytest.raises(AuthenticationError):
        await sim.list_integrations()  # "first" is refused, and so is its replay
    recorder.token_endpoint = renew
    results = await asyncio.gather(*(sim.list_integrations() for _ in range(20)))
    assert results == [[]] * 20
    assert len(recorder.token_requests) == 3  # first, its replay's, and one for all 20


async def test_a_refused_fetch_on_the_401_path_is_shared() -> None:
    api = MockAPI()
    api.default = lambda request: json_response(401, {"error": "JWT is expired"})
    first = [True]

    async def first_then_refuse(request: httpx.Request) -> httpx.Response:
        if first.pop() if first else False:
            return issued("first")
        await asyncio.sleep(0.01)
        return json_response(400, {"error_description": "client disabled"})

    recorder = Recorder(api, first_then_refuse)
    sim = recorded_client(recorder, max_retries=0)
    http = sim._connection.http
    auth = sim._connection.auth
    assert isinstance(auth, ClientCredentialsAuth)
    assert await auth.bearer(Transfer(http, None, None)) == "first"
    outcomes = await asyncio.gather(
        *(sim.list_integrations() for _ in range(20)), return_exceptions=True
    )
    assert len(recorder.token_requests) == 2
    for outcome in outcomes:
        assert type(outcome) is AuthenticationError
        assert outcome.status_code == 400 and outcome.messages == ["client disabled"]
        assert str(outcome).startswith("token request: POST /oauth/token -> 400")


async def test_a_short_lived_token_is_refreshed_at_90_percent_of_its_life() -> None:
    now = [1000.0]
    recorder = Recorder(MockAPI(), lambda request: issued("short", expires_in=30))
    http = httpx.AsyncClient(transport=recorder)
    auth = ClientCredentialsAuth(
        "https://acme.api.identitynow.com/oauth/token",
        CLIENT_ID,
        CLIENT_SECRET,
        clock=lambda: now[0],
    )
    transfer = Transfer(http, None, None)
    assert await auth.bearer(transfer) == "short"
    now[0] += 26.9
    assert await auth.bearer(transfer) == "short"
    assert auth.token_requests == 1
    now[0] += 0.1  # 27 s: 3 s (a tenth of 30 s) before it runs out
    await auth.bearer(transfer)
    assert auth.token_requests == 2


@pytest.mark.parametrize(
    ("expires_in", "refreshed_after"),
    [(1, 0.9), ("120", 108.0), (None, DEFAULT_EXPIRES_IN - 30.0), ("missing", 270.0)],
)
async def test_a_usable_expires_in_sets_the_refresh(
    expires_in: object, refreshed_after: float
) -> None:
    now = [0.0]
    body: dict[str, object] = {"access_token": "tok"}
    if expires_in != "missing":
        body["expires_in"] = expires_in
    recorder = Recorder(MockAPI(), lambda request: json_response(200, body))
    auth = ClientCredentialsAuth(
        "https://acme.api.identitynow.com/oauth/token",
        CLIENT_ID,
        CLIENT_SECRET,
        clock=lambda: now[0],
    )
    transfer = Transfer(httpx.AsyncClient(transport=recorder), None, None)
    await auth.bearer(transfer)
    now[0] = refreshed_after - 0.001
    await auth.bearer(transfer)
    assert auth.token_requests == 1
    now[0] = refreshed_after
    await auth.bearer(transfer)
    assert auth.token_requests == 2


@pytest.mark.parametrize(
    "expires_in",
    ["0", "-1", "0.0", "true", "false", '"soon"', '"0"', "[]", "{}", "Infinity", "1" + "0" * 400],
)
async def test_an_unusable_expires_in_is_refused(expires_in: str) -> None:
    api = MockAPI(json_response(200, []))
    body = f'{{"access_token": "tok", "expires_in": {expires_in}}}'
    api.token_answer = httpx.Response(200, content=body.encode())
    with pytest.raises(AuthenticationError, match="no usable access_token/expires_in"):
        await credentials_client(api).list_integrations()
    assert api.api_requests == []


async def test_a_token_endpoint_429_is_a_rate_limit_retried_like_any_answer(
    waits: list[float],
) -> None:
    answers = [
        json_response(429, {"message": "slow down"}, {"Retry-After": "0.25"}),
        issued(),
    ]
    recorder = Recorder(MockAPI(), lambda request: answers.pop(0))
    sim = recorded_client(recorder)
    assert (await sim.create_integration({"name": "n"})).name == "aName"
    assert waits == [0.25]
    assert len(recorder.token_requests) == 2


async def test_a_token_endpoint_429_with_an_absurd_date_backs_off(waits: list[float]) -> None:
    absurd = "Mon, 01 Jan 2020 00:00:00 +99999999999999999999"
    answers = [json_response(429, {}, {"Retry-After": absurd}), issued()]
    recorder = Recorder(MockAPI(json_response(200, [])), lambda request: answers.pop(0))
    sim = recorded_client(recorder)
    assert await sim.list_integrations() == []
    assert len(waits) == 1 and 0.375 <= waits[0] <= 0.5


async def test_a_token_endpoint_500_is_a_server_error_not_retried(waits: list[float]) -> None:
    recorder = Recorder(
        MockAPI(json_response(200, [])), lambda request: json_response(500, {"message": "boom"})
    )
    sim = recorded_client(recorder)
    with pytest.raises(ServerError) as raised:
        await sim.list_integrations()
    assert type(raised.value) is ServerError
    assert str(raised.value).startswith("token request: POST /oauth/token -> 500")
    assert waits == [] and len(recorder.token_requests) == 1


async def test_the_token_request_carries_only_allowed_headers() -> None:
    recorder = Recorder(MockAPI(json_response(200, [])), lambda request: issued())
    sim = recorded_client(
        recorder,
        token_url="https://login.example.com/oauth/token",
        http_options={
            "headers": {
                "Authorization": "Basic c2VjcmV0",
                "Proxy-Authorization": "Basic cHJveHk=",
                "Host": "acme.api.identitynow.com",
                "Content-Type": "application/json",
                "Accept": "text/html",
                "X-Team": "blue",
            },
            "cookies": {"session": "api-cookie"},
        },
    )
    await sim.with_options(headers={"X-SailPoint-Experimental": "1"}).list_integrations()
    token_request, api_request = recorder.sent
    assert api_request.headers["Cookie"] == "session=api-cookie"
    assert api_request.headers["X-SailPoint-Experimental"] == "1"
    assert {name.lower() for name in token_request.headers} == {
        "host",
        "accept",
        "accept-encoding",
        "connection",
        "user-agent",
        "x-team",
        "content-type",
        "content-length",
    }
    assert token_request.headers["Host"] == "login.example.com"
    assert token_request.headers["Accept"] == "application/json"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_the_token_request_never_follows_a_redirect() -> None:
    moved = httpx.Response(307, headers={"Location": "http://evil.example/steal"})
    recorder = Recorder(MockAPI(json_response(200, [])), lambda request: moved)
    sim = recorded_client(recorder, http_options={"follow_redirects": True}, max_retries=0)
    with pytest.raises(APIStatusError) as raised:
        await sim.list_integrations()
    assert raised.value.status_code == 307
    assert str(raised.value).startswith("token request: POST /oauth/token -> 307")
    assert [str(r.url) for r in recorder.sent] == ["https://acme.api.identitynow.com/oauth/token"]


async def raise_for_status(response: httpx.Response) -> None:
    response.raise_for_status()


@pytest.mark.parametrize("hooked", [False, True], ids=["plain", "raise_for_status"])
async def test_a_refused_token_request_is_blamed_on_it_with_or_without_hooks(
    hooked: bool,
) -> None:
    recorder = Recorder(
        MockAPI(json_response(200, [])),
        lambda request: json_response(400, {"error": "invalid_client"}),
    )
    hooks = {"event_hooks": {"response": [raise_for_status]}} if hooked else {}
    sim = recorded_client(recorder, http_options=hooks)
    with pytest.raises(AuthenticationError) as raised:
        await sim.list_integrations()
    assert raised.value.status_code == 400
    assert str(raised.value).startswith("token request: POST /oauth/token -> 400")
    assert len(recorder.sent) == 1


@pytest.mark.parametrize("hooked", [False, True], ids=["plain", "raise_for_status"])
async def test_the_401_replay_works_with_or_without_hooks(hooked: bool) -> None:
    api = MockAPI(json_response(200, []))
    api.answer(json_response(401, {"error": "JWT is expired"}))
    tokens = ["first", "second"]
    recorder = Recorder(api, lambda request: issued(tokens.pop(0)))
    hooks = {"event_hooks": {"response": [raise_for_status]}} if hooked else {}
    sim = recorded_client(recorder, http_options=hooks)
    assert await sim.list_integrations() == []
    assert [r.headers.get("Authorization") for r in recorder.sent] == [
        None,
        "Bearer first",
        None,
        "Bearer second",
    ]


async def test_as_an_httpx_auth_it_needs_the_client() -> None:
    auth = ClientCredentialsAuth("https://acme.example/oauth/token", CLIENT_ID, CLIENT_SECRET)
    http = httpx.AsyncClient(transport=MockAPI().transport, auth=auth)
    with pytest.raises(RuntimeError, match="http_client=") as raised:
        await http.get("https://acme.example/beta/sim-integrations")
    assert str(raised.value) == ("ClientCredentialsAuth needs http_client= to act as an httpx.Auth")


async def test_as_an_httpx_auth_it_replays_a_401_once_with_a_new_token() -> None:
    api = MockAPI(json_response(401, {"error": "JWT is expired"}))
    api.answer(json_response(401, {"error": "JWT is expired"}), json_response(200, []))
    tokens = ["first", "second", "third"]
    http = httpx.AsyncClient(transport=Recorder(api, lambda request: issued(tokens.pop(0))))
    http.auth = ClientCredentialsAuth(
        "https://acme.example/oauth/token", CLIENT_ID, CLIENT_SECRET, http_client=http
    )
    response = await http.get("https://acme.example/beta/sim-integrations")
    assert response.status_code == 200
    assert [r.headers["Authorization"] for r in api.api_requests] == [
        "Bearer first",
        "Bearer second",
    ]
    assert (await http.get("https://acme.example/beta/sim-integrations")).status_code == 401
    assert [r.headers["Authorization"] for r in api.api_requests[2:]] == [
        "Bearer second",
        "Bearer third",
    ]  # a 401 on the cached token is replayed once, and the second 401 is the answer


# --- exact wording, and the flows on their own ---


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "credentials are missing: give token, or client_id and client_secret"),
        (
            {"token": "t0k", "client_id": "i", "client_secret": "s"},
            "give either token or client_id and client_secret, not both",
        ),
        ({"client_id": "i"}, "client_id and client_secret go together: give both"),
        (
            {"token": "t0k", "token_url": "https://x.example/oauth/token"},
            "token_url goes with client_id and client_secret, not with token",
        ),
        ({"token": "a b"}, "token must be a non-empty string of visible ASCII characters"),
        (
            {"client_id": "a b", "client_secret": "s"},
            "client_id must be a non-empty string of visible ASCII characters",
        ),
        (
            {"client_id": "i", "client_secret": ""},
            "client_secret must be a non-empty string of visible ASCII characters",
        ),
    ],
)
def test_credential_errors_say_exactly_what_is_wrong(options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        SimClient("https://acme.example", **options)  # type: ignore[arg-type]
    assert str(raised.value) == message


async def test_a_static_token_flow_works_on_its_own() -> None:
    auth = StaticTokenAuth("st4tic")
    assert repr(auth) == "StaticTokenAuth(token=***)"
    api = MockAPI(json_response(200, []))
    async with httpx.AsyncClient(transport=api.transport, auth=auth) as http:
        await http.get("https://acme.example/beta/sim-integrations")
    assert api.requests[0].headers["Authorization"] == "Bearer st4tic"


def test_a_static_token_flow_works_with_a_sync_client() -> None:
    api = MockAPI(json_response(200, []))
    transport = httpx.MockTransport(api._handle)
    with httpx.Client(transport=transport, auth=StaticTokenAuth("st4tic")) as http:
        http.get("https://acme.example/beta/sim-integrations")
    assert api.requests[0].headers["Authorization"] == "Bearer st4tic"


def test_client_credentials_need_an_async_client() -> None:
    auth = ClientCredentialsAuth("https://acme.example/oauth/token", CLIENT_ID, CLIENT_SECRET)
    with (
        httpx.Client(transport=httpx.MockTransport(MockAPI()._handle), auth=auth) as http,
        pytest.raises(RuntimeError) as raised,
    ):
        http.get("https://acme.example/beta/sim-integrations")
    assert str(raised.value) == "ClientCredentialsAuth works with httpx.AsyncClient only"


async def test_as_an_httpx_auth_the_token_request_has_the_requests_timeout_and_deadline(
    waits: list[float],
) -> None:
    gate = asyncio.Event()

    async def gated(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return issued()

    recorder = Recorder(MockAPI(json_response(200, [])), gated)
    http = httpx.AsyncClient(transport=recorder, timeout=99.0)
    http.auth = ClientCredentialsAuth(
        "https://acme.example/oauth/token", CLIENT_ID, CLIENT_SECRET, http_client=http
    )
    with pytest.raises(APITimeoutError, match=r"^token request: POST /oauth/token"):
        await asyncio.wait_for(
            http.get("https://acme.example/beta/sim-integrations", timeout=0.2), 5
        )
    gate.set()
    (token_request,) = recorder.token_requests
    assert token_request.extensions["timeout"] == httpx.Timeout(0.2).as_dict()


async def test_a_failed_fetch_nobody_waits_for_leaves_no_unretrieved_error() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda loop, context: reported.append(context))
    gate = asyncio.Event()

    async def gated_refusal(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return json_response(401, {"error": "invalid_client"})

    sim = recorded_client(Recorder(MockAPI(), gated_refusal), max_retries=0)
    caller = asyncio.create_task(sim.list_integrations())
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    auth = sim._connection.auth
    assert isinstance(auth, ClientCredentialsAuth)
    gate.set()
    for _ in range(50):
        await asyncio.sleep(0)
    fetch = auth._fetch
    assert fetch is not None and fetch.done()
    auth._fetch = None
    del fetch
    gc.collect()
    assert reported == []


@pytest.mark.parametrize(
    "failure",
    [json_response(503, {"message": "busy"}), httpx.ReadError("token connection dropped")],
    ids=["503", "dropped"],
)
async def test_a_post_whose_token_fetch_failed_is_retried_as_it_was_not_sent(
    waits: list[float], failure: httpx.Response | Exception
) -> None:
    api = MockAPI(json_response(200, integration()))
    issued = json_response(
        200, {"access_token": ISSUED_TOKEN, "token_type": "bearer", "expires_in": 3600}
    )
    answers = iter([failure, issued])

    def token(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    api.token_answer = token
    async with credentials_client(api) as sim:
        created = await sim.create_integration({"name": "n"})

    assert created.name == "aName"
    assert [r.method for r in api.api_requests] == ["POST"]  # sent once, after the new token
    assert len(api.token_requests) == 2
    assert len(waits) == 1


async def test_a_post_answered_503_itself_is_still_not_retried(waits: list[float]) -> None:
    api = MockAPI(json_response(503, {"message": "busy"}))
    async with credentials_client(api) as sim:
        with pytest.raises(ServerError):
            await sim.create_integration({"name": "n"})
    assert [r.method for r in api.api_requests] == ["POST"]
    assert waits == []
