"""The official ``sailpoint`` SDK's side of the benchmarks, run in the SDK's own interpreter.

Runs in the peer venv's interpreter and imports nothing but the standard library and
``sailpoint`` (1.4.x: the last releases with a ``sailpoint.beta`` package; 2.x dropped it). It
talks to ``scripts.bench.server`` at ``--url`` with a static access token, using the SDK's *beta*
SIM Integrations API the way its documentation shows (a shared ``ApiClient`` over urllib3, the
answers decoded into its pydantic models), and writes one JSON document to ``--output``.

Contenders, for GET one integration and GET the list of 100:

- ``sailpoint beta API``: ``SIMIntegrationsApi.get_sim_integration`` / ``get_sim_integrations``
  as shipped. Each is tried once first; if it raises (the beta list is typed as one object,
  upstream defect D1), the exception is its result and it is not timed.
- ``sailpoint beta request + v2025 models``: the same beta request (``*_without_preload_content``,
  the SDK's own request path), its answer decoded by the same release's v2025 ``ApiClient``,
  whose schemas match what the service sends: what a working SDK call costs.
- ``sailpoint beta request + json.loads``: the SDK's request path alone, for reference.

Each is measured sequentially (rounds of N calls, the order rotating; the median over rounds of
the mean microseconds per call) and from asyncio tasks through ``asyncio.to_thread`` at each
``--concurrency``, the way an async program drives a sync SDK (as many tasks as threads in the
loop's executor, fresh clients whose urllib3 pool holds as many connections, a fixed number of
requests per round; the median requests per second over rounds). Decoding alone (no HTTP)
times ``json.loads`` and the SDK's ``ApiClient.deserialize`` on the list body.

From the benchmarks' side, :func:`launch` runs all of that in the peer interpreter and returns
the results; :class:`Peer` keeps it running with ``--serve`` instead, and has it run one round of
the working GET at a time (see :func:`serve`), so that the SDK's rounds take turns with
``SimClient``'s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import importlib.metadata
import json
import platform
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Call = Callable[[], object]

SHIPPED = "sailpoint beta API"
WORKAROUND = "sailpoint beta request + v2025 models"
FLOOR = "sailpoint beta request + json.loads"
DECODE_JSON = "json.loads"
DECODE_BETA = "sailpoint beta models (ApiClient.deserialize)"
DECODE_V2025 = "sailpoint v2025 models (ApiClient.deserialize)"
OPERATIONS = ("get_integration", "list_integrations")
MODEL = "ServiceDeskIntegrationDto"  # what the SDK's beta SIM calls declare they answer


@dataclass(frozen=True)
class Sdk:
    """The SDK modules used here.

    ``sailpoint`` is not installed where this project type-checks (it lives in the peer venv),
    so its modules are loaded by name and deliberately typed ``Any``.
    """

    configuration: Any  # sailpoint.configuration
    beta_api: Any  # sailpoint.beta.api.sim_integrations_api
    beta_client: Any  # sailpoint.beta.api_client
    v2025_client: Any  # sailpoint.v2025.api_client
    v2025_rest: Any  # sailpoint.v2025.rest
    beta_models: Any  # sailpoint.beta.models
    v2025_models: Any  # sailpoint.v2025.models


def load_sdk() -> Sdk:
    return Sdk(
        configuration=importlib.import_module("sailpoint.configuration"),
        beta_api=importlib.import_module("sailpoint.beta.api.sim_integrations_api"),
        beta_client=importlib.import_module("sailpoint.beta.api_client"),
        v2025_client=importlib.import_module("sailpoint.v2025.api_client"),
        v2025_rest=importlib.import_module("sailpoint.v2025.rest"),
        beta_models=importlib.import_module("sailpoint.beta.models"),
        v2025_models=importlib.import_module("sailpoint.v2025.models"),
    )


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    integration_id: str
    list_size: int


class Clients:
    """One SDK configuration and its clients, as an application would share them."""

    def __init__(self, sdk: Sdk, target: Target, pool_size: int) -> None:
        params = sdk.configuration.ConfigurationParams()
        params.base_url = target.url
        params.access_token = target.token  # a static token: no token request is made
        config = sdk.configuration.Configuration(params)
        config.connection_pool_maxsize = pool_size  # read when an ApiClient is built
        self._sdk = sdk
        self._id = target.integration_id
        self.beta_client = sdk.beta_client.ApiClient(config)
        self.beta = sdk.beta_api.SIMIntegrationsApi(self.beta_client)
        self.v2025_client = sdk.v2025_client.ApiClient(config)

    def _decode(self, response: Any, model: str) -> object:
        """What the SDK's own call does after the request, with the v2025 schemas."""
        wrapped = self._sdk.v2025_rest.RESTResponse(response)
        wrapped.read()
        result: object = self.v2025_client.response_deserialize(
            response_data=wrapped, response_types_map={"200": model}
        ).data
        return result

    def calls(self) -> dict[str, dict[str, Call]]:
        beta, integration_id = self.beta, self._id

        def shipped_get() -> object:
            result: object = beta.get_sim_integration(integration_id)
            return result

        def shipped_list() -> object:
            result: object = beta.get_sim_integrations()
            return result

        def workaround_get() -> object:
            response = beta.get_sim_integration_without_preload_content(integration_id)
            return self._decode(response, MODEL)

        def workaround_list() -> object:
            response = beta.get_sim_integrations_without_preload_content()
            return self._decode(response, f"List[{MODEL}]")

        def floor_get() -> object:
            response = beta.get_sim_integration_without_preload_content(integration_id)
            return json.loads(_ok_body(response))

        def floor_list() -> object:
            response = beta.get_sim_integrations_without_preload_content()
            return json.loads(_ok_body(response))

        return {
            "get_integration": {
                SHIPPED: shipped_get,
                WORKAROUND: workaround_get,
                FLOOR: floor_get,
            },
            "list_integrations": {
                SHIPPED: shipped_list,
                WORKAROUND: workaround_list,
                FLOOR: floor_list,
            },
        }


