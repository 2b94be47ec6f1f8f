"""Benchmark ``sim_client`` against raw httpx and raw aiohttp (+ ``json.loads``), in one run.

Sections (each contender measured in the same process and run, interleaved to cancel drift):

1. Per-call overhead over an in-process transport that answers canned bytes (one ~2 KB
   integration, and a list of 100): raw ``httpx.AsyncClient.get`` + ``json.loads``, the
   generated ``asyncio_detailed`` functions, and ``SimClient``, all over the same transport.
   Rounds of N sequential calls per contender, the order rotating each round; the figure is
   the median over rounds of the mean microseconds per call. Reference rows show what
   decoding into the attrs models costs on its own.
2. Throughput over loopback against ``bench_server.py`` running in a separate process, at
   concurrency 1, 16, 64 and 256 (asyncio tasks sharing a fixed number of requests): default
   ``httpx.AsyncClient`` and ``aiohttp.ClientSession`` + ``json.loads``, and ``SimClient`` on
   httpx's own transport and on ``AiohttpTransport``, for GET one integration and for the
   list of 100 and of 1,000; fresh clients per level, warmed up, then rounds alternating the
   order; median requests per second, the client process's CPU time per request, and every
   failed call counted.
3. Import time of ``sim_client`` against ``import httpx, attrs``: median over fresh
   interpreters of the time the import statement itself takes.
4. Token single flight: token requests made by 1,000 concurrent calls on a cold
   client-credentials ``SimClient`` (must be 1; the script exits 1 otherwise).

Prints a table with PASS/MISS per target and writes everything to ``bench-results.json``
(or ``--output``). ``--quick`` is a tiny configuration that only keeps the script working.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.util
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import httpx
from bench_server import (
    BIG_LIST_SIZE,
    LIST_SIZE,
    TOKEN,
    integration,
    list_body,
    one_body,
    token_body,
)

import sim_client
from sim_client import SimClient, SimIntegration
from sim_client._generated.api.sim_integrations import get_sim_integration, get_sim_integrations
from sim_client._generated.client import AuthenticatedClient
from sim_client.aiohttp_transport import AiohttpTransport

ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = Path(__file__).resolve().parent / "bench_server.py"
DEFAULT_OUTPUT = ROOT / "bench-results.json"
BASE_URL = "https://acme.api.identitynow.com"
INTEGRATION_ID = str(integration(0)["id"])
AUTH_HEADERS = {"Authorization": f"Bearer {TOKEN}"}
SERVER_START_TIMEOUT = 30.0

RAW = "raw httpx + json.loads"
RAW_AIOHTTP = "raw aiohttp + json.loads"
SIM_AIOHTTP = "SimClient + AiohttpTransport"
RAW_MODEL = "raw httpx + json.loads + from_dict"
GENERATED = "generated asyncio_detailed"
SIM = "SimClient"
DECODE_JSON = "json.loads only, no HTTP"
DECODE_MODEL = "json.loads + from_dict, no HTTP"
INFORMATIONAL = (RAW_MODEL, DECODE_JSON, DECODE_MODEL)


@dataclass(frozen=True)
class Config:
    rounds: int
    get_calls: int
    list_calls: int
    throughput_rounds: int
    throughput_requests: int
    concurrency: tuple[int, ...]
    list_requests: int
    list_concurrency: tuple[int, ...]
    import_runs: int
    token_calls: int


FULL = Config(
    rounds=9,
    get_calls=2000,
    list_calls=60,
    throughput_rounds=5,
    throughput_requests=1536,
    concurrency=(1, 16, 64, 256),
    list_requests=160,
    list_concurrency=(1, 16),
    import_runs=15,
    token_calls=1000,
)
QUICK = Config(
    rounds=1,
    get_calls=20,
    list_calls=3,
    throughput_rounds=1,
    throughput_requests=32,
    concurrency=(1, 4),
    list_requests=10,
    list_concurrency=(2,),
    import_runs=2,
    token_calls=1000,
)


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    at_most: bool  # True: measured <= limit passes; False: measured >= limit passes
    unit: str = "x"  # "x": a ratio; "": a count


TARGETS = (
    Target("get_integration", "get_integration vs raw httpx + json.loads", 1.15, True),
    Target("list_integrations", "list_integrations (100) vs raw httpx + json.loads", 2.5, True),
    Target("throughput_c64", "SimClient req/s at 64 tasks vs raw httpx", 0.9, False),
    Target(
        "aiohttp_throughput_c64",
        "SimClient + AiohttpTransport at 64 tasks vs raw aiohttp",
        0.5,
        False,
    ),
    Target("failures_c256", "failed SimClient calls at 256 tasks (both transports)", 0, True, ""),
    Target("import_time", "import sim_client vs import httpx, attrs", 1.3, True),
)


# In-process transport.


class CannedTransport(httpx.AsyncBaseTransport):
    """Answers the SIM paths and ``/oauth/token`` with pre-built bytes, counting token requests.

    ``token_delay`` makes the token endpoint slow (in seconds) so that concurrent callers
    really do pile up behind the first token request.
    """

    def __init__(self, *, token_delay: float = 0.0) -> None:
        self.token_requests = 0
        self._token_delay = token_delay
        self._one = one_body()
        self._list = list_body()
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


# Measuring.


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


async def _per_round_means(
    contenders: dict[str, Callable[[], Awaitable[object]]], calls: int, rounds: int
) -> dict[str, list[float]]:
    """Mean microseconds per call of each contender in each round; the order rotates."""
    names = list(contenders)
    for name in names:  # warm-up: caches, connection set-up, first-call imports
        for _ in range(max(3, calls // 10)):
            await contenders[name]()
    means: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            gc.collect()
            started = time.perf_counter()
            for _ in range(calls):
                await call()
            means[name].append((time.perf_counter() - started) / calls * 1e6)
    return means


def _summarise(means: dict[str, list[float]], floor: str) -> dict[str, dict[str, Any]]:
    base = _median(means[floor])
    return {
        name: {
            "median_us": _median(values),
            "ratio": _median(values) / base if base else 0.0,
            "rounds_us": values,
        }
        for name, values in means.items()
    }


async def bench_per_call(config: Config) -> dict[str, Any]:
    transport = CannedTransport()
    one, many = one_body(), list_body()
    get_url = f"{BASE_URL}/beta/sim-integrations/{INTEGRATION_ID}"
    list_url = f"{BASE_URL}/beta/sim-integrations"
    async with (
        httpx.AsyncClient(transport=transport, headers=AUTH_HEADERS) as raw,
        httpx.AsyncClient(
            transport=transport, base_url=f"{BASE_URL}/beta", headers=AUTH_HEADERS
        ) as generated_http,
        httpx.AsyncClient(transport=transport) as sim_http,
        SimClient(BASE_URL, token=TOKEN, http_client=sim_http) as sim,
    ):
        generated = AuthenticatedClient(base_url=f"{BASE_URL}/beta", token=TOKEN)
        generated.set_async_httpx_client(generated_http)

        async def raw_get() -> object:
            return json.loads((await raw.get(get_url)).content)

        async def raw_list() -> object:
            return json.loads((await raw.get(list_url)).content)

        async def raw_get_model() -> object:
            return SimIntegration.from_dict(json.loads((await raw.get(get_url)).content))

        async def raw_list_model() -> object:
            documents = json.loads((await raw.get(list_url)).content)
            return [SimIntegration.from_dict(item) for item in documents]

        async def generated_get() -> object:
            return await get_sim_integration.asyncio_detailed(INTEGRATION_ID, client=generated)

        async def generated_list() -> object:
            return await get_sim_integrations.asyncio_detailed(client=generated)

        async def sim_get() -> object:
            return await sim.get_integration(INTEGRATION_ID)

        async def sim_list() -> object:
            return await sim.list_integrations()

        async def decode_json() -> object:
            return json.loads(many)

        async def decode_model() -> object:
            return [SimIntegration.from_dict(item) for item in json.loads(many)]

        await _check_contenders(raw_get, generated_get, sim_get, raw_list, generated_list, sim_list)
        get_means = await _per_round_means(
            {RAW: raw_get, RAW_MODEL: raw_get_model, GENERATED: generated_get, SIM: sim_get},
            config.get_calls,
            config.rounds,
        )
        list_means = await _per_round_means(
            {
                RAW: raw_list,
                RAW_MODEL: raw_list_model,
                GENERATED: generated_list,
                SIM: sim_list,
                DECODE_JSON: decode_json,
                DECODE_MODEL: decode_model,
            },
            config.list_calls,
            config.rounds,
        )
    return {
        "transport": "in-process httpx.AsyncBaseTransport answering canned bytes",
        "response_bytes": {"get": len(one), "list": len(many)},
        "calls_per_round": {"get": config.get_calls, "list": config.list_calls},
        "rounds": config.rounds,
        "get_integration": _summarise(get_means, RAW),
        "list_integrations": _summarise(list_means, RAW),
    }


async def _check_contenders(
    raw_get: Callable[[], Awaitable[object]],
    generated_get: Callable[[], Awaitable[object]],
    sim_get: Callable[[], Awaitable[object]],
    raw_list: Callable[[], Awaitable[object]],
    generated_list: Callable[[], Awaitable[object]],
    sim_list: Callable[[], Awaitable[object]],
) -> None:
    """Each contender really gets the data (a benchmark of failures would be meaningless)."""
    document = await raw_get()
    _expect(isinstance(document, dict) and document["id"] == INTEGRATION_ID, "raw get")
    parsed = getattr(await generated_get(), "parsed", None)
    _expect(isinstance(parsed, SimIntegration) and parsed.id == INTEGRATION_ID, "generated get")
    one = await sim_get()
    _expect(isinstance(one, SimIntegration) and one.id == INTEGRATION_ID, "SimClient get")
    documents = await raw_list()
    _expect(isinstance(documents, list) and len(documents) == 100, "raw list")
    parsed_list = getattr(await generated_list(), "parsed", None)
    _expect(
        isinstance(parsed_list, list)
        and len(parsed_list) == 100
        and all(isinstance(item, SimIntegration) for item in parsed_list),
        "generated list",
    )
    many = await sim_list()
    _expect(isinstance(many, list) and len(many) == 100, "SimClient list")


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(f"benchmark contender {what} did not return the expected data")


# Throughput over loopback.


class LoopbackServer:
    """``bench_server.py`` in a child process; stopped (never orphaned) by :meth:`stop`."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
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


