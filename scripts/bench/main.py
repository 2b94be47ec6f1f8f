"""``make bench``: ``SimClient`` against raw httpx and raw aiohttp (+ ``json.loads``), in one run.

``python -m scripts.bench.main [--quick] [--peer-python PATH] [--plot PNG] [--markdown MD]``

Sections (contenders measured in the same process and run, taking turns to cancel drift):

1. Per call over an in-process transport answering canned bytes (one ~2 KB integration, and a
   list of 100): raw ``httpx.AsyncClient.get`` + ``json.loads`` and ``SimClient``; rounds of N
   sequential calls, the order rotating; the median over rounds of the mean time per call.
2. Throughput over loopback against ``scripts.bench.server`` in its own process, GET one
   integration at concurrency 1, 4, 16, 64 and 256 (asyncio tasks sharing a fixed number of
   requests) and the lists of 100 and 1,000 at 1 and 16: default ``httpx.AsyncClient`` and
   ``aiohttp.ClientSession`` + ``json.loads``, ``SimClient`` on httpx's transport and on
   ``AiohttpTransport``; fresh clients per level, warmed up, the median of 3 passes.
   With ``--peer-python`` (a venv with the official SDK), the SDK in threads over the same
   server, at the same levels.
3. Memory: peak traced memory (tracemalloc) of ``list_integrations`` decoding 10,000
   integrations against ``json.loads`` of the same body.
4. The rate limiter's cost per call at 64 tasks in-process: ``rate_limit=RateLimit(10**9,
   per=1.0)`` against ``rate_limit=None`` (n/a while ``SimClient`` has no ``rate_limit``).
   Then the Redis store's (``scripts.bench.redis_store``, informational): the same with
   ``store=`` a private ``redis-server``, against the in-process limiter and one raw round trip
   to that Redis; "not measured", with the reason, without ``redis-server`` on PATH.
5. Import time of ``sim_client`` against ``import httpx, attrs`` in fresh interpreters.
6. Token single flight: 1,000 concurrent calls on a cold client-credentials ``SimClient`` make
   one token request (the script exits 1 otherwise).

``SimClient`` runs with its default ``rate_limit`` (see ``contenders.choose_limiter``). Prints
a table with each target of the throughput issue beside the figure it had when filed, writes
everything to ``bench-results.json``, the plot to ``--plot`` and, with ``--markdown``, the
results section of that file (``BENCHMARKS.md``). Progress goes to stderr. ``--quick`` is a
tiny configuration that only keeps the script working.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gc
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from sim_client import SimIntegration

from . import peer_sdk
from .contenders import (
    AUTH_HEADERS,
    BASE_URL,
    INTEGRATION_ID,
    RAW,
    RAW_AIOHTTP,
    SDK,
    SIM,
    SIM_AIOHTTP,
    CannedTransport,
    Limiter,
    LoopbackServer,
    choose_limiter,
    expect,
    far_above_load,
    has_rate_limit,
    loopback_contenders,
    simclient,
)
from .measure import (
    ROOT,
    RoundRunner,
    interleaved_throughput,
    machine,
    median,
    per_round_means,
    per_task,
    progress,
)
from .plot import write_plot
from .redis_store import bench_redis_store
from .report import Target, evaluate, plot_ratios, render, render_markdown, update_markdown
from .server import BIG_LIST_SIZE, LIST_SIZE, TOKEN, list_body, memory_body, one_body

DEFAULT_OUTPUT = ROOT / "bench-results.json"
DEFAULT_PLOT = ROOT / "bench-results.png"

RAW_MODEL = "raw httpx + json.loads + from_dict"
DECODE_JSON = "json.loads only, no HTTP"
DECODE_MODEL = "json.loads + from_dict, no HTTP"
INFORMATIONAL = (RAW_MODEL, DECODE_JSON, DECODE_MODEL)
LIMITED = "rate_limit=RateLimit(10**9, per=1.0)"
UNLIMITED = "rate_limit=None"


@dataclass(frozen=True)
class Config:
    rounds: int  # in-process rounds
    get_calls: int
    list_calls: int
    passes: int  # throughput rounds per level
    get_requests: int
    concurrency: tuple[int, ...]
    list_requests: int
    list_concurrency: tuple[int, ...]
    memory_items: int
    limiter_requests: int
    limiter_rounds: int
    import_runs: int
    token_calls: int


FULL = Config(
    rounds=9,
    get_calls=2000,
    list_calls=60,
    passes=3,
    get_requests=1024,
    concurrency=(1, 4, 16, 64, 256),
    list_requests=160,
    list_concurrency=(1, 16),
    memory_items=10_000,
    limiter_requests=2048,
    limiter_rounds=7,
    import_runs=15,
    token_calls=1000,
)
QUICK = Config(
    rounds=1,
    get_calls=20,
    list_calls=3,
    passes=1,
    get_requests=32,
    concurrency=(1, 4),
    list_requests=10,
    list_concurrency=(2,),
    memory_items=50,
    limiter_requests=64,
    limiter_rounds=1,
    import_runs=2,
    token_calls=1000,
)

#: The throughput issue's table: each target and what it measured when it was filed.
TARGETS = (
    Target(
        "aiohttp_c64",
        "GET req/s at c=64, SimClient on aiohttp vs raw aiohttp",
        0.5,
        at_most=False,
        anchor="0.32-0.54x",
    ),
    *(
        Target(
            f"sdk_c{level}",
            f"GET req/s at c={level}, SimClient on aiohttp vs the SDK in threads",
            2.0,
            at_most=False,
            anchor="1.5-1.95x",
        )
        for level in (16, 64, 256)
    ),
    Target(
        "get_integration",
        "get_integration in-process vs raw httpx + json.loads",
        1.15,
        at_most=True,
        anchor="1.08-1.29x",
    ),
    Target(
        "list_integrations",
        "list of 100 in-process vs raw httpx + json.loads",
        2.5,
        at_most=True,
        anchor="2.66-2.83x",
    ),
    Target(
        "import_time",
        "import sim_client vs import httpx, attrs",
        1.3,
        at_most=True,
        anchor="1.18-1.36x",
    ),
    Target(
        "memory",
        "peak memory, list of 10,000 decoded vs json.loads",
        2.5,
        at_most=True,
        anchor="not measured",
    ),
    Target(
        "limiter_cost",
        "rate limiter's cost per call at c=64, in-process",
        3.0,
        at_most=True,
        anchor="not measured",
        unit="%",
    ),
    Target(
        "httpx_c64",
        "GET req/s at c=64, SimClient on httpx vs raw httpx",
        0.9,
        at_most=False,
        anchor="(earlier target)",
    ),
    Target(
        "failures_c256",
        "failed SimClient calls at c=256 (both transports)",
        0,
        at_most=True,
        anchor="(earlier target)",
        unit="",
    ),
)


# 1. Per call, in-process.


def _summarise(means: dict[str, list[float]], floor: str) -> dict[str, dict[str, Any]]:
    base = median(means[floor])
    return {
        name: {
            "median_us": median(values),
            "ratio": median(values) / base if base else 0.0,
            "rounds_us": values,
        }
        for name, values in means.items()
    }


async def bench_per_call(config: Config, limiter: Limiter) -> dict[str, Any]:
    progress("in-process: get_integration and the list of 100")
    transport = CannedTransport()
    many = list_body()
    get_url = f"{BASE_URL}/beta/sim-integrations/{INTEGRATION_ID}"
    list_url = f"{BASE_URL}/beta/sim-integrations"
    async with (
        httpx.AsyncClient(transport=transport, headers=AUTH_HEADERS) as raw,
        simclient(BASE_URL, limiter, transport=transport) as sim,
    ):

        async def raw_get() -> object:
            return json.loads((await raw.get(get_url)).content)

        async def raw_list() -> object:
            return json.loads((await raw.get(list_url)).content)

        async def raw_get_model() -> object:
            return SimIntegration.from_dict(json.loads((await raw.get(get_url)).content))

        async def raw_list_model() -> object:
            documents = json.loads((await raw.get(list_url)).content)
            return [SimIntegration.from_dict(item) for item in documents]

        async def sim_get() -> object:
            return await sim.get_integration(INTEGRATION_ID)

        async def sim_list() -> object:
            return await sim.list_integrations()

        async def decode_json() -> object:
            return json.loads(many)

        async def decode_model() -> object:
            return [SimIntegration.from_dict(item) for item in json.loads(many)]

        one = await sim_get()
        expect(isinstance(one, SimIntegration) and one.id == INTEGRATION_ID, "SimClient get")
        documents = await sim_list()
        expect(isinstance(documents, list) and len(documents) == LIST_SIZE, "SimClient list")
        get_means = await per_round_means(
            {RAW: raw_get, RAW_MODEL: raw_get_model, SIM: sim_get}, config.get_calls, config.rounds
        )
        list_means = await per_round_means(
            {
                RAW: raw_list,
                RAW_MODEL: raw_list_model,
                SIM: sim_list,
                DECODE_JSON: decode_json,
                DECODE_MODEL: decode_model,
            },
            config.list_calls,
            config.rounds,
        )
    return {
        "transport": "in-process httpx.AsyncBaseTransport answering canned bytes",
        "response_bytes": {"get": len(one_body()), "list": len(many)},
        "calls_per_round": {"get": config.get_calls, "list": config.list_calls},
        "rounds": config.rounds,
        "get_integration": _summarise(get_means, RAW),
        "list_integrations": _summarise(list_means, RAW),
    }


# 2. Throughput over loopback.


async def bench_throughput(
    url: str, config: Config, limiter: Limiter, sdk: peer_sdk.Peer | None
) -> dict[str, Any]:
    get = {}
    elsewhere = {SDK: sdk.round} if sdk is not None else {}
    for tasks in config.concurrency:
        progress(f"loopback: GET one integration, {tasks} tasks")
        get[str(tasks)] = await _throughput_level(url, "get", tasks, config, limiter, elsewhere)
    lists: dict[str, Any] = {}
    for size in (LIST_SIZE, BIG_LIST_SIZE):
        lists[f"list_{size}"] = {}
        for tasks in config.list_concurrency:
            progress(f"loopback: GET the list of {size}, {tasks} tasks")
            lists[f"list_{size}"][str(tasks)] = await _throughput_level(
                url, f"list_{size}", tasks, config, limiter
            )
    return {
        "server": "scripts.bench.server: asyncio protocol server in its own process, 127.0.0.1",
        "clients": (
            "httpx.AsyncClient(), aiohttp.ClientSession(), SimClient(url, token=...) and "
            "SimClient(url, token=..., transport=AiohttpTransport()), default pool limits, "
            "fresh per level"
        ),
        "passes": config.passes,
        "get": get,
        **lists,
    }


async def _throughput_level(
    url: str,
    operation: str,
    concurrency: int,
    config: Config,
    limiter: Limiter,
    elsewhere: Mapping[str, RoundRunner] | None = None,
) -> dict[str, Any]:
    requests = config.get_requests if operation == "get" else config.list_requests
    if operation == f"list_{BIG_LIST_SIZE}":
        requests = max(1, requests // 10)
    calls = per_task(requests, concurrency)
    async with loopback_contenders(url, operation, limiter) as contenders:
        measured = await interleaved_throughput(
            contenders, concurrency, calls, config.passes, elsewhere
        )
    return {name: rounds.summary(calls * concurrency) for name, rounds in measured.items()}


def start_sdk(peer_python: Path, url: str) -> peer_sdk.Peer:
    """The official SDK's working GET (beta request, v2025 models) in threads, in its own
    interpreter, taking its turns with the other contenders."""
    progress(f"loopback: starting the official SDK ({peer_python})")
    return peer_sdk.Peer(
        peer_python, peer_sdk.Target(url, TOKEN, INTEGRATION_ID, LIST_SIZE), cwd=ROOT
    )


# 3. Memory.


async def _peak_bytes(call: Any) -> tuple[int, object]:
    """Peak traced memory while ``call()`` runs (its result included)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = await call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, result


