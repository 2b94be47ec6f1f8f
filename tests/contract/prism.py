"""Running Stoplight Prism on ``openapi/sim-integrations.beta.yaml``, and talking to it.

Prism (``@stoplight/prism-cli``, pinned in ``package.json``, installed by ``make node``) runs as
``prism mock <fragment> --host 127.0.0.1 --port <free port> --errors``, and with ``-d`` as well
for dynamic answers. :class:`PrismServer` starts it in its own process group, waits until it
answers and stops it (SIGTERM, then SIGKILL to the group); Prism's output goes to a log file.

What Prism 5.16.0 does with a request that breaks the fragment, ``--errors`` or not:

- it answers with the operation's own 400 response (422 if one were defined; 401 for a missing
  or non-bearer ``Authorization``; 415, 422 or 400 for a content type the operation does not
  take), the body built from that response's schema, so the client just sees a
  ``BadRequestError``/``AuthenticationError``; only an operation with none of those responses
  gets Prism's own 422 ``application/problem+json`` with a ``validation`` list;
- it adds an ``sl-violations`` header: a JSON list of ``{"location": ["request", ...],
  "severity": "Error", "code": ..., "message": ...}``;
- it logs ``[VALIDATOR] ⚠  warning   Request did not pass the validation rules`` and one
  ``Violation: request.<location> <message>`` line per violation.

``--errors`` adds one thing: an answer of Prism's own that breaks the fragment is replaced by a
500 ``application/problem+json`` of type ``https://stoplight.io/prism/errors#VIOLATIONS``, with
the ``response.*`` violations in ``sl-violations`` and in the log.

Two blind spots. Prism compares only the type and the part after a ``+`` of a media type, so
``application/json`` passes where the fragment says ``application/json-patch+json``: the tests
check the content type themselves. And a schema that its validator (ajv) cannot compile, such as
``nullable: true`` beside ``oneOf`` without ``type``, is skipped without a word: the tests send
one broken body to each operation that takes one, to see that it is flagged.
Prism ignores the path of ``servers``: it serves ``/sim-integrations``, not
``/beta/sim-integrations``; :class:`PrismTransport` strips the ``/beta`` that the client puts in
front of every path. The variants of the versioned APIs (``scripts/api_variants.py``) carry
their full paths (``/v2024/sim-integrations``, ``/sim-integrations/v1``, ...) and go through
unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = REPO_ROOT / "openapi" / "sim-integrations.beta.yaml"
PRISM_BIN = REPO_ROOT / "node_modules" / ".bin" / "prism"

TOKEN = "contract-test-token"
"""The static bearer token the tests send; Prism only checks that one is there."""

API_ROOT = "/beta"
"""The path of the API root in ``servers``, which the client sends and Prism does not serve."""

START_TIMEOUT = 60.0
"""Seconds a Prism server gets to answer its first request."""

STOP_TIMEOUT = 10.0
"""Seconds a Prism server gets to exit after SIGTERM before it is killed."""

LOG_SYNC_TIMEOUT = 10.0
"""Seconds to wait for Prism's log to show a marker request."""

START_ATTEMPTS = 3
"""Fresh ports to try when the one picked was taken before Prism could bind it."""

VIOLATION_LOG_MARKERS = (
    "Violation:",
    "Request did not pass the validation rules",
    "Request terminated with error",
)
"""Log text that means Prism found a request (or response) that breaks the fragment."""

Mode = Literal["validating", "dynamic"]

_PR_SET_PDEATHSIG = 1


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _die_with_parent() -> None:
    """In the child before exec: on Linux, have the kernel kill Prism if pytest dies."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Exchange:
    """One request as the client sent it, and what Prism said about it."""

    method: str
    path: str
    """The path the client asked for, percent-encoded as sent, ``/beta`` included."""
    headers: httpx.Headers
    content: bytes
    status_code: int
    violations: list[dict[str, object]]
    """Prism's ``sl-violations`` header, decoded; empty when there was none."""

    def json(self) -> object:
        return json.loads(self.content)