async def _throughput_round(
    call: Callable[[], Awaitable[object]], concurrency: int, per_task: int
) -> tuple[float, float, int]:
    """Requests per second, client CPU microseconds per request and failed calls, one round."""
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for _ in range(per_task):
            try:
                await call()
            except Exception:
                failures += 1

    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    requests = per_task * concurrency
    return requests / elapsed, cpu / requests * 1e6, failures


@dataclass
class Rounds:
    """One contender's figures at one level: per round, and failed calls in all of them."""

    rps: list[float]
    cpu_us: list[float]
    failures: int = 0

    def summary(self, requests_per_round: int) -> dict[str, Any]:
        return {
            "requests_per_round": requests_per_round,
            "rps": _median(self.rps),
            "cpu_us_per_request": _median(self.cpu_us),
            "failures": self.failures,
            "rounds_rps": self.rps,
        }


async def interleaved_throughput(
    contenders: dict[str, Callable[[], Awaitable[object]]],
    concurrency: int,
    per_task: int,
    rounds: int,
) -> dict[str, Rounds]:
    """Warm each contender up, then run ``rounds`` A/B, B/A rounds; req/s and CPU us per round."""
    measured = {name: Rounds([], []) for name in contenders}
    # Warm-up: the pool opens a connection per task, then settles to what it keeps alive.
    for name, call in contenders.items():
        measured[name].failures += (await _throughput_round(call, concurrency, 2))[2]
    for number in range(rounds):
        order = list(contenders) if number % 2 == 0 else list(reversed(contenders))
        for name in order:
            rate, cpu_us, failures = await _throughput_round(
                contenders[name], concurrency, per_task
            )
            measured[name].rps.append(rate)
            measured[name].cpu_us.append(cpu_us)
            measured[name].failures += failures
    return measured