def _ok_body(response: Any) -> bytes:
    """The body of a urllib3 response, which must be a 200 (the SDK's decoding checks that)."""
    if response.status != 200:
        raise RuntimeError(f"the server answered {response.status}")
    body: bytes = response.data
    return body


# Probing: a contender that crashes is a finding, not a benchmark.


def describe(exc: BaseException) -> dict[str, str]:
    """The exception's type and a one-line message (pydantic's input echoes left out)."""
    kind = type(exc)
    lines = [
        line.strip()
        for line in str(exc).splitlines()
        if line.strip() and not line.strip().startswith("For further information")
    ]
    message = ": ".join(lines[:3]) or kind.__name__
    message = re.sub(
        r"\s*\[type=[^,\]]+, input_value=.*?, input_type=(\w+)\]", r" (got \1)", message
    )
    if len(message) > 240:
        message = message[:237] + "..."
    return {"type": f"{kind.__module__}.{kind.__qualname__}", "message": message}


def check(operation: str, result: object, target: Target) -> None:
    if operation == "list_integrations":
        ok = isinstance(result, list) and len(result) == target.list_size
    elif isinstance(result, dict):
        ok = result.get("id") == target.integration_id
    else:
        ok = result is not None and not isinstance(result, list)
    if not ok:
        raise RuntimeError(f"{operation} did not return the expected data: {type(result)!r}")


def probe(
    calls: dict[str, dict[str, Call]], target: Target
) -> tuple[dict[str, dict[str, Call]], dict[str, dict[str, dict[str, str]]]]:
    """Each contender once: those that work, and the errors of those that do not."""
    working: dict[str, dict[str, Call]] = {}
    errors: dict[str, dict[str, dict[str, str]]] = {}
    for operation, contenders in calls.items():
        working[operation], errors[operation] = {}, {}
        for name, call in contenders.items():
            try:
                check(operation, call(), target)
            except Exception as exc:
                errors[operation][name] = describe(exc)
            else:
                working[operation][name] = call
    return working, errors


def missing_fields(sdk: Sdk, clients: Clients, target: Target) -> dict[str, list[str]]:
    """Top-level fields of the served integration that each SDK model has no place for."""
    response = clients.beta.get_sim_integration_without_preload_content(target.integration_id)
    document: dict[str, Any] = json.loads(_ok_body(response))
    missing: dict[str, list[str]] = {}
    for version, models in (("beta", sdk.beta_models), ("v2025", sdk.v2025_models)):
        fields = getattr(models, MODEL).model_fields.items()
        known = {field.alias or name for name, field in fields}
        missing[version] = sorted(key for key in document if key not in known)
    return missing


# Measuring.


