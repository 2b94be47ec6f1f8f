"""The loopback plug-in: the fake's ASGI app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from ._faults import ConnectionDropped

HOST = "127.0.0.1"
_POLL = 0.01


@contextlib.asynccontextmanager
async def serve(
    app: ASGIApp, *, before_shutdown: Callable[[], None], port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` on loopback ``port`` (a free one when 0) in the running loop; yield its
    base URL.

    ``before_shutdown`` runs first on exit (to cut pending delays short); then the server
    stops accepting, closes its connections and its task ends before this returns.
    """
    connections: dict[tuple[str, int], asyncio.Transport] = {}
    config = uvicorn.Config(
        _DroppingApp(app, connections),
        http=_tracking_protocol(connections),
        ws="none",
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        port = sock.getsockname()[1]
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"fake-sim-server:{port}")
        try:
            while not server.started:
                if task.done():
                    await task  # raises what stopped it
                    raise RuntimeError("the fake server stopped during startup")
                await asyncio.sleep(_POLL)
            yield f"http://{HOST}:{port}"
        finally:
            before_shutdown()
            server.should_exit = True
            await task
    finally:
        sock.close()


class _DroppingApp:
    """Turns :class:`ConnectionDropped` into a closed socket with nothing written to it."""

    def __init__(self, app: ASGIApp, connections: dict[tuple[str, int], asyncio.Transport]):
        self.app = app
        self.connections = connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ConnectionDropped:
            client = scope.get("client")
            transport = self.connections.get(tuple(client)) if client else None
            if transport is None:
                raise
            transport.abort()
            # Wait until the server has seen the connection go, so it does not try to answer.
            while (await receive())["type"] != "http.disconnect":
                pass


def _tracking_protocol(
    connections: dict[tuple[str, int], asyncio.Transport],
) -> type[H11Protocol]:
    """An h11 protocol class that keeps each open connection's transport by peer address."""

    class TrackingProtocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client is not None:
                connections[self.client] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                connections.pop(self.client, None)
            super().connection_lost(exc)

    return TrackingProtocol
