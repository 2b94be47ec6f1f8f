"""The fake's rate limit (the service's 429 in fixed windows per client), its token answers,
its body cap, and ``python -m sim_client.testing`` as a served tenant."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sim_client import RateLimit
from sim_client.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN,
    FakeSimServer,
)
from tests.loopback_helpers import PROXY_VARIABLES

LIST = "/beta/sim-integrations"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def token_form(client_id: str, client_secret: str) -> dict[str, str]:
    """The form of a client-credentials token request."""
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }


def http_for(fake: FakeSimServer, token: str = DEFAULT_TOKEN) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=fake.transport,
        base_url=fake.base_url,
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_past_the_limit_the_fake_answers_exactly_the_services_429() -> None:
    clock = Clock(1003.0)  # 3 s into the window [1000, 1010)
    fake = FakeSimServer(rate_limit=RateLimit(3, per=10.0), clock=clock)
    async with http_for(fake) as http:
        for _ in range(3):
            assert (await http.get(LIST)).status_code == 200
        refused = await http.get(LIST)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "7"
        assert refused.json() == {"message": " Rate Limit Exceeded "}
        assert fake.rate_limited == 1
        clock.now = 1009.6
        refused = await http.get(LIST)
        assert refused.headers["Retry-After"] == "1"  # never 0
        assert fake.rate_limited == 2
        clock.now = 1010.0  # a new window
        for _ in range(3):
            assert (await http.get(f"{LIST}/nope")).status_code == 404  # counted too
        assert (await http.get(LIST)).status_code == 429
    assert fake.rate_limit == RateLimit(3, per=10.0)
    assert [r.status for r in fake.requests].count(429) == 3


async def test_each_client_has_its_own_window_and_a_clients_tokens_share_one() -> None:
    clock = Clock()
    fake = FakeSimServer(rate_limit=RateLimit(2, per=10.0), clock=clock, tokens=("a", "b"))
    async with http_for(fake, "a") as first, http_for(fake, "b") as second:
        for http in (first, first, second, second):
            assert (await http.get(LIST)).status_code == 200
        assert (await first.get(LIST)).status_code == 429
        assert (await second.get(LIST)).status_code == 429
    async with httpx.AsyncClient(transport=fake.transport, base_url=fake.base_url) as http:
        tokens = []
        for _ in range(2):  # the token endpoint is not counted
            answer = await http.post(
                "/oauth/token",
                data=token_form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            )
            tokens.append(answer.json()["access_token"])
        statuses = [
            (await http.get(LIST, headers={"Authorization": f"Bearer {token}"})).status_code
            for token in (*tokens, tokens[1])
        ]
        assert statuses == [200, 200, 429]
        # a refused token is a 401, not counted
        bad = await http.get(LIST, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert bad.json() == {"error": "JWT validation failed: JWT is invalid"}


async def test_without_a_rate_limit_the_fake_never_says_429() -> None:
    fake = FakeSimServer()
    assert fake.rate_limit is None
    async with http_for(fake) as http:
        for _ in range(150):
            assert (await http.get(LIST)).status_code == 200
    assert fake.rate_limited == 0


def test_the_fake_refuses_a_limit_it_cannot_keep() -> None:
    with pytest.raises(ValueError, match="no store"):
        FakeSimServer(rate_limit=RateLimit(1, store="redis://localhost/0"))
    with pytest.raises(TypeError, match="RateLimit"):
        FakeSimServer(rate_limit=100)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_body"):
        FakeSimServer(max_body=-1)


async def test_an_injected_429_carries_the_services_body() -> None:
    fake = FakeSimServer()
    fake.fail(429)
    async with http_for(fake) as http:
        answer = await http.get(LIST)
    assert answer.json() == {"message": " Rate Limit Exceeded "}


async def test_token_answers_look_like_the_services_and_the_client_ignores_the_extras() -> None:
    fake = FakeSimServer()
    async with httpx.AsyncClient(transport=fake.transport, base_url=fake.base_url) as http:
        answer = await http.post(
            "/oauth/token",
            data=token_form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        )
    body = answer.json()
    assert body["expires_in"] == 749
    assert body["token_type"] == "bearer"
    for extra in ("scope", "jti", "tenant_id", "pod", "org", "internal", "claims_supported"):
        assert extra in body
    async with fake.client() as sim:
        assert await sim.list_integrations() == []


async def test_a_body_over_the_cap_is_answered_413_unread() -> None:
    fake = FakeSimServer(max_body=200)
    async with http_for(fake) as http:
        large = await http.post(LIST, json={"name": "x" * 300})
        small = await http.post(LIST, json={"name": "x" * 100})
    assert large.status_code == 413
    assert large.json()["detailCode"].startswith("413 ")
    assert small.status_code in (200, 201)
    assert len(fake.integrations) == 1


# --- python -m sim_client.testing ---


def served(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim_client.testing", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES},
    )


@pytest.fixture
def server_variables() -> Iterator[dict[str, str]]:
    process = served()
    try:
        assert process.stdout is not None
        variables = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        yield variables
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


@pytest.mark.loopback
def test_served_it_limits_like_the_service_with_random_credentials(
    server_variables: dict[str, str],
) -> None:
    variables = server_variables
    assert sorted(variables) == ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET"]
    assert variables["SAIL_CLIENT_ID"] != DEFAULT_CLIENT_ID
    assert variables["SAIL_CLIENT_SECRET"] != DEFAULT_CLIENT_SECRET
    base = variables["SAIL_BASE_URL"]
    with httpx.Client(base_url=base, trust_env=False) as http:
        refused = http.post(
            "/oauth/token",
            data=token_form(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        )
        assert refused.status_code == 401
        assert http.get(LIST, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}).status_code == (
            401
        )
        token = http.post(
            "/oauth/token",
            data=token_form(variables["SAIL_CLIENT_ID"], variables["SAIL_CLIENT_SECRET"]),
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [http.get(LIST, headers=headers).status_code for _ in range(101)]
        # 100 per 10 s: the 101st is refused, unless a window boundary fell in between
        assert statuses.count(429) in (0, 1)
        if statuses.count(429) == 0:
            statuses = [http.get(LIST, headers=headers).status_code for _ in range(101)]
            assert statuses.count(429) >= 1
        too_large = http.post(
            LIST,
            headers={**headers, "Content-Type": "application/json"},
            content=b" " * (2**20 + 1),
        )
        assert too_large.status_code == 413


@pytest.mark.loopback
def test_served_with_options() -> None:
    process = served("--rate-limit", "2/30", "--token")
    try:
        assert process.stdout is not None
        variables = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        assert sorted(variables) == ["SAIL_ACCESS_TOKEN", "SAIL_BASE_URL"]
        assert variables["SAIL_ACCESS_TOKEN"] != DEFAULT_TOKEN
        headers = {"Authorization": f"Bearer {variables['SAIL_ACCESS_TOKEN']}"}
        with httpx.Client(base_url=variables["SAIL_BASE_URL"], trust_env=False) as http:
            statuses = [http.get(LIST, headers=headers).status_code for _ in range(5)]
        # two per window, and five requests span two windows at most
        assert statuses.count(429) >= 1
        assert statuses.count(200) >= 2
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    assert "(2 requests per 30 s); Ctrl-C stops it" in process.stderr.read()


@pytest.mark.loopback
def test_served_without_a_limit_and_on_a_chosen_port() -> None:
    from tests.redis_server import free_port

    port = free_port()
    process = served("--rate-limit", "off", "--port", str(port))
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == f"SAIL_BASE_URL=http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    assert "(no rate limit)" in process.stderr.read()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate-limit", "fast"], "expected N/SECONDS such as 100/10, or off; got 'fast'"),
        (["--rate-limit", "0/10"], "expected N/SECONDS"),
        (["--port", "70000"], "expected a port from 0 to 65535"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sim_client.testing", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_help_says_it_blocks_and_how_to_stop_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sim_client.testing", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    text = " ".join(result.stdout.split())
    assert "blocks, serving, until Ctrl-C or SIGTERM" in text
    assert "default: 100/10" in text


def test_without_the_testing_extra_the_error_says_what_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "starlette"
    blocker.mkdir()
    (blocker / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'starlette'\", name='starlette')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "sim_client.testing"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: sim_client.testing needs the testing extra (starlette is missing): "
        "pip install 'sim-client[testing]'"
    )
