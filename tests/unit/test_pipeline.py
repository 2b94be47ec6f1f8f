"""The request pipeline: rate-limit slots, 429 pauses, raw responses, per-call options,
deprecation notices, and what "was the request sent?" decides."""

from __future__ import annotations

import ast
import asyncio
import datetime
import socket
import subprocess
import sys
import warnings
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    AuthenticationError,
    ClientClosedError,
    RateLimit,
    RateLimitError,
    RawResponse,
    SimClient,
    SimDeprecationWarning,
    SimIntegration,
    _notices,
)
from tests.mock_api import BASE_URL, CLIENT_ID, CLIENT_SECRET, TOKEN, MockAPI, integration
from tests.mock_api import json_response as answer

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = str(ROOT / "sim_client") + "/"
DETAILS = {"name": "n", "type": "ServiceNowSDIM"}
PATCH = [{"op": "replace", "path": "/description", "value": "d"}]


def ok(request: httpx.Request) -> httpx.Response:
    if request.method == "GET" and request.url.path.endswith("/sim-integrations"):
        return answer(200, [integration(name="n")], {"SLPT-Request-ID": "req-1"})
    if request.method == "DELETE":
        return httpx.Response(204, headers={"SLPT-Request-ID": "req-1"})
    return answer(200, integration(name="n"), {"SLPT-Request-ID": "req-1"})


RAW_CALLS: list[tuple[str, Any]] = [
    ("list_integrations", ()),
    ("get_integration", ("i",)),
    ("create_integration", (DETAILS,)),
    ("update_integration", ("i", DETAILS)),
    ("patch_integration", ("i", PATCH)),
    ("patch_before_provisioning_rule", ("i", PATCH)),
    ("delete_integration", ("i",)),
    ("find_integration", ("n",)),
]


# Raw responses and per-call options.


@pytest.mark.parametrize(("name", "args"), RAW_CALLS, ids=[name for name, _ in RAW_CALLS])
async def test_with_raw_response_gives_the_answer_and_the_model(name: str, args: Any) -> None:
    api = MockAPI(default=ok)
    async with api.client() as sim:
        raw = await getattr(sim.with_raw_response, name)(*args)
        plain = await getattr(sim, name)(*args)
    assert isinstance(raw, RawResponse)
    assert raw.status_code in (200, 204)
    assert raw.request_id == "req-1"
    assert raw.headers["SLPT-Request-ID"] == "req-1"
    assert raw.elapsed.total_seconds() >= 0
    assert isinstance(raw.http_response, httpx.Response)
    parsed = raw.parse()
    assert parsed is raw.parse()  # decoded once
    if name == "delete_integration":
        assert parsed is None and plain is None
    elif name == "list_integrations":
        assert [item.to_dict() for item in parsed] == [item.to_dict() for item in plain]
    else:
        assert isinstance(parsed, SimIntegration) and parsed.to_dict() == plain.to_dict()


async def test_a_raw_call_raises_the_same_typed_errors() -> None:
    api = MockAPI(answer(401, {"error": "JWT validation failed: expired"}))
    async with api.client() as sim:
        with pytest.raises(AuthenticationError, match="JWT validation failed"):
            await sim.with_raw_response.get_integration("i")