def per_round_means(contenders: dict[str, Call], calls: int, rounds: int) -> dict[str, list[float]]:
    """Mean microseconds per call of each contender in each round; the order rotates."""
    names = list(contenders)
    for name in names:  # warm-up: lazy imports, pydantic schema building, connections
        for _ in range(max(3, calls // 10)):
            contenders[name]()
    means: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            gc.collect()
            started = time.perf_counter()
            for _ in range(calls):
                call()
            means[name].append((time.perf_counter() - started) / calls * 1e6)
    return means


async def pool_round(call: Call, workers: int, per_worker: int) -> tuple[float, float]:
    """Requests per second and process CPU microseconds per request for one round."""

    async def worker() -> None:
        for _ in range(per_worker):
            await asyncio.to_thread(call)

    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    requests = workers * per_worker
    return requests / elapsed, cpu / requests * 1e6


def pool_level(
    sdk: Sdk,
    target: Target,
    threads: int,
    operation: str,
    names: Sequence[str],
    config: dict[str, Any],
) -> dict[str, Any]:
    """Fresh clients sized for ``threads``; warmed up; rounds alternating the order."""
    requests = config["get_requests"] if operation == "get_integration" else config["list_requests"]
    per_worker = max(1, -(-requests // threads))
    contenders = Clients(sdk, target, pool_size=threads).calls()[operation]
    rps: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}

    async def measure() -> None:
        executor = ThreadPoolExecutor(max_workers=threads)
        asyncio.get_running_loop().set_default_executor(executor)  # shut down by asyncio.run
        for name in names:  # warm-up: starts the threads and opens the connections
            await pool_round(contenders[name], threads, max(2, per_worker // 4))
        for number in range(config["pool_rounds"]):
            order = list(names) if number % 2 == 0 else list(reversed(names))
            for name in order:
                rate, cpu_us = await pool_round(contenders[name], threads, per_worker)
                rps[name].append(rate)
                cpu[name].append(cpu_us)

    asyncio.run(measure())
    return {
        name: {
            "requests_per_round": per_worker * threads,
            "rps": statistics.median(rps[name]),
            "cpu_us_per_request": statistics.median(cpu[name]),
            "rounds_rps": rps[name],
        }
        for name in names
    }


def decoding(clients: Clients, config: dict[str, Any]) -> dict[str, Any]:
    body = _ok_body(clients.beta.get_sim_integrations_without_preload_content())
    content_type = "application/json"
    beta_client, v2025_client = clients.beta_client, clients.v2025_client
    model = f"List[{MODEL}]"
    decoders: dict[str, Call] = {
        DECODE_JSON: lambda: json.loads(body),
        DECODE_BETA: lambda: beta_client.deserialize(body.decode("utf-8"), model, content_type),
        DECODE_V2025: lambda: v2025_client.deserialize(body.decode("utf-8"), model, content_type),
    }
    working: dict[str, Call] = {}
    errors: dict[str, dict[str, str]] = {}
    for name, decode in decoders.items():
        try:
            decode()
        except Exception as exc:
            errors[name] = describe(exc)
        else:
            working[name] = decode
    means = per_round_means(working, config["decode_calls"], config["rounds"])
    rows: dict[str, Any] = {
        name: {"error": errors[name]}
        if name in errors
        else {"median_ms": statistics.median(means[name]) / 1000, "rounds_us": means[name]}
        for name in decoders
    }
    return {"body_bytes": len(body), "calls_per_round": config["decode_calls"], "rows": rows}


def _interpreter() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def _packages() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in ("sailpoint", "pydantic", "urllib3")}


def progress(message: str) -> None:
    print(f"[bench sdk {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(sdk: Sdk, target: Target, config: dict[str, Any]) -> dict[str, Any]:
    clients = Clients(sdk, target, pool_size=1)
    working, errors = probe(clients.calls(), target)
    operations: dict[str, Any] = {}
    for operation in OPERATIONS:
        calls = config["get_calls"] if operation == "get_integration" else config["list_calls"]
        progress(f"{operation}: sequential calls")
        means = per_round_means(working[operation], calls, config["rounds"])
        names = list(working[operation])
        levels = {}
        for threads in config["concurrency"]:
            progress(f"{operation}: {threads} threads")
            levels[str(threads)] = pool_level(sdk, target, threads, operation, names, config)
        rows: dict[str, Any] = {}
        for name in clients.calls()[operation]:
            if name in errors[operation]:
                rows[name] = {"error": errors[operation][name]}
                continue
            rows[name] = {
                "sequential_us": statistics.median(means[name]),
                "rounds_us": means[name],
                "concurrent": {level: result[name] for level, result in levels.items()},
            }
        operations[operation] = {"calls_per_round": calls, "contenders": rows}
    return {
        "interpreter": _interpreter(),
        "executable": sys.executable,
        "packages": _packages(),
        "api": "sailpoint.beta.api.sim_integrations_api.SIMIntegrationsApi (sync, urllib3)",
        "concurrency": (
            "asyncio tasks calling asyncio.to_thread; executor threads = tasks; "
            "urllib3 pool maxsize = threads"
        ),
        "fields_missing_from_model": missing_fields(sdk, clients, target),
        "operations": operations,
        "decoding": decoding(clients, config),
    }


PEER_TIMEOUT = 1200.0
ROUND_TIMEOUT = 300.0


async def serve(sdk: Sdk, target: Target) -> None:
    """Answer each line ``{"threads": N, "per_thread": K}`` on stdin with one round of the
    working GET (N tasks through ``asyncio.to_thread``, N threads, a pool of N connections)
    as ``{"rps": ..., "cpu_us": ...}`` on stdout; ``{"ready": ...}`` first, once it works."""
    clients = Clients(sdk, target, pool_size=1)
    working, errors = probe(clients.calls(), target)
    if WORKAROUND not in working["get_integration"]:
        _answer({"error": errors["get_integration"][WORKAROUND]})
        return
    _answer({"ready": {"interpreter": _interpreter(), "packages": _packages()}})
    loop = asyncio.get_running_loop()
    stdin = ThreadPoolExecutor(max_workers=1)
    level, call, executor = 0, working["get_integration"][WORKAROUND], None
    while line := await loop.run_in_executor(stdin, sys.stdin.readline):
        request = json.loads(line)
        if request["threads"] != level:  # a new level: fresh clients, as many threads as tasks
            level = request["threads"]
            call = Clients(sdk, target, pool_size=level).calls()["get_integration"][WORKAROUND]
            if executor is not None:
                executor.shutdown(wait=False)
            executor = ThreadPoolExecutor(max_workers=level)
            loop.set_default_executor(executor)
        rate, cpu_us = await pool_round(call, level, request["per_thread"])
        _answer({"rps": rate, "cpu_us": cpu_us})
    stdin.shutdown()


def _answer(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()


class Peer:
    """This module in ``--serve`` mode in the peer interpreter (run from ``cwd``, the
    repository root): one round of the SDK's working GET at a time. Raises RuntimeError if
    it cannot start; its stderr is ours."""

    def __init__(self, peer_python: Path, target: Target, *, cwd: Path) -> None:
        self._process = subprocess.Popen(
            [
                *(str(peer_python), "-m", "scripts.bench.peer_sdk", "--serve"),
                *("--url", target.url, "--token", target.token, "--id", target.integration_id),
                *("--list-size", str(target.list_size)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=cwd,
        )
        try:
            hello = self._read(PEER_TIMEOUT)
            if "ready" not in hello:
                raise RuntimeError(f"the SDK's GET does not work: {hello.get('error')}")
        except BaseException:
            self.close()
            raise
        self.about: dict[str, Any] = hello["ready"]

    def _read(self, timeout: float) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if ready else ""
        if not line:
            raise RuntimeError("the SDK side stopped answering; its error is above on stderr")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def round(self, threads: int, per_thread: int) -> tuple[float, float, int]:
        """Requests per second, the SDK process's CPU us per request, failures (always 0: a
        failing SDK call ends the peer)."""
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(json.dumps({"threads": threads, "per_thread": per_thread}) + "\n")
        stdin.flush()
        answer = await asyncio.to_thread(self._read, ROUND_TIMEOUT)
        return answer["rps"], answer["cpu_us"], 0

    def close(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()  # the peer ends when its stdin closes
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def launch(
    peer_python: Path, target: Target, config: dict[str, Any], *, cwd: Path
) -> dict[str, Any]:
    """Run this module with ``peer_python`` (a venv with the SDK) from ``cwd`` (the repository
    root); its progress goes to our stderr. Raises RuntimeError if it fails."""
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as scratch:
        output = Path(scratch) / "peer.json"
        command = [
            str(peer_python),
            "-m",
            "scripts.bench.peer_sdk",
            "--url",
            target.url,
            "--token",
            target.token,
            "--id",
            target.integration_id,
            "--list-size",
            str(target.list_size),
            "--config",
            json.dumps(config),
            "--output",
            str(output),
        ]
        result = subprocess.run(
            command, stdout=subprocess.PIPE, text=True, cwd=cwd, timeout=PEER_TIMEOUT, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"the SDK side failed (exit {result.returncode}); its error is above on stderr"
            )
        peer: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return peer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--url", required=True, help="the loopback server, http://127.0.0.1:PORT")
    parser.add_argument("--token", required=True, help="the static access token to send")
    parser.add_argument("--id", required=True, help="the integration id to GET")
    parser.add_argument("--list-size", type=int, required=True, help="items in the list answer")
    parser.add_argument("--config", help="the measurement configuration, JSON")
    parser.add_argument("--output", type=Path, help="where to write the results")
    parser.add_argument("--serve", action="store_true", help="run rounds on request (see serve)")
    args = parser.parse_args(argv)
    if not args.serve and (args.config is None or args.output is None):
        parser.error("--config and --output are required unless --serve")
    try:
        sdk = load_sdk()
    except ImportError as exc:
        print(
            f"the sailpoint SDK (1.4.x, with sailpoint.beta) is not importable: {exc}",
            file=sys.stderr,
        )
        return 2
    target = Target(args.url, args.token, args.id, args.list_size)
    if args.serve:
        asyncio.run(serve(sdk, target))
        return 0
    results = run(sdk, target, json.loads(args.config))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
