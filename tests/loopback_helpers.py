"""Helpers for tests that run ``SimClient`` against the fake over a real loopback socket.

``open_connections`` reads the kernel's TCP table (``/proc/net/tcp``) so that a test can tell
that no socket to the fake is left holding a connection once the client is closed, whichever
end would have kept it; ``pooled_connections`` looks at the client's own connection pool.
``make_transport`` gives the transport a test runs on: httpx's own or the aiohttp-backed one.
``RecordingProxy`` is a forwarding HTTP proxy that records what went through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
import httpx
import pytest

from sim_client import SimClient
from sim_client.aiohttp_transport import AiohttpTransport

#: The transports every loopback test runs on; ``httpx`` is httpx's own.
TRANSPORTS = ("httpx", "aiohttp")

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")

_TCP_TABLE = Path("/proc/net/tcp")
# TCP states (include/net/tcp_states.h) in which a socket no longer holds a connection.
_CLOSED_STATES = frozenset({"06", "07", "0A"})  # TIME_WAIT, CLOSE, LISTEN
_STATE_NAMES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0B": "CLOSING",
}


def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep proxy settings of the environment away from loopback traffic."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def proxy_free_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy variable at all, ``NO_PROXY`` included: a test sets exactly the ones it needs."""
    for name in PROXY_VARIABLES + NO_PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def port_of(base_url: str) -> int:
    """The port of a ``http://127.0.0.1:PORT`` base URL."""
    port = httpx.URL(base_url).port
    assert port is not None, base_url
    return port


def open_connections(port: int) -> list[str] | None:
    """The IPv4 sockets with ``port`` at either end that still hold a connection.

    Each is described as ``"local_port->remote_port STATE"``. None when the TCP table cannot
    be read (not Linux), so callers can fall back to weaker checks.
    """
    try:
        lines = _TCP_TABLE.read_text(encoding="ascii").splitlines()[1:]
    except OSError:
        return None
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        local = int(fields[1].rpartition(":")[2], 16)
        remote = int(fields[2].rpartition(":")[2], 16)
        state = fields[3].upper()
        if port in (local, remote) and state not in _CLOSED_STATES:
            found.append(f"{local}->{remote} {_STATE_NAMES.get(state, state)}")
    return found


def make_transport(
    name: str, limits: httpx.Limits | None = None
) -> httpx.AsyncBaseTransport | None:
    """The transport called ``name`` (None: httpx's own as the client builds it), with
    ``limits`` if given."""
    if name == "httpx":
        return None if limits is None else httpx.AsyncHTTPTransport(trust_env=False, limits=limits)
    assert name == "aiohttp", name
    if limits is None:
        return AiohttpTransport(trust_env=False)
    return AiohttpTransport(trust_env=False, limits=limits)


def environment_transport(name: str) -> httpx.AsyncBaseTransport | None:
    """The transport called ``name`` as a user gets it, reading the proxy variables: for httpx
    None (the client SimClient builds mounts them), for aiohttp ``AiohttpTransport()``."""
    if name == "httpx":
        return None
    assert name == "aiohttp", name
    return AiohttpTransport()


def own_transport(name: str, **options: Any) -> httpx.AsyncBaseTransport:
    """A transport instance called ``name``, built with ``options``."""
    if name == "httpx":
        return httpx.AsyncHTTPTransport(**options)
    assert name == "aiohttp", name
    return AiohttpTransport(**options)


def pooled_connections(sim: SimClient) -> int:
    """How many connections the client's own pool holds."""
    transport = sim._connection.http._transport
    if isinstance(transport, AiohttpTransport):
        session = transport.client
        if not isinstance(session, aiohttp.ClientSession) or session.closed:
            return 0
        connector = session.connector
        assert isinstance(connector, aiohttp.BaseConnector)
        idle = sum(len(kept) for kept in connector._conns.values())
        return idle + len(connector._acquired)
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return len(transport._pool.connections)


async def close_and_check(clients: Iterable[SimClient], port: int, *, within: float = 5.0) -> None:
    """Close ``clients``, then check that no connection to ``port`` is left open.

    The client's pool must be empty at once; the sockets of both ends must be gone (or in
    TIME_WAIT) within ``within`` seconds, the time the server needs to notice the close.
    """
    for sim in clients:
        await sim.aclose()
        assert sim.closed
        assert pooled_connections(sim) == 0
    deadline = time.monotonic() + within
    while True:
        remaining = open_connections(port)
        if not remaining:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"connections to port {port} left open: {remaining}")
        await asyncio.sleep(0.02)


class LoopbackServer:
    """An asyncio server on a free 127.0.0.1 port whose ``handle`` serves each connection.

    ``async with`` gives its ``http://127.0.0.1:PORT``; on exit the handlers still running
    are cancelled and no connection to the port may be left open."""

    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[Any]]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> str:
        self._tasks = set()
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()
        await close_and_check([], port)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            return  # the client went away
        except asyncio.CancelledError:
            return  # the server is shut down: end quietly (a cancelled handler is logged)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)


async def read_head(reader: asyncio.StreamReader) -> tuple[str, str, list[str], dict[str, str]]:
    """Method, target, header lines and headers (names in lower case) of the next request."""
    head = await reader.readuntil(b"\r\n\r\n")
    line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = line.split(" ", 2)
    lines = [item for item in lines if item]
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (item.partition(":") for item in lines)
    }
    return method, target, lines, headers


@dataclass
class RecordingProxy(LoopbackServer):
    """A forwarding HTTP proxy on 127.0.0.1: it records the request line of each request it
    is sent (``"GET http://127.0.0.1:PORT/path"``) and its headers (names in lower case),
    and forwards the request to that origin, one connection per request (``Connection:
    close`` both ways). It refuses a CONNECT (a tunnel for https) with 403."""

    seen: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        method, target, lines, headers = await read_head(reader)
        self.seen.append(f"{method} {target}")
        self.headers.append(headers)
        if method == "CONNECT":  # a tunnel: refused
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        kept = [
            item
            for item in lines
            if not item.lower().startswith(("connection:", "proxy-", "keep-alive:"))
        ]
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        url = httpx.URL(target)
        assert url.host == "127.0.0.1", target  # loopback only
        origin_reader, origin_writer = await asyncio.open_connection(url.host, url.port)
        request = [f"{method} {url.raw_path.decode('ascii')} HTTP/1.1", *kept, "Connection: close"]
        origin_writer.write(("\r\n".join(request) + "\r\n\r\n").encode("latin-1") + body)
        answer = await origin_reader.read()  # until the origin closes
        origin_writer.close()
        writer.write(answer)
        await writer.drain()