async def bench_throughput(config: Config) -> dict[str, Any]:
    server = LoopbackServer()
    try:
        get = {
            str(tasks): await _throughput_level(server.url, "get", tasks, config)
            for tasks in config.concurrency
        }
        lists = {
            f"list_{size}": {
                str(tasks): await _throughput_level(server.url, f"list_{size}", tasks, config)
                for tasks in config.list_concurrency
            }
            for size in (LIST_SIZE, BIG_LIST_SIZE)
        }
    finally:
        server.stop()
    return {
        "server": "bench_server.py: asyncio protocol server in a separate process, 127.0.0.1",
        "clients": (
            "httpx.AsyncClient(), aiohttp.ClientSession(), SimClient(url, token=...) and "
            "SimClient(url, token=..., transport=AiohttpTransport()), default pool limits, "
            "fresh per level"
        ),
        "rounds": config.throughput_rounds,
        "get": get,
        **lists,
    }


@contextlib.asynccontextmanager
async def loopback_contenders(
    url: str, operation: str
) -> AsyncIterator[dict[str, Callable[[], Awaitable[object]]]]:
    """Fresh clients of every contender for ``operation`` ("get", "list_100", "list_1000")."""
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
        SimClient(root, token=TOKEN) as sim,
        SimClient(root, token=TOKEN, transport=AiohttpTransport()) as sim_aiohttp,
    ):

        async def raw_call() -> object:
            return json.loads((await raw.get(target)).content)

        async def raw_aiohttp_call() -> object:
            async with raw_aiohttp.get(target) as response:
                return json.loads(await response.read())

        def sim_call(client: SimClient) -> Callable[[], Awaitable[object]]:
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
        for name, call in contenders.items():  # each really gets the data
            result = await call()
            _expect((len(result) if isinstance(result, list) else 1) == size, f"{name} {operation}")
        yield contenders


