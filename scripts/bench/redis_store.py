"""The Redis store's cost per call: ``RateLimit(10**9, per=1.0, store=redis_url)`` against the
in-process limiter, and the floor, one raw round trip to the same Redis.

A private ``redis-server`` (Debian's package; ``make redis`` installs it) on a free loopback
port, nothing saved to disk, stopped when the measurement ends however it ends. At 64 tasks
over the canned in-process transport, taking turns: ``SimClient`` with the budget in Redis (one
reservation script per call), ``SimClient`` with the budget in the process, and redis-py's
asyncio client running ``EVALSHA`` of a script that returns 1 through a pool like the store's
(the floor: one round trip per call). Without ``redis-server`` (or redis-py) the figure is not
measured and the results say why; a failure here never fails the whole benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from typing import Any

from sim_client import SimIntegration

from .contenders import (
    BASE_URL,
    INTEGRATION_ID,
    CannedTransport,
    Limiter,
    expect,
    far_above_load,
    has_rate_limit,
    simclient,
)
from .measure import interleaved_throughput, per_task, progress

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
TASKS = 64
STORE = "rate_limit=RateLimit(10**9, per=1.0, store=redis_url)"
LOCAL = "rate_limit=RateLimit(10**9, per=1.0)"
ROUND_TRIP = "redis-py EVALSHA 'return 1' (one round trip)"
#: The floor's script: a round trip through the same command as the store's reservation.
TRIVIAL_SCRIPT = "return 1"


class RedisServer:
    """``redis-server`` on ``127.0.0.1:port`` with no persistence, while the ``with`` lasts."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = _free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RedisServer:
        self._process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", HOST),
                *("--save", "", "--appendonly", "no", "--protected-mode", "yes"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not self._pong():
                if self._process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self._process.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer in {START_TIMEOUT:.0f} s")
                time.sleep(0.02)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _pong(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


async def bench_redis_store(requests: int, rounds: int) -> dict[str, Any]:
    """The figure, or why it was not measured (``measured`` says which)."""
    binary = shutil.which("redis-server")
    if not has_rate_limit():
        reason = "SimClient has no rate_limit argument"
    elif binary is None:
        reason = "redis-server not found (make redis installs it)"
    elif importlib.util.find_spec("redis") is None:
        reason = "redis-py not installed (the redis extra)"
    else:
        progress("in-process: the Redis store's cost at 64 tasks")
        try:
            with RedisServer(binary) as server:
                return await _measure(server.url, requests, rounds)
        except Exception as exc:  # the rest of the benchmark still counts
            reason = f"failed: {type(exc).__name__}: {exc}"
    progress(f"the Redis store's cost: not measured: {reason}")
    return {"measured": False, "reason": reason}


@contextlib.asynccontextmanager
async def _round_trip(url: str) -> AsyncIterator[Any]:
    """A redis-py asyncio client through a pool like the store's (as many connections)."""
    import redis.asyncio as aioredis  # the redis extra: imported only when measured

    from sim_client._redis_budget import MAX_CONNECTIONS

    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS)
    client = aioredis.Redis(connection_pool=pool)
    try:
        yield client
    finally:
        await client.aclose()
        await pool.disconnect()


async def _evalsha_calls(client: Any) -> int:
    stats = await client.info("commandstats")
    calls: int = stats.get("cmdstat_evalsha", {}).get("calls", 0)
    return calls


async def _measure(url: str, requests: int, rounds: int) -> dict[str, Any]:
    none = Limiter()  # each client below names its rate_limit itself
    package = importlib.import_module("sim_client")  # RateLimit is new: typed loosely here
    in_redis, in_process = package.RateLimit(10**9, per=1.0, store=url), far_above_load()
    async with (
        simclient(BASE_URL, none, transport=CannedTransport(), rate_limit=in_redis) as stored,
        simclient(BASE_URL, none, transport=CannedTransport(), rate_limit=in_process) as local,
        _round_trip(url) as raw,
    ):
        sha = await raw.script_load(TRIVIAL_SCRIPT)
        counted = {STORE: 0, ROUND_TRIP: 0}

        async def store_call() -> SimIntegration:
            counted[STORE] += 1
            return await stored.get_integration(INTEGRATION_ID)

        async def round_trip() -> object:
            counted[ROUND_TRIP] += 1
            return await raw.evalsha(sha, 0)

        expect((await store_call()).id == INTEGRATION_ID, "Redis store")
        expect(await round_trip() == 1, "Redis round trip")
        contenders = {
            STORE: store_call,
            LOCAL: lambda: local.get_integration(INTEGRATION_ID),
            ROUND_TRIP: round_trip,
        }
        calls = per_task(requests, TASKS)
        measured = await interleaved_throughput(contenders, TASKS, calls, rounds)
        # The store answered every call of its client (none fell back to the in-process
        # budget): the server ran at least as many scripts as both contenders made calls.
        expect(await _evalsha_calls(raw) >= sum(counted.values()), "Redis store (fell back)")
    rows = {name: each.summary(calls * TASKS) for name, each in measured.items()}
    us = {name: 1e6 / row["rps"] if row["rps"] else 0.0 for name, row in rows.items()}
    extra, floor = us[STORE] - us[LOCAL], us[ROUND_TRIP]
    return {
        "measured": True,
        "tasks": TASKS,
        "rounds": rounds,
        "server": "redis-server on 127.0.0.1 with --save '' --appendonly no, private to the run",
        "rows": rows,
        # Wall time per call at 64 tasks (1 / throughput), and the store's over the local one's.
        "us_per_call": us,
        "store_extra_us": extra,
        "round_trip_us": floor,
        "extra_over_round_trip": extra / floor if floor else 0.0,
    }


def describe(result: dict[str, Any]) -> str:
    """One line: the Redis store's extra time per call and one round trip's, or why not."""
    if not result.get("measured"):
        return f"not measured: {result['reason']}"
    return (
        f"{result['store_extra_us']:.1f} us per call more than the local limiter "
        f"({result['us_per_call'][STORE]:.1f} against {result['us_per_call'][LOCAL]:.1f} us); "
        f"one round trip costs {result['round_trip_us']:.1f} us "
        f"(the extra is {result['extra_over_round_trip']:.2f}x that)"
    )


if __name__ == "__main__":  # this figure alone, as the full run measures it
    import json

    result = asyncio.run(bench_redis_store(2048, 7))  # main.FULL's limiter_requests, _rounds
    print(json.dumps(result, indent=2))
    print(f"Redis store: {describe(result)}")