class PrismTransport(httpx.AsyncBaseTransport):
    """A loopback transport for a client of a Prism server.

    It strips the ``/beta`` API root from each path (Prism serves the fragment's paths bare;
    a path without it is sent as is, and Prism answers 404), records every exchange in
    :attr:`exchanges`, and, when ``seed`` is given, adds ``seed=N`` to the ``Prefer`` header
    of each request (N drawn from a generator seeded with it), so that dynamic answers are
    reproducible.
    """

    def __init__(self, *, seed: int | None = None) -> None:
        self._seeds = None if seed is None else random.Random(seed)
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raw_path = request.url.raw_path  # percent-encoded, with the query
        path = raw_path.decode("ascii").partition("?")[0]
        forwarded = request
        if path == API_ROOT or path.startswith(API_ROOT + "/"):
            raw_path = raw_path[len(API_ROOT) :]
            if not raw_path.startswith(b"/"):
                raw_path = b"/" + raw_path
            headers = request.headers.copy()
            prefer = headers.get("prefer")
            if self._seeds is not None and (prefer is None or "seed=" not in prefer):
                seed = f"seed={self._seeds.randrange(1 << 30)}"
                headers["Prefer"] = seed if prefer is None else f"{prefer}, {seed}"
            forwarded = httpx.Request(
                request.method,
                request.url.copy_with(raw_path=raw_path),
                headers=headers,
                content=await request.aread(),
                extensions=request.extensions,
            )
        response = await self._inner.handle_async_request(forwarded)
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=path,
                headers=forwarded.headers,
                content=await forwarded.aread(),
                status_code=response.status_code,
                violations=_decode_violations(response.headers.get("sl-violations")),
            )
        )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _decode_violations(header: str | None) -> list[dict[str, object]]:
    if header is None:
        return []
    try:
        decoded = json.loads(header)
    except ValueError:
        # Prism cuts a header longer than about 8 kB and prefixes it with "Too many violations!".
        return [{"message": header}]
    if isinstance(decoded, list):
        return [item if isinstance(item, dict) else {"message": item} for item in decoded]
    return [{"message": decoded}]


class PrismServer:
    """A running ``prism mock`` process on a loopback port."""

    def __init__(
        self,
        mode: Mode,
        log_path: Path,
        *,
        spec: Path = SPEC,
        collection: str = "/sim-integrations",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.mode = mode
        self.log_path = log_path
        self.spec = spec
        self.collection = collection
        """The collection's path as Prism serves it."""
        self.headers = headers or {}
        """Headers every request needs besides ``Authorization``."""
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's root, e.g. ``http://127.0.0.1:4010`` (no ``/beta``: see the module)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        command = [
            str(PRISM_BIN),
            "mock",
            str(
                self.spec.relative_to(REPO_ROOT)
                if self.spec.is_relative_to(REPO_ROOT)
                else self.spec
            ),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--errors",
        ]
        if self.mode == "dynamic":
            command.append("-d")
        return command

    def start(self) -> None:
        failures: list[str] = []
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            error = self._start_once()
            if error is None:
                return
            failures.append(error)
            if "EADDRINUSE" not in self.log_text():
                break
        pytest.fail(
            f"Prism ({self.mode}) did not start: {failures[-1]}\n"
            f"command: {' '.join(self.command)}\nlog {self.log_path}:\n{self.log_tail()}",
            pytrace=False,
        )

    def _start_once(self) -> str | None:
        env = dict(os.environ, NO_COLOR="1", FORCE_COLOR="0")
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + START_TIMEOUT
        listening = f"Prism is listening on {self.url}"
        with httpx.Client(timeout=2.0, trust_env=False) as probe:
            while time.monotonic() < deadline:
                code = self._process.poll()
                if code is not None:
                    self._process = None
                    return f"it exited with status {code}"
                if listening in self.log_text():
                    try:
                        probe.get(f"{self.url}/", headers={"Authorization": f"Bearer {TOKEN}"})
                    except httpx.TransportError:
                        pass
                    else:
                        return None
                time.sleep(0.1)
        self.stop()
        return f"it did not answer within {START_TIMEOUT:g} s"

    def stop(self) -> None:
        """SIGTERM to Prism's process group, SIGKILL if it has not exited in time."""
        process, self._process = self._process, None
        if process is None:
            return
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        # Anything Prism itself started goes with it.
        _signal_group(process.pid, signal.SIGKILL)

    def log_bytes(self) -> bytes:
        try:
            return self.log_path.read_bytes()
        except FileNotFoundError:
            return b""

    def log_text(self, since: int = 0) -> str:
        """Prism's output from byte offset ``since`` on."""
        return self.log_bytes()[since:].decode("utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def log_offset(self) -> int:
        """Where the log ends now; pass it to :meth:`log_violations` after the requests."""
        await self.sync_log()
        return len(self.log_bytes())

    async def sync_log(self) -> None:
        """Wait until Prism has logged everything about the requests answered so far.

        It sends a valid marker request and waits for its line: Prism logs in order.
        """
        marker = f"log-marker-{uuid.uuid4().hex}"
        since = len(self.log_bytes())
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            response = await client.get(
                f"{self.url}{self.collection}/{marker}",
                headers={"Authorization": f"Bearer {TOKEN}", **self.headers},
            )
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + LOG_SYNC_TIMEOUT
        while marker not in self.log_text(since):
            if time.monotonic() > deadline:
                pytest.fail(f"Prism's log did not show {marker}:\n{self.log_tail()}")
            await asyncio.sleep(0.02)

    async def log_violations(self, since: int) -> list[str]:
        """Log lines written after offset ``since`` that report a violation or refused request."""
        await self.sync_log()
        lines = self.log_text(since).splitlines()
        return [line for line in lines if any(m in line for m in VIOLATION_LOG_MARKERS)]

    def transport(self, *, seed: int | None = None) -> PrismTransport:
        """A new recording transport for a client of this server (see :class:`PrismTransport`)."""
        return PrismTransport(seed=seed)
