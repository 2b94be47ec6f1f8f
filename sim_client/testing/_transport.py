"""The in-process plug-in: an httpx transport that calls the fake's ASGI app directly."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import ASGIApp

from ._faults import ConnectionDropped


class FakeTransport(httpx.AsyncBaseTransport):
    """Sends requests to an ASGI app without a socket, mapping faults to httpx errors.

    A dropped connection raises :class:`httpx.RemoteProtocolError`. An answer that takes
    longer than the request's read timeout raises :class:`httpx.ReadTimeout`; the request is
    then abandoned, so a delayed request that times out changes nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            async with asyncio.timeout(timeout):
                return await self._asgi.handle_async_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except TimeoutError:
            raise httpx.ReadTimeout(
                "Timed out waiting for the response.", request=request
            ) from None