async def bench_memory(config: Config, limiter: Limiter) -> dict[str, Any]:
    progress(f"memory: decoding a list of {config.memory_items:,} integrations")
    body = memory_body(config.memory_items)
    transport = CannedTransport(list_answer=body)
    async with simclient(BASE_URL, limiter, transport=transport) as sim:
        await sim.get_integration(INTEGRATION_ID)  # first-call imports and caches
        sim_peak, models = await _peak_bytes(sim.list_integrations)
        expect(isinstance(models, list) and len(models) == config.memory_items, "memory list")
        del models

    async def decode() -> object:
        return json.loads(body)

    json_peak, documents = await _peak_bytes(decode)
    del documents
    return {
        "method": "tracemalloc peak during the call, the result included; body pre-built",
        "items": config.memory_items,
        "body_bytes": len(body),
        "json_loads_peak_bytes": json_peak,
        "list_integrations_peak_bytes": sim_peak,
        "ratio": sim_peak / json_peak if json_peak else 0.0,
    }


# 4. The rate limiter's cost.


async def bench_limiter(config: Config) -> dict[str, Any]:
    if not has_rate_limit():
        return {"available": False, "reason": "SimClient has no rate_limit argument"}
    progress("in-process: the rate limiter's cost at 64 tasks")
    tasks = 64
    none = Limiter()  # each client below names its rate_limit itself
    async with (
        simclient(
            BASE_URL, none, transport=CannedTransport(), rate_limit=far_above_load()
        ) as limited,
        simclient(BASE_URL, none, transport=CannedTransport(), rate_limit=None) as unlimited,
    ):
        contenders = {
            LIMITED: lambda: limited.get_integration(INTEGRATION_ID),
            UNLIMITED: lambda: unlimited.get_integration(INTEGRATION_ID),
        }
        calls = per_task(config.limiter_requests, tasks)
        measured = await interleaved_throughput(contenders, tasks, calls, config.limiter_rounds)
    on, off = median(measured[LIMITED].rps), median(measured[UNLIMITED].rps)
    return {
        "available": True,
        "tasks": tasks,
        "rounds": config.limiter_rounds,
        "rows": {name: rounds.summary(calls * tasks) for name, rounds in measured.items()},
        # Time per call with the limiter over time per call without it, minus one.
        "cost_percent": (off / on - 1) * 100 if on else 0.0,
    }


