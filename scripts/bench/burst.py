"""Burst under the limit: ``python -m scripts.bench.burst``.

Serves the fake on loopback, in its own process, limiting like the service (``--limit``,
default 100 requests per 10 s per client), and runs two phases in one or more worker
processes (``--processes``) that use the same client id:

1. ``--gets`` concurrent ``get_integration`` calls from one ``SimClient`` (``asyncio.gather``);
2. ``--creates`` new integrations through ``sim_client.desired`` (``plan`` + ``apply`` with
   default options).

A phase starts once the window of the one before has passed. For each it prints the time
against the floor the limit allows, ``(ceil(requests / N) - 1) * per`` seconds, and the
target ``1.15 x floor + 2 s``; the calls that failed; and the requests the fake answered
with 429 (target: at most 5 % of them). With ``--store redis://...`` the workers share their
budget through Redis (``RateLimit(..., store=...)``). ``--check`` exits 1 when a target is
missed. Needs the ``testing`` extra (and ``redis`` for ``--store``).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from sim_client import RateLimit, SimClient
from sim_client.testing import FakeSimServer

TIME_FACTOR = 1.15
TIME_SLACK = 2.0
MAX_429_SHARE = 0.05
TOKEN_PATH = "/oauth/token"  # noqa: S105  # a path
CLIENT_ID = "burst-client"


def limit_option(text: str) -> RateLimit:
    """``N/SECONDS``, e.g. ``100/10``."""
    requests, _, per = text.partition("/")
    try:
        return RateLimit(int(requests), per=float(per))
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"expected N/SECONDS such as 100/10, got {text!r}"
        ) from None


# --- the server process ---


async def serve(limit: RateLimit) -> None:
    """Serve a limited fake; print its URL, client secret and the id of one integration; then
    answer each ``stats`` line on stdin with the API requests and 429s since the last one."""
    secret = os.urandom(16).hex()
    fake = FakeSimServer(tokens=(), clients={CLIENT_ID: secret}, rate_limit=limit)
    sample = fake.add_integration({"name": "burst target", "type": "ServiceNowSDIM"})
    loop = asyncio.get_running_loop()
    seen_requests = seen_limited = 0
    async with fake.serve() as base_url:
        print(json.dumps({"base_url": base_url, "secret": secret, "id": sample["id"]}), flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if line.strip() == "stats":
                requests = sum(1 for r in fake.requests if r.path != TOKEN_PATH)
                print(
                    json.dumps(
                        {
                            "requests": requests - seen_requests,
                            "rate_limited": fake.rate_limited - seen_limited,
                        }
                    ),
                    flush=True,
                )
                seen_requests, seen_limited = requests, fake.rate_limited


# --- a worker process ---


def has_rate_limit() -> bool:
    """Whether this SimClient takes a ``rate_limit`` (a client-side budget)."""
    return "rate_limit" in inspect.signature(SimClient).parameters


def client(server: dict[str, Any], store: str | None, limit: RateLimit) -> SimClient:
    """A client of the served fake, with the fake's limit as its budget (shared through
    ``store`` when given)."""
    options: dict[str, Any] = {}
    if has_rate_limit():
        options["rate_limit"] = RateLimit(limit.requests, per=limit.per, store=store)
    return SimClient(
        server["base_url"], client_id=CLIENT_ID, client_secret=server["secret"], **options
    )


async def get_phase(sim: SimClient, integration_id: str, calls: int) -> dict[str, Any]:
    results = await asyncio.gather(
        *(sim.get_integration(integration_id) for _ in range(calls)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    return {"requests": calls, "failures": len(errors), "errors": _kinds(errors)}


async def create_phase(sim: SimClient, worker: int, creates: int) -> dict[str, Any]:
    from sim_client.desired import apply, plan

    documents = [
        {"name": f"burst {worker}-{index:04d}", "type": "ServiceNowSDIM"}
        for index in range(creates)
    ]
    planned = await plan(sim, documents)
    result = await apply(sim, planned)
    errors = [outcome.error for outcome in result.failed if outcome.error is not None]
    return {"requests": creates + 1, "failures": len(result.failed), "errors": _kinds(errors)}


def _kinds(errors: Sequence[BaseException]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for error in errors:
        kinds[type(error).__name__] = kinds.get(type(error).__name__, 0) + 1
    return kinds


async def work(args: argparse.Namespace) -> None:
    """Wait for ``go`` on stdin before each phase; print each phase's result as a JSON line."""
    server = json.loads(args.server)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format=f"worker {args.worker}: %(message)s",
    )
    loop = asyncio.get_running_loop()
    async with client(server, args.store, args.limit) as sim:
        for phase in ("gets", "creates"):
            if (await loop.run_in_executor(None, sys.stdin.readline)).strip() != "go":
                return
            if phase == "gets":
                result = await get_phase(sim, server["id"], args.gets)
            else:
                result = await create_phase(sim, args.worker, args.creates)
            print(json.dumps(result), flush=True)