async def _throughput_level(
    url: str, operation: str, concurrency: int, config: Config
) -> dict[str, Any]:
    """Fresh clients for this level, warmed up, then A/B/B/A rounds; medians of each."""
    requests = config.throughput_requests if operation == "get" else config.list_requests
    if operation == f"list_{BIG_LIST_SIZE}":
        requests = max(1, requests // 10)
    per_task = max(1, -(-requests // concurrency))
    async with loopback_contenders(url, operation) as contenders:
        measured = await interleaved_throughput(
            contenders, concurrency, per_task, config.throughput_rounds
        )
    return {name: rounds.summary(per_task * concurrency) for name, rounds in measured.items()}


# Import time.

_IMPORTS = {"httpx_attrs": "import httpx, attrs", "sim_client": "import sim_client"}


def _import_seconds(statement: str) -> float:
    code = (
        "import time\n"
        "started = time.perf_counter()\n"
        f"{statement}\n"
        "print(time.perf_counter() - started)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    return float(result.stdout.strip())


def bench_import(config: Config) -> dict[str, Any]:
    for statement in _IMPORTS.values():  # warm-up: bytecode caches and the OS page cache
        _import_seconds(statement)
    runs: dict[str, list[float]] = {key: [] for key in _IMPORTS}
    for number in range(config.import_runs):
        order = list(_IMPORTS) if number % 2 == 0 else list(reversed(_IMPORTS))
        for key in order:
            runs[key].append(_import_seconds(_IMPORTS[key]) * 1000)
    base, ours = _median(runs["httpx_attrs"]), _median(runs["sim_client"])
    return {
        "method": "fresh interpreter per run; perf_counter around the import statement",
        "runs": config.import_runs,
        "httpx_attrs_ms": base,
        "sim_client_ms": ours,
        "ratio": ours / base if base else 0.0,
        "runs_ms": runs,
    }


# Token single flight.


async def bench_token_single_flight(config: Config) -> dict[str, Any]:
    transport = CannedTransport(token_delay=0.01)
    started = time.perf_counter()
    async with (
        httpx.AsyncClient(transport=transport) as http,
        SimClient(
            BASE_URL,
            client_id="bench-client-id",
            client_secret="bench-client-secret",  # noqa: S106 - a canned value
            http_client=http,
        ) as sim,
    ):
        results = await asyncio.gather(
            *(sim.get_integration(INTEGRATION_ID) for _ in range(config.token_calls))
        )
    elapsed = time.perf_counter() - started
    _expect(all(result.id == INTEGRATION_ID for result in results), "token single flight")
    return {
        "calls": config.token_calls,
        "token_requests": transport.token_requests,
        "elapsed_ms": elapsed * 1000,
        "ok": transport.token_requests == 1,
    }


# Report.


def machine() -> dict[str, Any]:
    cpu_model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "platform": platform.platform(),
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "httpx": httpx.__version__,
        "attrs": attrs.__version__,
        "sim_client": sim_client.__version__,
        "custom_model_templates": (ROOT / "openapi" / "templates").is_dir(),
        # httpcore retries a failing `import sniffio` on every request when it is missing.
        "sniffio_installed": importlib.util.find_spec("sniffio") is not None,
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*args: str) -> str:
    try:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, cwd=ROOT, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _rps_ratio(level: dict[str, Any] | None, ours: str, floor: str) -> float | None:
    if level is None or not level[floor]["rps"]:
        return None
    ratio: float = level[ours]["rps"] / level[floor]["rps"]
    return ratio


def evaluate(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    per_call = results["per_call"]
    levels = results["throughput"]["get"]
    c256 = levels.get("256")
    measured: dict[str, float | None] = {
        "get_integration": per_call["get_integration"][SIM]["ratio"],
        "list_integrations": per_call["list_integrations"][SIM]["ratio"],
        "throughput_c64": _rps_ratio(levels.get("64"), SIM, RAW),
        "aiohttp_throughput_c64": _rps_ratio(levels.get("64"), SIM_AIOHTTP, RAW_AIOHTTP),
        "failures_c256": c256[SIM]["failures"] + c256[SIM_AIOHTTP]["failures"] if c256 else None,
        "import_time": results["import_time"]["ratio"],
    }
    verdicts: dict[str, dict[str, Any]] = {}
    for target in TARGETS:
        value = measured[target.key]
        if value is None:
            status = "SKIP"
        elif target.at_most:
            status = "PASS" if value <= target.limit else "MISS"
        else:
            status = "PASS" if value >= target.limit else "MISS"
        verdicts[target.key] = {
            "label": target.label,
            "measured_ratio": value,
            "unit": target.unit,
            "limit": f"{'<=' if target.at_most else '>='} {target.limit}{target.unit}",
            "status": status,
        }
    return verdicts


def render(results: dict[str, Any]) -> str:
    info = results["machine"]
    lines = [
        f"sim_client benchmark ({'quick' if results['config']['quick'] else 'full'})",
        f"{info['cpu_model']}, {info['cpus_usable']} CPUs usable, {info['platform']}",
        f"{info['python']}, httpx {info['httpx']}, attrs {info['attrs']}",
        "",
    ]
    per_call = results["per_call"]
    sizes = per_call["response_bytes"]
    for key, title in (
        ("get_integration", f"get_integration ({sizes['get']} B)"),
        ("list_integrations", f"list_integrations (100 items, {sizes['list']} B)"),
    ):
        lines.append(f"Per call, in-process transport: {title}")
        lines.append(f"  {'contender':<36}{'median us':>12}{'vs raw':>9}")
        for name, row in per_call[key].items():
            shown = f"({name})" if name in INFORMATIONAL else name
            lines.append(f"  {shown:<36}{row['median_us']:>12.1f}{row['ratio']:>8.2f}x")
        lines.append("")
    lines.append("  (rows in parentheses are references for the cost of decoding, not contenders)")
    lines.append("")
    throughput = results["throughput"]
    for key, title in (
        ("get", "GET one integration"),
        (f"list_{LIST_SIZE}", f"GET the list of {LIST_SIZE}"),
        (f"list_{BIG_LIST_SIZE}", f"GET the list of {BIG_LIST_SIZE:,}"),
    ):
        lines.extend(
            render_levels(
                f"Throughput over loopback (server in its own process): {title}", throughput[key]
            )
        )
        lines.append("")
    imp = results["import_time"]
    lines.append(f"Import time, median of {imp['runs']} fresh interpreters")
    lines.append(f"  import httpx, attrs  {imp['httpx_attrs_ms']:8.1f} ms")
    lines.append(f"  import sim_client    {imp['sim_client_ms']:8.1f} ms  ({imp['ratio']:.2f}x)")
    lines.append("")
    token = results["token_single_flight"]
    lines.append(
        f"Token single flight: {token['calls']} concurrent calls on a cold client -> "
        f"{token['token_requests']} token request(s)  {'OK' if token['ok'] else 'FAILED'}"
    )
    lines.append("")
    lines.append("Targets")
    for verdict in results["targets"].values():
        value = verdict["measured_ratio"]
        if value is None:
            shown = "n/a"
        else:
            shown = f"{value:.2f}x" if verdict["unit"] == "x" else f"{value:.0f}"
        lines.append(
            f"  {verdict['status']:<5} {verdict['label']:<58}{shown:>8}"
            f"  (target {verdict['limit']})"
        )
    return "\n".join(lines)


SHORT_NAMES = {
    RAW: "raw httpx",
    RAW_AIOHTTP: "raw aiohttp",
    SIM: "SimClient",
    SIM_AIOHTTP: "Sim+aiohttp",
}


def render_levels(title: str, levels: dict[str, dict[str, Any]]) -> list[str]:
    """req/s and client CPU us per request of each contender at each level; failures if any."""
    names = list(next(iter(levels.values())))
    lines = [title, f"  {'tasks':>5}" + "".join(f"{SHORT_NAMES.get(n, n):>23}" for n in names)]
    lines.append(f"  {'':>5}" + f"{'req/s':>12}{'CPU us/req':>11}" * len(names))
    for level, rows in levels.items():
        cells = "".join(
            f"{rows[n]['rps']:>12.0f}{rows[n]['cpu_us_per_request']:>11.0f}" for n in names
        )
        failed = {SHORT_NAMES.get(n, n): rows[n]["failures"] for n in names if rows[n]["failures"]}
        lines.append(f"  {level:>5}{cells}" + (f"  FAILED CALLS {failed}" if failed else ""))
    return lines


async def run_async(config: Config) -> dict[str, Any]:
    return {
        "per_call": await bench_per_call(config),
        "throughput": await bench_throughput(config),
        "token_single_flight": await bench_token_single_flight(config),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a tiny configuration (smoke test)")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results"
    )
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {"quick": args.quick, **config.__dict__},
    }
    results.update(asyncio.run(run_async(config)))
    results["import_time"] = bench_import(config)
    results["targets"] = evaluate(results)
    results["duration_s"] = time.perf_counter() - started
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    print(f"\nwrote {args.output}")
    if not results["token_single_flight"]["ok"]:
        print("FAILED: the token was fetched more than once", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