# 5. Import time.

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
    progress("import time")
    # Bytecode as an installed wheel has it (pip compiles on install), even where
    # PYTHONDONTWRITEBYTECODE keeps the interpreter from writing it: httpx and attrs have theirs.
    compileall.compile_dir(ROOT / "sim_client", quiet=1)
    for statement in _IMPORTS.values():  # warm-up: the OS page cache
        _import_seconds(statement)
    runs: dict[str, list[float]] = {key: [] for key in _IMPORTS}
    for number in range(config.import_runs):
        order = list(_IMPORTS) if number % 2 == 0 else list(reversed(_IMPORTS))
        for key in order:
            runs[key].append(_import_seconds(_IMPORTS[key]) * 1000)
    base, ours = median(runs["httpx_attrs"]), median(runs["sim_client"])
    return {
        "method": "fresh interpreter per run; perf_counter around the import statement",
        "runs": config.import_runs,
        "httpx_attrs_ms": base,
        "sim_client_ms": ours,
        "ratio": ours / base if base else 0.0,
        "runs_ms": runs,
    }


# 6. Token single flight.


async def bench_token_single_flight(config: Config, limiter: Limiter) -> dict[str, Any]:
    progress("token single flight")
    transport = CannedTransport(token_delay=0.01)
    started = time.perf_counter()
    async with simclient(
        BASE_URL,
        limiter,
        token=None,
        client_id="bench-client-id",
        client_secret="bench-client-secret",  # noqa: S106 - a canned value
        transport=transport,
    ) as sim:
        results = await asyncio.gather(
            *(sim.get_integration(INTEGRATION_ID) for _ in range(config.token_calls))
        )
    elapsed = time.perf_counter() - started
    expect(all(result.id == INTEGRATION_ID for result in results), "token single flight")
    return {
        "calls": config.token_calls,
        "token_requests": transport.token_requests,
        "elapsed_ms": elapsed * 1000,
        "ok": transport.token_requests == 1,
    }


