"""How the benchmarks measure: timed rounds, interleaved contenders, progress, the machine.

Every figure is a median over rounds (passes) in which the contenders take turns, the order
rotating or alternating, so that drift in the machine's load spreads over all of them.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
Call = Callable[[], Awaitable[object]]
#: Runs one round elsewhere (another process): (tasks, calls per task) -> what
#: :func:`throughput_round` returns.
RoundRunner = Callable[[int, int], Awaitable[tuple[float, float, int]]]


def progress(message: str) -> None:
    """One line on stderr, so that a long run shows where it is (stdout keeps the table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


async def per_round_means(
    contenders: dict[str, Call], calls: int, rounds: int
) -> dict[str, list[float]]:
    """Mean microseconds per sequential call of each contender in each round; the order
    rotates from round to round."""
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


async def throughput_round(call: Call, concurrency: int, per_task: int) -> tuple[float, float, int]:
    """Requests per second, client CPU microseconds per request and failed calls of one round
    of ``concurrency`` asyncio tasks making ``per_task`` calls each."""
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

    rps: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    failures: int = 0

    def summary(self, requests_per_round: int) -> dict[str, Any]:
        return {
            "requests_per_round": requests_per_round,
            "rps": median(self.rps),
            "cpu_us_per_request": median(self.cpu_us),
            "failures": self.failures,
            "rounds_rps": self.rps,
        }


async def interleaved_throughput(
    contenders: Mapping[str, Call],
    concurrency: int,
    per_task: int,
    rounds: int,
    elsewhere: Mapping[str, RoundRunner] | None = None,
) -> dict[str, Rounds]:
    """Warm each contender up, then ``rounds`` rounds alternating the order (A B, B A, ...);
    the contenders ``elsewhere`` take their turns in the same order."""
    runners: dict[str, RoundRunner] = {
        name: functools.partial(throughput_round, call) for name, call in contenders.items()
    }
    runners.update(elsewhere or {})
    measured = {name: Rounds() for name in runners}
    # Warm-up: the pool opens a connection per task, then settles to what it keeps alive.
    for name, runner in runners.items():
        measured[name].failures += (await runner(concurrency, 2))[2]
    for number in range(rounds):
        order = list(runners) if number % 2 == 0 else list(reversed(list(runners)))
        for name in order:
            rate, cpu_us, failures = await runners[name](concurrency, per_task)
            measured[name].rps.append(rate)
            measured[name].cpu_us.append(cpu_us)
            measured[name].failures += failures
    return measured


def per_task(requests: int, concurrency: int) -> int:
    """Calls per task so that ``concurrency`` tasks make at least ``requests`` in all."""
    return max(1, -(-requests // concurrency))


# The machine.

PACKAGES = ("sim-client", "httpx", "attrs", "aiohttp", "httpx-aiohttp", "matplotlib")


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, Python, package versions, commit."""
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
        "load_average": _load_average(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {name: _version(name) for name in PACKAGES},
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, cwd=ROOT, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
