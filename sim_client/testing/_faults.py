"""Fault injection and the request log: an ASGI layer in front of the fake service."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import default_body, default_detail_code, error_response

TOKEN_PATH = "/oauth/token"  # noqa: S105  # a path, not a password

FaultKind = Literal["respond", "drop", "delay"]
Body = bytes | str | dict[str, Any] | list[Any] | None


class ConnectionDropped(Exception):
    """Raised by the fake's ASGI app to have the connection closed without an answer."""


@dataclass
class RecordedRequest:
    """One request the fake received, in arrival order.

    ``status`` is None while the request is being answered and for a dropped connection.
    ``body`` is the decoded JSON body, or None when there is none, it is not JSON, or it is
    a token request (whose form body holds a client secret).
    """

    method: str
    path: str
    status: int | None = None
    body: Any = None


@dataclass
class Fault:
    """A failure queued for the next ``remaining`` requests that match it."""

    kind: FaultKind
    remaining: int
    method: str | None = None
    path: str | None = None
    delay: float = 0.0
    status: int = 500
    retry_after: str | None = None
    body: Body = None
    headers: dict[str, str] = field(default_factory=dict)
    handled: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with ``method`` and raw ``path`` is one this fault applies to."""
        return (self.method is None or self.method.upper() == method.upper()) and (
            self.path is None or path.startswith(self.path)
        )

    def response(self) -> Response:
        """The canned answer of a ``respond`` fault."""
        body = self.body if self.body is not None else default_body(self.status)
        if body is None:
            content = b""
        elif isinstance(body, bytes | str):
            content = body.encode() if isinstance(body, str) else body
        else:
            content = json.dumps(body).encode()
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        if content and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        return Response(content, status_code=self.status, headers=headers)


class FaultQueue:
    """Queued faults, consumed first in, first out by the requests they match."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue ``fault``; it must apply to at least one request."""
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        if fault.delay < 0:
            raise ValueError("a delay cannot be negative")
        self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first queued fault that matches, counted as used once."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Forget every queued fault."""
        self._faults.clear()

    @property
    def pending(self) -> int:
        """How many requests the queued faults will still apply to."""
        return sum(f.remaining for f in self._faults)


class Delays:
    """Sleeps that can all be cut short, so a server can stop without waiting for them."""

    def __init__(self) -> None:
        self._wakers: set[asyncio.Event] = set()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less if :meth:`wake_all` is called meanwhile."""
        waker = asyncio.Event()
        self._wakers.add(waker)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waker.wait(), seconds)
        finally:
            self._wakers.discard(waker)

    def wake_all(self) -> None:
        """End every sleep in progress."""
        for waker in self._wakers:
            waker.set()


class FaultMiddleware:
    """Logs every request, then applies the first matching queued fault, if any."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultQueue,
        log: list[RecordedRequest],
        delays: Delays,
        on_request: Callable[[RecordedRequest], None],
        max_body: int | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.faults = faults
        self.log = log
        self.delays = delays
        self.on_request = on_request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, self.max_body)
        method: str = scope["method"]
        path = raw_path(scope)
        record = RecordedRequest(
            method, path, body=None if body is None else _logged_body(path, scope, body)
        )
        self.log.append(record)
        self.on_request(record)

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        if body is None:
            too_large = error_response(default_detail_code(413), "The request body is too large.")
            await JSONResponse(too_large, status_code=413)(scope, receive, send_and_record)
            return
        fault = self.faults.take(method, path)
        replay = _replay(body, receive)

        if fault is not None and fault.delay:
            await self.delays.sleep(fault.delay)
        if fault is None or fault.kind == "delay":
            await self.app(scope, replay, send_and_record)
        elif fault.kind == "drop":
            if fault.handled:
                await self.app(scope, replay, _discard)
            raise ConnectionDropped
        else:
            await fault.response()(scope, replay, send_and_record)


def raw_path(scope: Scope) -> str:
    """The request path as sent, percent-encoding kept, without the query string."""
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").partition("?")[0]
    path: str = scope["path"]
    return path


async def _read_body(receive: Receive, limit: int | None) -> bytes | None:
    """The whole request body, or None as soon as it is longer than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out the already-read body once, then defers to the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _discard(message: Message) -> None:
    del message


def _logged_body(path: str, scope: Scope, body: bytes) -> Any:
    if path == TOKEN_PATH or not body:
        return None
    headers: Mapping[bytes, bytes] = dict(scope.get("headers", []))
    media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if not media.endswith(b"json"):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
