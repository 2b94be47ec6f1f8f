"""Peer benchmark: the official ``sailpoint`` SDK and ``SimClient`` against the same server.

``make bench-peer`` installs the SDK into a venv of its own and runs this script with
``--peer-python`` pointing at that venv's interpreter
(``python -m scripts.bench.peer --peer-python PATH``). It starts ``scripts.bench.server`` in its
own process, then:

1. runs ``scripts.bench.peer_sdk`` with the peer interpreter: the SDK's beta SIM Integrations API
   (sync, urllib3, pydantic models) for GET one integration and GET the list of 100,
   sequentially and from asyncio tasks through ``asyncio.to_thread`` (see that script for its
   contenders);
2. measures, in this process and over the same server, ``SimClient`` on httpx's transport and on
   ``AiohttpTransport``, with raw httpx and raw aiohttp + ``json.loads`` as references, for the
   same operations: the median over rounds of the mean microseconds per call, and requests per
   second with asyncio tasks at the same concurrency levels (fresh clients per level, warmed up,
   rounds alternating the order);
3. times decoding alone, no HTTP: the 100-item list body into ``SimIntegration`` models here,
   and into the SDK's models there;
4. prints met/not met for ``SimClient`` + ``AiohttpTransport`` serving at least
   :data:`PEER_TARGET` times the working SDK call's requests per second at 16, 64 and 256 tasks,
   and plots every contender's requests per second against concurrency (``--plot``).

A contender that crashes (the SDK's beta calls do, see the findings) has the exception as its
result. ``SimClient`` runs with its default ``rate_limit`` (as in ``scripts.bench.main``). Prints
a table and writes ``bench-peer-results.json`` (or ``--output``); the server is stopped at the
end whatever happens; progress goes to stderr. ``--quick`` is a tiny configuration that only
keeps the script working.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim_client import SimIntegration

from .contenders import (
    INTEGRATION_ID,
    RAW,
    RAW_AIOHTTP,
    SIM,
    SIM_AIOHTTP,
    Limiter,
    LoopbackServer,
    choose_limiter,
    loopback_contenders,
)
from .measure import (
    ROOT,
    interleaved_throughput,
    machine,
    median,
    per_round_means,
    per_task,
    progress,
)
from .peer_sdk import (
    DECODE_BETA,
    DECODE_JSON,
    DECODE_V2025,
    FLOOR,
    OPERATIONS,
    SHIPPED,
    WORKAROUND,
    launch,
)
from .peer_sdk import Target as SdkTarget
from .plot import write_plot
from .report import MET, NOT_AVAILABLE, NOT_MET
from .server import LIST_SIZE, TOKEN, list_body, one_body

DEFAULT_OUTPUT = ROOT / "bench-peer-results.json"
DEFAULT_PLOT = ROOT / "bench-peer-results.png"

DECODE_SIM = "json.loads + SimIntegration.from_dict"
REFERENCES = (FLOOR, RAW, RAW_AIOHTTP)  # shown in parentheses: floors, not contenders
#: SimClient + AiohttpTransport must serve at least this many times the working SDK call's
#: requests per second, GET one integration, at each of these levels.
PEER_TARGET = 2.0
PEER_TARGET_LEVELS = ("16", "64", "256")
TITLES = {
    "get_integration": "GET one integration",
    "list_integrations": f"GET the list of {LIST_SIZE} integrations",
}


@dataclass(frozen=True)
class Config:
    rounds: int
    get_calls: int
    list_calls: int
    decode_calls: int
    pool_rounds: int
    get_requests: int
    list_requests: int
    concurrency: tuple[int, ...]


FULL = Config(
    rounds=7,
    get_calls=400,
    list_calls=30,
    decode_calls=40,
    pool_rounds=5,
    get_requests=1024,
    list_requests=128,
    concurrency=(1, 16, 64, 256),
)
QUICK = Config(
    rounds=1,
    get_calls=5,
    list_calls=2,
    decode_calls=2,
    pool_rounds=1,
    get_requests=16,
    list_requests=8,
    concurrency=(1, 4),
)


# The SDK, in the peer interpreter.


def run_peer(peer_python: Path, url: str, config: Config) -> dict[str, Any]:
    progress("the official SDK, in its own interpreter")
    target = SdkTarget(url, TOKEN, INTEGRATION_ID, LIST_SIZE)
    return launch(peer_python, target, asdict(config), cwd=ROOT)


# SimClient, in this process.

# scripts.bench.contenders' loopback contenders by operation name.
LOOPBACK = {"get_integration": "get", "list_integrations": f"list_{LIST_SIZE}"}


async def _task_level(
    url: str, tasks: int, operation: str, config: Config, limiter: Limiter
) -> dict[str, Any]:
    """Fresh clients for this level, warmed up, then A/B/B/A rounds; medians of each."""
    requests = config.get_requests if operation == "get_integration" else config.list_requests
    calls = per_task(requests, tasks)
    async with loopback_contenders(url, LOOPBACK[operation], limiter) as contenders:
        measured = await interleaved_throughput(contenders, tasks, calls, config.pool_rounds)
    return {name: rounds.summary(calls * tasks) for name, rounds in measured.items()}


async def measure_sim(url: str, config: Config, limiter: Limiter) -> dict[str, Any]:
    means = {}
    for operation in OPERATIONS:
        progress(f"SimClient and the raw clients: {operation}, sequential calls")
        async with loopback_contenders(url, LOOPBACK[operation], limiter) as contenders:
            calls = config.get_calls if operation == "get_integration" else config.list_calls
            means[operation] = await per_round_means(contenders, calls, config.rounds)
    operations: dict[str, Any] = {}
    for operation in OPERATIONS:
        levels = {}
        for tasks in config.concurrency:
            progress(f"SimClient and the raw clients: {operation}, {tasks} tasks")
            levels[str(tasks)] = await _task_level(url, tasks, operation, config, limiter)
        operations[operation] = {
            name: {
                "sequential_us": median(values),
                "rounds_us": values,
                "concurrent": {level: result[name] for level, result in levels.items()},
            }
            for name, values in means[operation].items()
        }
    return operations


async def measure_decoding(config: Config) -> dict[str, Any]:
    body = list_body()

    async def decode_json() -> object:
        return json.loads(body)

    async def decode_sim() -> object:
        return [SimIntegration.from_dict(item) for item in json.loads(body)]

    means = await per_round_means(
        {DECODE_JSON: decode_json, DECODE_SIM: decode_sim}, config.decode_calls, config.rounds
    )
    return {
        "body_bytes": len(body),
        "calls_per_round": config.decode_calls,
        "rows": {
            name: {"median_ms": median(values) / 1000, "rounds_us": values}
            for name, values in means.items()
        },
    }


# Report.


def compare(results: dict[str, Any]) -> dict[str, Any]:
    """SimClient's figures (on each transport) over the working SDK call's (time: below 1 is
    faster; req/s: above)."""
    comparison: dict[str, Any] = {}
    for operation in OPERATIONS:
        rows = results["operations"][operation]["contenders"]
        sdk = rows.get(WORKAROUND, {})
        if "sequential_us" not in sdk:
            continue
        comparison[operation] = {
            name: {
                "time_per_call_ratio": rows[name]["sequential_us"] / sdk["sequential_us"],
                "rps_ratio": {
                    level: rows[name]["concurrent"][level]["rps"] / sdk["concurrent"][level]["rps"]
                    for level in rows[name]["concurrent"]
                },
            }
            for name in (SIM, SIM_AIOHTTP)
        }
    decoding = results["decoding"]
    sdk_ms = decoding["sdk"].get(DECODE_V2025, {}).get("median_ms")
    sim_ms = decoding["sim_client"][DECODE_SIM]["median_ms"]
    if sdk_ms:
        comparison["decoding_time_ratio"] = sim_ms / sdk_ms
    return comparison


def findings(results: dict[str, Any]) -> list[str]:
    """What the SDK gets wrong on this data, read from the results."""
    found: list[str] = []
    operations = results["operations"]
    shipped_list = operations["list_integrations"]["contenders"].get(SHIPPED, {})
    if "error" in shipped_list:
        if "(got list)" in shipped_list["error"]["message"]:
            found.append(
                "the SDK's beta list call types its answer as one ServiceDeskIntegrationDto "
                "(upstream D1): it raises on the JSON array the service sends"
            )
        else:
            found.append("the SDK's beta list call raises on the canned list (see above)")
    shipped_get = operations["get_integration"]["contenders"].get(SHIPPED, {})
    if "error" in shipped_get:
        if "ManagedResourceRefs" in shipped_get["error"]["message"]:
            found.append(
                "the SDK's beta get raises on provisioningConfig.managedResourceRefs: its beta "
                "schema types each ref's type, id and name as objects, the service sends strings"
            )
        else:
            found.append("the SDK's beta get raises on a realistic integration (see above)")
    if "error" in results["decoding"]["sdk"].get(DECODE_BETA, {}):
        found.append("the SDK's beta models cannot decode the list body at all (see above)")
    for version, fields in results["peer"]["fields_missing_from_model"].items():
        if fields:
            found.append(
                f"the SDK's {version} ServiceDeskIntegrationDto has no field for "
                + ", ".join(fields)
                + " (dropped on decode)"
            )
    return found or ["none: every SDK contender decoded the canned answers"]


def _error_text(error: dict[str, str]) -> str:
    return f"{error['type'].rsplit('.', 1)[-1]}: {error['message']}"


def render(results: dict[str, Any]) -> str:
    info, peer = results["machine"], results["peer"]
    packages, ours = peer["packages"], info["packages"]
    levels = [str(level) for level in results["config"]["concurrency"]]
    lines = [
        f"Peer benchmark ({'quick' if results['config']['quick'] else 'full'}): "
        f"sailpoint {packages['sailpoint']} (beta API; pydantic {packages['pydantic']}, "
        f"urllib3 {packages['urllib3']}) vs SimClient {ours['sim-client']} "
        f"(httpx {ours['httpx']})",
        f"{info['cpu_model']}, {info['cpus_usable']} CPUs usable, {info['platform']}",
        f"SDK on {peer['interpreter']} with threads; SimClient on {info['python']} with "
        "asyncio tasks; bench_server.py on 127.0.0.1 in its own process",
        "",
    ]
    header = f"  {'contender':<42}{'seq us/call':>12}" + "".join(
        f"{f'{level} req/s':>11}" for level in levels
    )
    sizes = results["response_bytes"]
    for operation in OPERATIONS:
        size = sizes["get" if operation == "get_integration" else "list"]
        lines.append(f"{TITLES[operation]} ({size} B)")
        lines.append(header)
        for name, row in results["operations"][operation]["contenders"].items():
            shown = f"({name})" if name in REFERENCES else name
            if "error" in row:
                lines.append(f"  {shown:<42}{'crashes':>12}")
                lines.append(f"      {_error_text(row['error'])}")
                continue
            lines.append(
                f"  {shown:<42}{row['sequential_us']:>12.1f}"
                + "".join(f"{row['concurrent'][level]['rps']:>11.0f}" for level in levels)
            )
        for name, versus in results["comparison"].get(operation, {}).items():
            rates = " / ".join(f"{ratio:.2f}x" for ratio in versus["rps_ratio"].values())
            lines.append(
                f"  {name} / working SDK call: {versus['time_per_call_ratio']:.2f}x the time "
                f"per call; {rates} the req/s at {' / '.join(levels)} tasks"
            )
        lines.append("")
    decoding = results["decoding"]
    lines.append(
        f"Decoding the {LIST_SIZE}-item list body ({decoding['body_bytes']} B), no HTTP"
        f"{'median ms':>17}"
    )
    for side, label in (("sdk", "SDK's interpreter"), ("sim_client", "this interpreter")):
        for name, row in decoding[side].items():
            shown = f"{name} ({label})" if name == DECODE_JSON else name
            if "error" in row:
                lines.append(f"  {shown:<58}{'crashes':>9}")
                lines.append(f"      {_error_text(row['error'])}")
            else:
                lines.append(f"  {shown:<58}{row['median_ms']:>9.2f}")
    ratio = results["comparison"].get("decoding_time_ratio")
    if ratio:
        lines.append(f"  SimIntegration / SDK v2025 models: {ratio:.2f}x the time")
    lines.append("")
    lines.append("Findings")
    lines.extend(f"  {finding}" for finding in findings(results))
    lines.append("")
    lines.append("Targets")
    for target in results["targets"]:
        shown = f"{target['measured']:.2f}x" if target["measured"] is not None else "n/a"
        lines.append(
            f"  {target['status']:<7} {target['label']:<62}{shown:>8}  (target >= {PEER_TARGET}x)"
        )
    return "\n".join(lines)


def peer_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """SimClient + AiohttpTransport >= PEER_TARGET x the working SDK call's req/s, GET one."""
    ratios = results["comparison"].get("get_integration", {}).get(SIM_AIOHTTP, {})
    targets = []
    for level in PEER_TARGET_LEVELS:
        measured = ratios.get("rps_ratio", {}).get(level)
        status = NOT_AVAILABLE if measured is None else MET if measured >= PEER_TARGET else NOT_MET
        targets.append(
            {
                "label": f"SimClient + AiohttpTransport vs the SDK in threads, {level} tasks",
                "measured": measured,
                "status": status,
            }
        )
    return targets


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--peer-python",
        type=Path,
        required=True,
        help="the interpreter of a venv with the sailpoint SDK (1.4.x) installed",
    )
    parser.add_argument("--quick", action="store_true", help="a tiny configuration (smoke test)")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results"
    )
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="the plot (.png or .svg)")
    args = parser.parse_args(argv)
    peer_python = args.peer_python.absolute()  # not resolved: a venv's python is a symlink
    if not peer_python.exists():
        parser.error(f"no interpreter at {peer_python}")
    config = QUICK if args.quick else FULL
    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {"quick": args.quick, **asdict(config)},
        "server": "scripts.bench.server: asyncio protocol server in its own process, 127.0.0.1",
        "response_bytes": {"get": len(one_body()), "list": len(list_body())},
    }
    limiter = asyncio.run(choose_limiter())
    progress(f"rate limit: {limiter.description}")
    results["rate_limit"] = limiter.description
    try:
        with LoopbackServer() as server:
            peer = run_peer(peer_python, server.url, config)
            sim = asyncio.run(measure_sim(server.url, config, limiter))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    results["peer"] = {
        key: value for key, value in peer.items() if key not in ("operations", "decoding")
    }
    results["operations"] = {
        operation: {
            "calls_per_round": peer["operations"][operation]["calls_per_round"],
            "contenders": {
                **peer["operations"][operation]["contenders"],
                **sim[operation],
            },
        }
        for operation in OPERATIONS
    }
    results["decoding"] = {
        "body_bytes": peer["decoding"]["body_bytes"],
        "calls_per_round": config.decode_calls,
        "sdk": peer["decoding"]["rows"],
        "sim_client": asyncio.run(measure_decoding(config))["rows"],
    }
    results["comparison"] = compare(results)
    results["targets"] = peer_targets(results)
    results["duration_s"] = time.perf_counter() - started
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_plot(
        args.plot, "SimClient and the official SDK, GET one integration", plot_series(results)
    )
    print(render(results))
    print(f"\nwrote {args.output} and {args.plot}")
    return 0


def plot_series(results: dict[str, Any]) -> dict[str, dict[int, float]]:
    """req/s at each level of every contender that works, GET one integration."""
    rows = results["operations"]["get_integration"]["contenders"]
    return {
        name: {int(level): point["rps"] for level, point in row["concurrent"].items()}
        for name, row in rows.items()
        if "concurrent" in row
    }


if __name__ == "__main__":
    raise SystemExit(main())