# The run.


async def run_in_process(config: Config, limiter: Limiter) -> dict[str, Any]:
    return {
        "per_call": await bench_per_call(config, limiter),
        "memory": await bench_memory(config, limiter),
        "rate_limiter": await bench_limiter(config),
        "redis_store": await bench_redis_store(config.limiter_requests, config.limiter_rounds),
        "token_single_flight": await bench_token_single_flight(config, limiter),
    }


def _rps_ratio(rows: dict[str, Any] | None, ours: str, floor: str) -> float | None:
    if not rows or not rows[floor]["rps"]:
        return None
    ratio: float = rows[ours]["rps"] / rows[floor]["rps"]
    return ratio


def figures(results: dict[str, Any]) -> dict[str, float | None]:
    """The figure each target of :data:`TARGETS` is checked against (None: not measured)."""
    per_call = results["per_call"]
    levels = results["throughput"]["get"]
    c256 = levels.get("256")
    values: dict[str, float | None] = {
        "aiohttp_c64": _rps_ratio(levels.get("64"), SIM_AIOHTTP, RAW_AIOHTTP),
        "get_integration": per_call["get_integration"][SIM]["ratio"],
        "list_integrations": per_call["list_integrations"][SIM]["ratio"],
        "import_time": results["import_time"]["ratio"],
        "memory": results["memory"]["ratio"],
        "limiter_cost": results["rate_limiter"].get("cost_percent"),
        "httpx_c64": _rps_ratio(levels.get("64"), SIM, RAW),
        "failures_c256": c256[SIM]["failures"] + c256[SIM_AIOHTTP]["failures"] if c256 else None,
    }
    for level in ("16", "64", "256"):
        rows = levels.get(level)
        values[f"sdk_c{level}"] = (
            _rps_ratio(rows, SIM_AIOHTTP, SDK) if rows and SDK in rows else None
        )
    return values