async def test_with_options_is_a_view_sharing_the_pool_the_token_and_the_budget() -> None:
    timeouts: list[Any] = []

    def recording(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        return ok(request)

    api = MockAPI(default=recording)
    sim = api.client(max_retries=2)
    view = sim.with_options(max_retries=0, timeout=3.0, headers={"X-Trace": "t1"})
    assert view._connection.http is sim._connection.http and view._connection is sim._connection
    assert view._options.max_retries == 0 and sim._options.max_retries == 2
    assert view._options.transfer.deadline == 3.0
    await view.get_integration("i")
    await sim.get_integration("i")
    first, second = api.api_requests
    assert first.headers["X-Trace"] == "t1" and "X-Trace" not in second.headers
    assert timeouts == [3.0, 5.0]  # the view's, then the injected client's own
    await view.aclose()  # nothing to close
    assert not sim.closed
    await sim.aclose()
    assert view.closed
    with pytest.raises(ClientClosedError):
        await view.get_integration("i")


@pytest.mark.parametrize("header", ["Authorization", "content-type", "Host"])
def test_with_options_refuses_the_clients_own_headers(header: str) -> None:
    sim = MockAPI().client()
    with pytest.raises(ValueError, match="client's own"):
        sim.with_options(headers={header: "x"})


@pytest.mark.parametrize(
    "headers",
    [{"X-A": "caf\u00e9"}, {"X-\u00e9": "a"}, {"X-A": "a\r\nX-B: b"}, {"X A": "a"}, {"": "a"}],
)
def test_with_options_refuses_headers_that_cannot_travel(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="visible ASCII"):
        MockAPI().client().with_options(headers=headers)


@pytest.mark.parametrize("headers", [["X-A"], "X-A", {"X-A": 1}])
def test_with_options_headers_must_map_str_to_str(headers: Any) -> None:
    with pytest.raises(TypeError, match="headers"):
        MockAPI().client().with_options(headers=headers)


async def test_with_options_max_retries_applies_to_that_view_only(waits: list[float]) -> None:
    api = MockAPI(default=lambda request: httpx.Response(503))
    sim = api.client(max_retries=3)
    with pytest.raises(Exception, match="503"):
        await sim.with_options(max_retries=0).get_integration("i")
    assert len(api.api_requests) == 1
    with pytest.raises(Exception, match="503"):
        await sim.get_integration("i")
    assert len(api.api_requests) == 1 + 4


# Deprecation notices.


@pytest.fixture
def fresh_notices() -> None:
    _notices._reported.clear()


@pytest.mark.usefixtures("fresh_notices")
async def test_a_deprecation_header_warns_once_per_operation_and_version(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"Deprecation": "true", "Sunset": "Wed, 01 Jul 2027 00:00:00 GMT"}
    api = MockAPI(default=lambda request: answer(200, integration(), headers))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with api.client() as sim:
            await sim.get_integration("a")
            await sim.get_integration("b")
            await sim.create_integration(DETAILS)
        async with api.client(api="v2025") as sim:
            await sim.get_integration("a")
    notices = [w for w in caught if issubclass(w.category, SimDeprecationWarning)]
    assert len(notices) == 3
    texts = [str(w.message) for w in notices]
    assert "get_sim_integration of API beta" in texts[0]
    assert "create_sim_integration of API beta" in texts[1]
    assert "get_sim_integration of API v2025" in texts[2]
    assert all("Wed, 01 Jul 2027" in text for text in texts)
    assert issubclass(SimDeprecationWarning, UserWarning)
    logged = [r for r in caplog.records if "deprecated" in r.getMessage()]
    assert len(logged) == 3 and all(r.levelname == "WARNING" for r in logged)
    assert capsys.readouterr().out == ""


@pytest.mark.usefixtures("fresh_notices")
async def test_an_error_answer_with_x_deprecated_warns_too() -> None:
    api = MockAPI(default=lambda request: answer(404, {}, {"X-Deprecated": "true"}))
    sim = api.client()
    with pytest.warns(SimDeprecationWarning, match="delete_sim_integration"):  # noqa: SIM117
        with pytest.raises(Exception, match="404"):
            await sim.delete_integration("a")


@pytest.mark.usefixtures("fresh_notices")
async def test_no_notice_without_the_headers() -> None:
    api = MockAPI(default=ok)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with api.client() as sim:
            await sim.get_integration("a")


async def test_a_request_sent_straight_to_its_transport_is_built_as_httpx_builds_it() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok(request)

    async with SimClient(BASE_URL, token=TOKEN, transport=httpx.MockTransport(record)) as sim:
        raw = await sim.with_raw_response.get_integration("a")
        await sim.update_integration("a", {"name": "n"})
    get, put = seen
    assert get.headers["User-Agent"].startswith("sim-client/")
    assert get.headers["Host"] == "acme.api.identitynow.com"
    assert "Content-Length" not in get.headers and "Content-Type" not in get.headers
    assert put.headers["Content-Length"] == str(len(put.content))
    assert put.headers["Content-Type"] == "application/json"
    assert datetime.timedelta(0) <= raw.elapsed < datetime.timedelta(seconds=60)


# The rate limit.


async def test_a_burst_waits_for_slots_instead_of_failing(waits: list[float]) -> None:
    api = MockAPI(default=ok)
    async with api.client(rate_limit=RateLimit(5, per=10.0)) as sim:
        results = await asyncio.gather(*(sim.get_integration(str(i)) for i in range(12)))
    assert len(results) == 12 and len(api.api_requests) == 12
    assert len(waits) == 7  # five went at once; the others waited for the next windows
    assert sorted(round(w) for w in waits) == [10] * 5 + [20] * 2


async def test_a_wait_longer_than_max_rate_limit_wait_fails_at_once_unsent(
    waits: list[float],
) -> None:
    api = MockAPI(default=ok)
    async with api.client(rate_limit=RateLimit(1, per=60.0), max_rate_limit_wait=5.0) as sim:
        await sim.get_integration("a")
        with pytest.raises(RateLimitError, match=r"not sent: it would have had to wait") as raised:
            await sim.get_integration("b")
    error = raised.value
    assert error.retry_after is not None and error.retry_after > 5.0
    assert str(error).endswith("more than max_rate_limit_wait allows (5.0 s left)")
    assert error.status_code == 429
    assert error.response.headers["Retry-After"] == f"{error.retry_after:.0f}"
    assert len(api.api_requests) == 1 and waits == []


async def test_max_rate_limit_wait_0_never_waits_for_a_slot(waits: list[float]) -> None:
    api = MockAPI(default=ok)
    async with api.client(rate_limit=RateLimit(1, per=0.5), max_rate_limit_wait=0) as sim:
        await sim.get_integration("a")
        with pytest.raises(RateLimitError, match=r"wait 0\.5 s .* \(0\.0 s left\)$"):
            await sim.get_integration("b")
    assert len(api.api_requests) == 1 and waits == []


async def test_clients_of_one_tenant_and_credentials_share_one_budget(
    waits: list[float],
) -> None:
    api = MockAPI(default=ok)
    limit = RateLimit(2, per=10.0)
    first, second = api.client(rate_limit=limit), api.client(rate_limit=limit)
    other = api.client(rate_limit=limit, token="another-token")
    assert first._connection.budget is second._connection.budget
    assert other._connection.budget is not first._connection.budget
    await first.get_integration("a")
    await second.get_integration("b")
    await other.get_integration("c")
    assert waits == []
    await second.get_integration("d")
    assert len(waits) == 1 and 9.0 < waits[0] <= 10.0 * 1.02  # slots are spaced 2 % apart


async def test_rate_limit_none_sends_without_a_budget(waits: list[float]) -> None:
    api = MockAPI(default=ok)
    async with api.client(rate_limit=None) as sim:
        assert sim._connection.budget is None
        await asyncio.gather(*(sim.get_integration(str(i)) for i in range(150)))
    assert waits == [] and len(api.api_requests) == 150


async def test_a_429_pauses_the_budget_and_does_not_use_up_max_retries(
    waits: list[float],
) -> None:
    answers = [answer(429, {"message": " Rate Limit Exceeded "}, {"Retry-After": "3"})] * 2
    api = MockAPI(default=lambda request: answers.pop() if answers else ok(request))
    async with api.client(max_retries=0) as sim:
        assert (await sim.get_integration("a")).name == "n"
    assert len(api.api_requests) == 3
    assert [round(w) for w in waits] == [3, 3]


async def test_a_retry_after_past_max_rate_limit_wait_raises_at_once(waits: list[float]) -> None:
    api = MockAPI(answer(429, {"message": " Rate Limit Exceeded "}, {"Retry-After": "200"}))
    async with api.client() as sim:
        with pytest.raises(RateLimitError, match="more than max_rate_limit_wait") as raised:
            await sim.get_integration("a")
    assert raised.value.retry_after == 200.0
    assert raised.value.messages == ["Rate Limit Exceeded"]
    assert len(api.api_requests) == 1 and waits == []


@pytest.mark.parametrize("rate_limit", [None, RateLimit(100, per=10.0)])
async def test_a_retry_after_of_0_for_ever_backs_off_and_ends(
    waits: list[float], rate_limit: RateLimit | None
) -> None:
    api = MockAPI(answer(429, {}, {"Retry-After": "0"}))
    async with api.client(rate_limit=rate_limit) as sim:
        with pytest.raises(RateLimitError):
            await sim.get_integration("a")
    # 0, then back-off steps from 0.5 s doubling to 8 s: 120 s of waits in all.
    assert 10 < len(api.api_requests) < 25
    assert max(waits) <= 8.0 and sorted(waits[:4]) == waits[:4]


async def test_a_retry_after_past_max_rate_limit_wait_still_pauses_the_budget(
    waits: list[float],
) -> None:
    answers = [answer(429, {}, {"Retry-After": "300"})]
    api = MockAPI(default=lambda request: answers.pop() if answers else ok(request))
    async with api.client() as sim:
        with pytest.raises(RateLimitError, match="more than max_rate_limit_wait"):
            await sim.get_integration("a")
        with pytest.raises(RateLimitError, match="not sent"):
            await sim.get_integration("b")
    assert len(api.api_requests) == 1 and waits == []


async def test_slot_waits_after_429s_count_against_max_rate_limit_wait(
    waits: list[float],
) -> None:
    # Two slots per 10.2 s. The first 429 pauses the budget 3 s (waited: 3 of 10). The second
    # pauses it again, but the third slot is 7.2 s away, and only 7 s of the 10 are left.
    answers = [answer(429, {}, {"Retry-After": "3"})] * 2
    api = MockAPI(default=lambda request: answers.pop() if answers else ok(request))
    limit = RateLimit(2, per=10.0)
    async with api.client(rate_limit=limit, max_rate_limit_wait=10.0) as sim:
        with pytest.raises(RateLimitError) as raised:
            await sim.get_integration("a")
    assert str(raised.value).endswith(
        "not retried: it would have had to wait 7.2 s for the rate limit, more than "
        "max_rate_limit_wait allows (7.0 s left)"
    )
    assert len(api.api_requests) == 2 and waits == [3.0]


async def test_429_pauses_without_a_budget_count_against_max_rate_limit_wait(
    waits: list[float],
) -> None:
    api = MockAPI(answer(429, {}, {"Retry-After": "6"}))
    async with api.client(rate_limit=None, max_rate_limit_wait=10.0) as sim:
        with pytest.raises(RateLimitError) as raised:
            await sim.get_integration("a")
    assert str(raised.value).endswith("(4.0 s left)")
    assert len(api.api_requests) == 2 and waits == [6.0]


async def test_a_pause_that_uses_up_max_rate_limit_wait_exactly_is_waited(
    waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    answers = [answer(429, {}, {"Retry-After": "6"})] * 2
    api = MockAPI(default=lambda request: answers.pop() if answers else ok(request))
    async with api.client(rate_limit=None, max_rate_limit_wait=12.0) as sim:
        with caplog.at_level("INFO", logger="sim_client"):
            assert (await sim.get_integration("a")).name == "n"
    assert waits == [6.0, 6.0] and len(api.api_requests) == 3
    ours = [record.getMessage() for record in caplog.records if record.name == "sim_client"]
    said = (
        "rate limited: GET /beta/sim-integrations/a answered 429; waiting 6.0 s for the rate limit"
    )
    assert ours == [said, said]


async def test_a_pause_of_one_second_is_not_logged(
    waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    answers = [answer(429, {}, {"Retry-After": "1"})]
    api = MockAPI(default=lambda request: answers.pop() if answers else ok(request))
    async with api.client(rate_limit=None) as sim:
        with caplog.at_level("INFO", logger="sim_client"):
            await sim.get_integration("a")
    assert waits == [1.0]
    assert not [record for record in caplog.records if record.name == "sim_client"]


async def test_another_failure_between_429s_starts_their_count_again(waits: list[float]) -> None:
    # A 429 right after another is held at least a back-off step; after a 503 it is the first.
    answers = [
        answer(429, {}, {"Retry-After": "0"}),
        answer(503, {}),
        answer(429, {}, {"Retry-After": "0"}),
    ]
    api = MockAPI(default=lambda request: answers.pop() if answers else ok(request))
    async with api.client(rate_limit=None) as sim:
        await sim.get_integration("a")
    assert len(api.api_requests) == 4
    first, backoff, second = waits
    assert (first, second) == (0.0, 0.0) and 0.375 <= backoff <= 0.5


async def test_an_infinite_retry_after_fails_at_once(waits: list[float]) -> None:
    api = MockAPI(answer(429, {}, {"Retry-After": "1e400"}))
    async with api.client() as sim:
        with pytest.raises(RateLimitError) as raised:
            await sim.get_integration("a")
    assert raised.value.retry_after == float("inf") and len(api.api_requests) == 1


async def test_cancelling_a_call_waiting_for_a_slot_frees_its_place() -> None:
    api = MockAPI(default=ok)
    async with api.client(rate_limit=RateLimit(1, per=30.0)) as sim:
        budget = sim._connection.budget
        assert budget is not None
        await sim.get_integration("a")
        waiting = asyncio.ensure_future(sim.get_integration("b"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # The cancelled call's reservation is gone: the next waits as long as it would have.
        with pytest.raises(RateLimitError) as raised:
            await sim.with_options(max_rate_limit_wait=1.0).get_integration("c")
        # ... not behind it (61 s): the cancelled call held no slot any more.
        assert raised.value.retry_after is not None and raised.value.retry_after < 31.0
    assert len(api.api_requests) == 1


async def test_aclose_ends_a_call_waiting_for_a_slot() -> None:
    api = MockAPI(default=ok)
    sim = api.client(rate_limit=RateLimit(1, per=30.0))
    await sim.get_integration("a")
    waiting = asyncio.ensure_future(sim.get_integration("b"))
    await asyncio.sleep(0.05)
    await sim.aclose()
    with pytest.raises(ClientClosedError):
        await asyncio.wait_for(waiting, 2.0)


# Was the request sent?


def _unresolvable(request: httpx.Request) -> httpx.Response:
    try:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    except socket.gaierror as cause:
        raise httpx.ConnectError("[Errno -2] Name or service not known") from cause


async def test_a_host_that_does_not_resolve_is_not_retried(waits: list[float]) -> None:
    api = MockAPI(default=_unresolvable)
    async with api.client(max_retries=3) as sim:
        with pytest.raises(APIConnectionError, match="does not resolve") as raised:
            await sim.get_integration("a")
    assert raised.value.request_sent is False and raised.value.retryable is False
    assert len(api.api_requests) == 1 and waits == []


async def test_a_refused_connection_is_unsent_and_retried_for_a_post(waits: list[float]) -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    api = MockAPI(default=refused)
    async with api.client(max_retries=2) as sim:
        with pytest.raises(APIConnectionError) as raised:
            await sim.create_integration(DETAILS)
    assert raised.value.request_sent is False and raised.value.retryable is True
    assert len(api.api_requests) == 3


async def test_a_broken_answer_to_a_post_is_sent_and_not_retried(waits: list[float]) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset")

    api = MockAPI(default=broken)
    async with api.client(max_retries=2) as sim:
        with pytest.raises(APIConnectionError) as raised:
            await sim.create_integration(DETAILS)
    assert raised.value.request_sent is True
    assert len(api.api_requests) == 1


async def test_each_waiter_of_a_failed_token_fetch_gets_its_own_error() -> None:
    started = asyncio.Event()

    async def slow_refusal(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            started.set()
            await asyncio.sleep(0.05)
            return answer(400, {"error": "invalid_client"})
        return ok(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow_refusal))
    sim = SimClient(BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, http_client=http)
    results = await asyncio.gather(
        *(sim.get_integration(str(i)) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(result, AuthenticationError) for result in results)
    assert len({id(result) for result in results}) == 3
    assert len({str(result) for result in results}) == 1
    await http.aclose()


# Construction.


@pytest.mark.parametrize(
    "base_url",
    [
        f"{BASE_URL}/v2025/sim-integrations",
        f"{BASE_URL}/beta/sim-integrations/",
        f"{BASE_URL}/sim-integrations",
    ],
)
def test_a_base_url_ending_in_a_collection_is_refused_with_the_root(base_url: str) -> None:
    with pytest.raises(ValueError, match="collection path") as raised:
        SimClient(base_url, token=TOKEN)
    assert repr(BASE_URL) in str(raised.value)


def test_sail_api_is_read_in_any_letter_case() -> None:
    env = {"SAIL_BASE_URL": BASE_URL, "SAIL_ACCESS_TOKEN": TOKEN, "SAIL_API": "V2026"}
    sim = SimClient.from_env(env)
    assert sim.api == "v2026" and sim.base_url == f"{BASE_URL}/v2026"


def test_sail_api_names_the_variable_when_wrong() -> None:
    env = {"SAIL_BASE_URL": BASE_URL, "SAIL_ACCESS_TOKEN": TOKEN, "SAIL_API": "v9"}
    with pytest.raises(ValueError, match=r"^SAIL_API: unknown api"):
        SimClient.from_env(env)


@pytest.mark.parametrize("bad", [-1.0, float("inf"), float("nan"), "5"])
def test_max_rate_limit_wait_is_checked(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError), match="max_rate_limit_wait"):
        SimClient(BASE_URL, token=TOKEN, max_rate_limit_wait=bad)


def test_rate_limit_must_be_a_rate_limit() -> None:
    with pytest.raises(TypeError, match="rate_limit"):
        SimClient(BASE_URL, token=TOKEN, rate_limit=100)  # type: ignore[arg-type]


# The layout: what start-up loads, and no import circles.


def test_import_loads_no_generated_endpoint_module_and_no_desired_state() -> None:
    code = "import sys, sim_client; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "sim_client._generated.operations" in loaded
    assert not [name for name in loaded if name.startswith("sim_client._generated.api")]
    assert "sim_client.desired" not in loaded and "sim_client.cli" not in loaded
    assert not (ROOT / "sim_client" / "_generated" / "api").exists()


def _module_imports(path: Path, package: str, modules: set[str]) -> set[str]:
    """The sim_client modules ``path`` imports at module level (not in functions, not for
    type checking only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in [node] if not isinstance(node, ast.Try) else node.body:
            if isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                if base.startswith("sim_client"):
                    # `from . import _logs` imports that submodule; a name of the package's
                    # own body (`from sim_client import X`) imports the package.
                    for alias in child.names:
                        submodule = f"{base}.{alias.name}"
                        found.add(submodule if submodule in modules else base)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("sim_client"))
    return found


def test_no_import_circle_among_the_hand_written_modules() -> None:
    paths = {}
    for path in (ROOT / "sim_client").rglob("*.py"):
        relative = path.relative_to(ROOT).with_suffix("")
        if "_generated" not in relative.parts:
            paths[".".join(relative.parts).removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        imported = _module_imports(path, package, set(paths))
        graph[name] = {m for m in imported if "_generated" not in m}

    def visit(node: str, trail: tuple[str, ...]) -> None:
        for target in graph.get(node, ()):
            target_module = target if target in graph else target.rsplit(".", 1)[0]
            if target_module == node or target_module not in graph:
                continue
            assert target_module not in trail, f"import circle: {' -> '.join(trail)}"
            visit(target_module, (*trail, target_module))

    for module in graph:
        if module != "sim_client":
            visit(module, (module,))


def test_no_hand_written_module_imports_a_private_name_of_generated_code() -> None:
    for path in (ROOT / "sim_client").rglob("*.py"):
        if "_generated" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and "_generated" in (node.module or ""):
                assert all(not alias.name.startswith("_") for alias in node.names), path
            if isinstance(node, ast.Attribute) and node.attr == "_get_kwargs":
                raise AssertionError(f"{path} calls a generated _get_kwargs")


# The fake tells of retirements; the client hears it on every version, in-process and served.


@pytest.mark.usefixtures("fresh_notices")
@pytest.mark.parametrize("api", ["beta", "v2024", "v2025", "v2026", "v1"])
async def test_the_fakes_deprecation_notices_warn_once_per_version(
    api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim_client.testing import FakeSimServer

    fake = FakeSimServer(notices={"Deprecation": "@1782864000", "Sunset": "Wed, 01 Jul 2026"})
    stored = fake.add_integration({"name": "n"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with (
            fake.serve() as base_url,
            SimClient(
                base_url,
                token=fake.token,
                api=api,  # type: ignore[arg-type]
                rate_limit=None,
            ) as sim,
        ):
            await sim.get_integration(stored["id"])
            await sim.get_integration(stored["id"])
            await sim.list_integrations()
    texts = [str(w.message) for w in caught if w.category is SimDeprecationWarning]
    assert texts == [
        f"the service marks get_sim_integration of API {api} as deprecated; it ends on "
        "Wed, 01 Jul 2026 (Deprecation: @1782864000, Sunset: Wed, 01 Jul 2026); see the API's "
        "release notes for its replacement",
        f"the service marks get_sim_integrations of API {api} as deprecated; it ends on "
        "Wed, 01 Jul 2026 (Deprecation: @1782864000, Sunset: Wed, 01 Jul 2026); see the API's "
        "release notes for its replacement",
    ]
    # Attributed to the caller's line, not to the library's: a filter can match its module.
    shown_at = {w.filename for w in caught if w.category is SimDeprecationWarning}
    assert shown_at and not [name for name in shown_at if name.startswith(PACKAGE)]
    if "mutants" not in __file__:  # mutation testing puts a trampoline module in between
        assert shown_at == {__file__}
    assert capsys.readouterr().out == ""
    fake.notices.clear()


# Raw responses and views over real loopback HTTP, on each transport.


@pytest.mark.loopback
async def test_raw_responses_and_views_on_each_transport(transport_name: str) -> None:
    from sim_client.testing import FakeSimServer
    from tests.loopback_helpers import make_transport

    fake = FakeSimServer()
    stored = fake.add_integration({"name": "n", "type": "ServiceNowSDIM"})
    async with (
        fake.serve() as base_url,
        SimClient(base_url, token=fake.token, transport=make_transport(transport_name)) as sim,
    ):
        view = sim.with_options(timeout=5.0, max_retries=0, headers={"X-Trace": "t1"})
        raw = view.with_raw_response
        calls: list[tuple[str, Awaitable[RawResponse[Any]]]] = [
            ("list_integrations", raw.list_integrations()),
            ("get_integration", raw.get_integration(stored["id"])),
            ("create_integration", raw.create_integration({"name": "m", "type": "t"})),
            ("update_integration", raw.update_integration(stored["id"], {"name": "n2"})),
            ("patch_integration", raw.patch_integration(stored["id"], PATCH)),
            (
                "patch_before_provisioning_rule",
                raw.patch_before_provisioning_rule(
                    stored["id"], [{"op": "add", "path": "/name", "value": "rule"}]
                ),
            ),
            ("find_integration", raw.find_integration("n2")),
        ]
        for name, call in calls:
            answer_: RawResponse[Any] = await call
            assert answer_.status_code == 200, name
            assert answer_.elapsed.total_seconds() > 0, name
            assert answer_.parse() is not None, name
        deleted = await raw.delete_integration(stored["id"])
        assert deleted.status_code == 204 and deleted.parse() is None
    sent = [(r.method, r.status) for r in fake.requests if r.path.startswith("/beta/")]
    assert [status for _, status in sent] == [200] * 7 + [204]
