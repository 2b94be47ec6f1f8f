"""Who is measured: raw httpx, raw aiohttp and ``SimClient``, in-process or over loopback.

``SimClient`` is built the way users build it, with the default ``rate_limit``. When that
default budget is far below the benchmark's load (it would measure the budget, not the client),
:func:`choose_limiter` keeps the limiter on with a budget far above the load instead, and says
so in the results.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import json
import select
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx

from sim_client import SimClient
from sim_client.aiohttp_transport import AiohttpTransport

from .measure import ROOT, Call
from .server import BIG_LIST_SIZE, TOKEN, integration, list_body, one_body, token_body

BASE_URL = "https://acme.api.identitynow.com"
INTEGRATION_ID = str(integration(0)["id"])
AUTH_HEADERS = {"Authorization": f"Bearer {TOKEN}"}
SERVER_START_TIMEOUT = 30.0

RAW = "raw httpx + json.loads"
RAW_AIOHTTP = "raw aiohttp + json.loads"
SIM = "SimClient"
SIM_AIOHTTP = "SimClient + AiohttpTransport"
SDK = "official SDK in threads"
SHORT_NAMES = {
    RAW: "raw httpx",
    RAW_AIOHTTP: "raw aiohttp",
    SIM: "SimClient",
    SIM_AIOHTTP: "Sim+aiohttp",
    SDK: "SDK in threads",
}


def expect(condition: bool, what: str) -> None:
    """A benchmark of failures would be meaningless: each contender must really get the data."""
    if not condition:
        raise RuntimeError(f"benchmark contender {what} did not return the expected data")


# The rate limiter.


def has_rate_limit() -> bool:
    """Whether this ``SimClient`` takes a ``rate_limit`` argument."""
    return "rate_limit" in inspect.signature(SimClient).parameters


def far_above_load() -> Any:
    """``RateLimit(10**9, per=1.0)``: the limiter on, its budget never reached."""
    package = importlib.import_module("sim_client")  # RateLimit is new: typed loosely here
    return package.RateLimit(10**9, per=1.0)


@dataclass(frozen=True)
class Limiter:
    """The ``SimClient`` arguments every SimClient contender gets, and what they mean."""

    options: dict[str, Any] = field(default_factory=dict)
    description: str = "n/a: SimClient has no rate_limit argument"


PROBE_CALLS = 300
PROBE_SECONDS = 3.0


async def choose_limiter() -> Limiter:
    """The default ``rate_limit`` if it lets a burst of calls through at once, else a budget
    far above the load (the limiter stays on)."""
    if not has_rate_limit():
        return Limiter()
    default = inspect.signature(SimClient).parameters["rate_limit"].default
    if default is None:
        return Limiter({}, "the default: off")
    # A tenant of its own, so that the probe's calls come out of no contender's budget.
    probe = SimClient("https://probe.api.identitynow.com", token=TOKEN, transport=CannedTransport())
    async with probe:
        calls = (probe.get_integration(INTEGRATION_ID) for _ in range(PROBE_CALLS))
        try:
            await asyncio.wait_for(asyncio.gather(*calls), PROBE_SECONDS)
        except TimeoutError:
            return Limiter(
                {"rate_limit": far_above_load()},
                f"the default {default!r} admits fewer than {PROBE_CALLS} calls in "
                f"{PROBE_SECONDS:.0f} s, so SimClient runs with RateLimit(10**9, per=1.0): "
                "the limiter on, its budget above the load",
            )
    return Limiter({}, f"the default: {default!r}")


def simclient(root: str, limiter: Limiter, **options: Any) -> SimClient:
    """A static-token ``SimClient`` as a user builds it, with the chosen limiter."""
    return SimClient(root, **{"token": TOKEN, **limiter.options, **options})


# In-process.


class CannedTransport(httpx.AsyncBaseTransport):
    """Answers the SIM paths and ``/oauth/token`` with pre-built bytes, counting token requests.

    ``token_delay`` makes the token endpoint slow (in seconds) so that concurrent callers
    really do pile up behind the first token request; ``list_answer`` replaces the list body.
    """

    def __init__(self, *, token_delay: float = 0.0, list_answer: bytes | None = None) -> None:
        self.token_requests = 0
        self._token_delay = token_delay
        self._one = one_body()
        self._list = list_body() if list_answer is None else list_answer
        self._token = token_body()
        self._headers = [(b"Content-Type", b"application/json;charset=utf-8")]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/beta/sim-integrations":
            body = self._list
        elif path.startswith("/beta/sim-integrations/"):
            body = self._one
        elif path == "/oauth/token" and request.method == "POST":
            self.token_requests += 1
            if self._token_delay:
                await asyncio.sleep(self._token_delay)
            body = self._token
        else:
            return httpx.Response(404, headers=self._headers, content=b"{}")
        return httpx.Response(200, headers=self._headers, content=body)


# Over loopback.


class LoopbackServer:
    """``scripts.bench.server`` in a child process; stopped (never orphaned) by :meth:`stop`."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "scripts.bench.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            self.url = f"http://127.0.0.1:{self._read_port()}"
        except BaseException:
            self.stop()
            raise

    def _read_port(self) -> int:
        stdout = self._process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], SERVER_START_TIMEOUT)
        line = stdout.readline() if ready else ""
        if not line.strip().isdigit():
            raise RuntimeError(f"the benchmark server did not start (said {line!r})")
        return int(line)

    def stop(self) -> None:
        process = self._process
        if process.stdin is not None and not process.stdin.closed:
            process.stdin.close()  # the server exits when its stdin closes
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.asynccontextmanager
async def loopback_contenders(
    url: str, operation: str, limiter: Limiter
) -> AsyncIterator[dict[str, Call]]:
    """Fresh clients of every contender for ``operation`` ("get", "list_100", "list_1000"):
    default ``httpx.AsyncClient`` and ``aiohttp.ClientSession`` + ``json.loads``, and
    ``SimClient`` on httpx's own transport and on ``AiohttpTransport``."""
    if operation == "get":
        path, root = f"/beta/sim-integrations/{INTEGRATION_ID}", url
    else:
        big = operation == f"list_{BIG_LIST_SIZE}"
        root = f"{url}/big" if big else url
        path = "/beta/sim-integrations"
    target = root + path
    async with (
        httpx.AsyncClient(headers=AUTH_HEADERS) as raw,
        aiohttp.ClientSession(headers=AUTH_HEADERS) as raw_aiohttp,
        simclient(root, limiter) as sim,
        simclient(root, limiter, transport=AiohttpTransport()) as sim_aiohttp,
    ):

        async def raw_call() -> object:
            return json.loads((await raw.get(target)).content)

        async def raw_aiohttp_call() -> object:
            async with raw_aiohttp.get(target) as response:
                return json.loads(await response.read())

        def sim_call(client: SimClient) -> Call:
            if operation == "get":
                return lambda: client.get_integration(INTEGRATION_ID)
            return client.list_integrations

        contenders = {
            RAW: raw_call,
            RAW_AIOHTTP: raw_aiohttp_call,
            SIM: sim_call(sim),
            SIM_AIOHTTP: sim_call(sim_aiohttp),
        }
        size = 1 if operation == "get" else int(operation.removeprefix("list_"))
        for name, call in contenders.items():
            result = await call()
            expect((len(result) if isinstance(result, list) else 1) == size, f"{name} {operation}")
        yield contenders