def plot_series(results: dict[str, Any]) -> dict[str, dict[int, float]]:
    """req/s of each contender at each level, GET one integration."""
    series: dict[str, dict[int, float]] = {}
    for level, rows in results["throughput"]["get"].items():
        for name in (RAW_AIOHTTP, RAW, SIM_AIOHTTP, SIM):
            series.setdefault(name, {})[int(level)] = rows[name]["rps"]
        if SDK in rows:
            series.setdefault(SDK, {})[int(level)] = rows[SDK]["rps"]
    return series


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a tiny configuration (smoke test)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON results")
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="the plot (.png or .svg)")
    parser.add_argument(
        "--markdown", type=Path, help="a file whose results section to rewrite (BENCHMARKS.md)"
    )
    parser.add_argument(
        "--peer-python", type=Path, help="the interpreter of a venv with the sailpoint SDK 1.4.x"
    )
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    peer_python = args.peer_python.absolute() if args.peer_python else None
    if peer_python is not None and not peer_python.exists():
        parser.error(f"no interpreter at {peer_python}")
    started = time.perf_counter()
    limiter = asyncio.run(choose_limiter())
    progress(f"rate limit: {limiter.description}")
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {"quick": args.quick, **asdict(config)},
        "rate_limit": limiter.description,
    }
    results.update(asyncio.run(run_in_process(config, limiter)))
    with LoopbackServer() as server:
        try:
            sdk = start_sdk(peer_python, server.url) if peer_python is not None else None
            try:
                results["throughput"] = asyncio.run(
                    bench_throughput(server.url, config, limiter, sdk)
                )
            finally:
                if sdk is not None:
                    sdk.close()
        except RuntimeError as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
        if sdk is not None:
            results["sdk"] = {"contender": peer_sdk.WORKAROUND, **sdk.about}
    results["import_time"] = bench_import(config)
    results["targets"] = evaluate(TARGETS, figures(results))
    results["duration_s"] = time.perf_counter() - started
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_plot(
        args.plot,
        f"sim_client benchmark, {results['generated_at']}, "
        f"{results['machine']['cpus_usable']} CPUs, {results['machine']['python']}",
        plot_series(results),
        plot_ratios(results["targets"]),
    )
    print(render(results))
    print(f"\nwrote {args.output} and {args.plot}")
    if args.markdown is not None:
        update_markdown(args.markdown, render_markdown(results, args.plot, args.markdown))
        print(f"updated the results section of {args.markdown}")
    if not results["token_single_flight"]["ok"]:
        print("FAILED: the token was fetched more than once", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
