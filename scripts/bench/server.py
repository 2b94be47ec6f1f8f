"""Canned SIM Integrations answers for the benchmark, and a minimal loopback server for them.

``python -m scripts.bench.server`` binds 127.0.0.1 on a free port, prints the port on stdout
and answers HTTP/1.1 keep-alive requests with pre-built bytes until its stdin closes (so it
never outlives the benchmark that started it) or it gets SIGTERM/SIGINT:

- ``GET /beta/sim-integrations`` -> a JSON array of :data:`LIST_SIZE` integrations
- ``GET /big/beta/sim-integrations`` -> a JSON array of :data:`BIG_LIST_SIZE` integrations
  (a ``SimClient`` whose base URL ends in ``/big``)
- ``GET /beta/sim-integrations/{id}`` -> one integration
- ``POST /oauth/token`` -> a client-credentials token
- anything else -> 404

It is a bare ``asyncio.Protocol`` rather than an ASGI app so that the server costs as little
CPU as possible and the client side is what the numbers measure.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from typing import Any

HOST = "127.0.0.1"
LIST_SIZE = 100
BIG_LIST_SIZE = 1000
MEMORY_LIST_SIZE = 10_000
BIG_PREFIX = b"/big"
API_PREFIX = b"/beta/sim-integrations"
TOKEN = "bench-access-token-0123456789abcdef"  # noqa: S105 - a canned value, not a credential


def integration(index: int = 0) -> dict[str, Any]:
    """One realistic SimIntegration as the service returns it (about 2 KB of JSON)."""
    suffix = f"{index:04d}"
    sources = [f"2c9180835d2e5168015d32f890ca{n:04d}{suffix}" for n in range(3)]
    return {
        "id": f"2c9180835d2e5168015d32f890ca1581{suffix}",
        "name": f"ServiceNow SDIM {suffix}",
        "description": "Creates ServiceNow tickets for provisioning on the HR and AD sources",
        "type": "ServiceNowSDIM",
        "created": "2024-03-11T09:21:45.123Z",
        "modified": "2025-01-27T16:02:13.456Z",
        "ownerRef": {
            "type": "IDENTITY",
            "id": "2c9180a46faadee4016fb4e018c20639",
            "name": "Service Desk Owner",
        },
        "clusterRef": {
            "type": "CLUSTER",
            "id": "2c9180866166b5b0016167c32ef31a66",
            "name": "Production VA cluster",
        },
        "cluster": "2c9180866166b5b0016167c32ef31a66",
        "managedSources": sources,
        "provisioningConfig": {
            "universalManager": False,
            "managedResourceRefs": [
                {"type": "SOURCE", "id": source, "name": f"Managed source {n}"}
                for n, source in enumerate(sources)
            ],
            "planInitializerScript": {
                "source": (
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<!DOCTYPE Rule PUBLIC "sailpoint.dtd" "sailpoint.dtd">\n'
                    '<Rule name="Example Rule" type="BeforeProvisioning">\n'
                    "  <Description>Before Provisioning Rule which changes disables and "
                    "enables to a modify.</Description>\n"
                    "  <Source><![CDATA[import sailpoint.object.*;\n"
                    "    if (plan != null) { log.info(plan.toXml()); }]]></Source>\n"
                    "</Rule>"
                )
            },
            "noProvisioningRequests": True,
            "provisioningRequestExpiration": 7,
        },
        "beforeProvisioningRule": {
            "type": "RULE",
            "id": "8c190e6787aa4ed9a90bd9d5344523fb",
            "name": "Example Rule",
        },
        "attributes": {
            "uid": "Walter White",
            "firstname": "walter",
            "lastname": "white",
            "email": "walter@gmail.com",
            "url": "https://dev12345.service-now.com",
            "username": "svc-sailpoint",
            "password": "********",
            "authType": "OAuth2",
            "ticketType": "requestItem",
            "catalogItem": "SailPoint Provisioning Request",
            "closeNotes": "Closed by SailPoint",
            "pollingIntervalMinutes": 15,
        },
    }


def one_body() -> bytes:
    return json.dumps(integration(0), separators=(",", ":")).encode()


def list_body(size: int = LIST_SIZE) -> bytes:
    return json.dumps([integration(i) for i in range(size)], separators=(",", ":")).encode()


def memory_body(size: int = MEMORY_LIST_SIZE) -> bytes:
    """A list of ``size`` integrations without a plan-initializer script (about 1.5 KB each,
    so that 10,000 stay under the default ``max_response_bytes``)."""
    items = [integration(i) for i in range(size)]
    for item in items:
        del item["provisioningConfig"]["planInitializerScript"]
    return json.dumps(items, separators=(",", ":")).encode()


def token_body() -> bytes:
    return json.dumps({"access_token": TOKEN, "token_type": "bearer", "expires_in": 43199}).encode()


def _http_response(status: bytes, body: bytes) -> bytes:
    head = (
        b"HTTP/1.1 " + status + b"\r\n"
        b"Content-Type: application/json;charset=utf-8\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"\r\n"
    )
    return head + body


class _Canned(asyncio.Protocol):
    """HTTP/1.1 keep-alive; requests are read whole (head plus Content-Length body)."""

    ONE = _http_response(b"200 OK", one_body())
    LIST = _http_response(b"200 OK", list_body())
    BIG_LIST = _http_response(b"200 OK", list_body(BIG_LIST_SIZE))
    TOKEN = _http_response(b"200 OK", token_body())
    MISSING = _http_response(b"404 Not Found", b'{"messages":[{"text":"not found"}]}')

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            assert self._transport is not None
            self._transport.write(self._answer(head))

    def _answer(self, head: bytes) -> bytes:
        method, _, rest = head.partition(b" ")
        path = rest.partition(b" ")[0].partition(b"?")[0]
        big = path.startswith(BIG_PREFIX + API_PREFIX)
        if big:
            path = path[len(BIG_PREFIX) :]
        if method == b"GET" and path.startswith(API_PREFIX):
            tail = path[len(API_PREFIX) :]
            if not tail:
                return self.BIG_LIST if big else self.LIST
            if tail.startswith(b"/") and b"/" not in tail[1:]:
                return self.ONE
        if method == b"POST" and path == b"/oauth/token":
            return self.TOKEN
        return self.MISSING


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def finish() -> None:
        if not stop.done():
            stop.set_result(None)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, finish)
    # The parent holds our stdin: when it goes away (even killed), so do we.
    stdin = sys.stdin.fileno()
    loop.add_reader(stdin, lambda: None if os.read(stdin, 4096) else finish())
    server = await loop.create_server(_Canned, HOST, 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    async with server:
        await stop
    server.close()


def main() -> int:
    asyncio.run(_serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