# --- the coordinator ---


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.bench.burst", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def ask(process: subprocess.Popen[str], line: str | None = None) -> dict[str, Any]:
    assert process.stdin is not None
    assert process.stdout is not None
    if line is not None:
        process.stdin.write(line + "\n")
        process.stdin.flush()
    answer = process.stdout.readline()
    if not answer:
        raise RuntimeError(f"a bench process ended early (exit code {process.wait()})")
    result: dict[str, Any] = json.loads(answer)
    return result


def run(args: argparse.Namespace) -> int:
    if not has_rate_limit():
        print("note: this SimClient has no rate limiter yet: expect 429s and failures")
        args.store = None
    server = spawn("serve", "--limit", f"{args.limit.requests}/{args.limit.per:g}")
    workers: list[subprocess.Popen[str]] = []
    try:
        details = ask(server)
        common = ["--limit", f"{args.limit.requests}/{args.limit.per:g}"]
        common += ["--gets", str(args.gets), "--creates", str(args.creates)]
        common += ["--server", json.dumps(details)] + (["--verbose"] if args.verbose else [])
        if args.store is not None:
            common += ["--store", args.store]
        workers = [spawn("worker", "--worker", str(n), *common) for n in range(args.processes)]
        rows = []
        for phase in ("gets", "creates"):
            started = time.perf_counter()
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results = [ask(worker) for worker in workers]
            elapsed = time.perf_counter() - started
            stats = ask(server, "stats")
            rows.append(row(phase, args, elapsed, results, stats))
            if phase == "gets":
                time.sleep(args.limit.per * 1.1)  # the next phase starts on a fresh window
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait(timeout=30)
    finally:
        for process in (*workers, server):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    print(render(args, rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"limit": repr(args.limit), "phases": rows}, out, indent=2)
    return 1 if args.check and not all(r["pass"] for r in rows) else 0


def row(
    phase: str,
    args: argparse.Namespace,
    elapsed: float,
    results: list[dict[str, Any]],
    stats: dict[str, Any],
) -> dict[str, Any]:
    requests = sum(r["requests"] for r in results)
    floor = (math.ceil(requests / args.limit.requests) - 1) * args.limit.per
    target = TIME_FACTOR * floor + TIME_SLACK
    failures = sum(r["failures"] for r in results)
    errors: dict[str, int] = {}
    for result in results:
        for kind, count in result["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    share = stats["rate_limited"] / stats["requests"] if stats["requests"] else 0.0
    return {
        "phase": f"{phase} ({args.gets if phase == 'gets' else args.creates} per process)",
        "calls": requests,
        "sent": stats["requests"],
        "seconds": round(elapsed, 2),
        "floor": floor,
        "target": round(target, 2),
        "failures": failures,
        "errors": errors,
        "rate_limited": stats["rate_limited"],
        "rate_limited_share": round(share, 4),
        "pass": failures == 0 and elapsed <= target and share <= MAX_429_SHARE,
    }


def render(args: argparse.Namespace, rows: list[dict[str, Any]]) -> str:
    store = args.store or "none (one budget per process)"
    lines = [
        f"burst under the limit: the fake allows {args.limit.describe()} per client; "
        f"{args.processes} process(es) with one client id; store: {store}",
        f"{'phase':<26}{'calls':>6}{'sent':>6}{'time':>9}{'floor':>8}{'target':>9}"
        f"{'failed':>8}{'429s':>6}{'429 %':>7}  verdict",
    ]
    for r in rows:
        lines.append(
            f"{r['phase']:<26}{r['calls']:>6}{r['sent']:>6}{r['seconds']:>8.1f}s"
            f"{r['floor']:>7.0f}s{r['target']:>8.1f}s{r['failures']:>8}{r['rate_limited']:>6}"
            f"{100 * r['rate_limited_share']:>6.1f}%  {'PASS' if r['pass'] else 'MISS'}"
            + (f"  errors: {r['errors']}" if r["errors"] else "")
        )
    lines.append(
        f"targets: 0 failures, time <= {TIME_FACTOR} x floor + {TIME_SLACK:g} s, "
        f"at most {MAX_429_SHARE:.0%} of requests answered 429"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench.burst",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("role", nargs="?", default="run", choices=("run", "serve", "worker"))
    parser.add_argument("--limit", type=limit_option, default=RateLimit(100, per=10.0))
    parser.add_argument("--gets", type=int, default=400, help="concurrent gets per process")
    parser.add_argument("--creates", type=int, default=250, help="creates per process")
    parser.add_argument("--processes", type=int, default=1, help="worker processes")
    parser.add_argument("--store", help="redis://host:port/db: share the budget through Redis")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--verbose", action="store_true", help="show the workers' sim_client log (INFO)"
    )
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.processes < 1 or args.gets < 1 or args.creates < 1:
        parser.error("--processes, --gets and --creates must be at least 1")
    if args.store is not None:
        try:
            RateLimit(1, store=args.store)
        except ValueError as exc:
            parser.error(str(exc))
    if args.role == "serve":
        asyncio.run(serve(args.limit))
        return 0
    if args.role == "worker":
        asyncio.run(work(args))
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
