"""An aiohttp-backed httpx transport with the failure semantics of httpx's own.

Install the extra (``pip install "sim-client[aiohttp]"``) and pass the transport::

    from sim_client.aiohttp_transport import AiohttpTransport

    async with SimClient(base_url, token=token, transport=AiohttpTransport()) as sim:
        ...

It builds on ``httpx_aiohttp.AiohttpTransport`` and changes what the retry policy depends on:

- a failure before any byte was sent is ``httpx.ConnectError`` (refused, DNS, TLS) or
  ``httpx.ConnectTimeout``; a failure after the request left is ``httpx.ReadError``,
  ``httpx.RemoteProtocolError`` or ``httpx.ReadTimeout`` (``httpx_aiohttp`` reports a dropped
  connection as a connect timeout, which would make a POST be sent twice);
- aiohttp's own silent re-send of an idempotent request on a dropped connection is off: every
  attempt is one the retry policy made, waited for and counted;
- at most ``limits.max_connections`` requests are in flight; the others wait in turn (first
  come, first served) for at most the pool timeout, then fail with ``httpx.PoolTimeout``;
- the connect timeout bounds opening a connection, the read timeout each read; aiohttp has no
  write timeout, so the write timeout does not apply;
- no cookie jar: responses' cookies are neither stored nor sent;
- idle connections are kept for ``limits.keepalive_expiry``, all of them (aiohttp has no
  ``max_keepalive_connections``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

try:
    import aiohttp
    import httpx_aiohttp
    from yarl import URL
except ImportError as error:  # pragma: no cover - the extra is installed wherever tests run
    raise ImportError(
        'sim_client.aiohttp_transport needs the extra: pip install "sim-client[aiohttp]"'
    ) from error

__all__ = ["READ_AT_ONCE", "AiohttpTransport"]

#: A body whose Content-Length is at most this many bytes is read whole by the transport;
#: a larger one, or one of unknown length, is streamed.
READ_AT_ONCE = 1 << 20
#: The longest header line read, as httpx's own transport allows (h11's event size).
MAX_HEADER_BYTES = 100 * 1024

# Timeout checks come before the classes they derive from (ServerTimeoutError is a
# ServerConnectionError); anything not listed was sent, and its answer is lost.
_MAPPING: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, DNS, TLS, proxy connect
    (aiohttp.ServerFingerprintMismatch, httpx.ConnectError),  # before the request is sent
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # body cut short or malformed
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # an answer that is not HTTP
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (TimeoutError, httpx.ReadTimeout),
)
_FAILURES = (aiohttp.ClientError, OSError, TimeoutError)


def _mapped(error: BaseException) -> httpx.TransportError:
    """The httpx error for an aiohttp failure: ReadError unless it is known to be another."""
    for source, target in _MAPPING:
        if isinstance(error, source):
            return target(str(error) or type(error).__name__)
    return httpx.ReadError(str(error) or type(error).__name__)


class AiohttpTransport(httpx_aiohttp.AiohttpTransport):
    """``httpx_aiohttp.AiohttpTransport`` with httpx's failure semantics (see the module).

    Takes the arguments of ``httpx.AsyncHTTPTransport`` that aiohttp supports (``verify``,
    ``cert``, ``trust_env``, ``limits``, ``proxy``, ``uds``, ``local_address``); it builds and
    owns its aiohttp session, so ``client=`` is not accepted.
    """

    def __init__(self, **options: Any) -> None:
        if "client" in options:
            raise TypeError("AiohttpTransport builds its own aiohttp session; client= is not taken")
        super().__init__(**options)
        limit = self.limits.max_connections
        self._slots = asyncio.Semaphore(limit) if limit is not None else None
        self._reading: set[aiohttp.ClientResponse] = set()

    async def aclose(self) -> None:
        """Close the session; a body still being read fails at once, as with httpx's own
        transport (aiohttp forgets a reader when it closes its connection, which then waits
        for bytes that never come)."""
        for response in self._reading:
            response.content.set_exception(aiohttp.ClientConnectionError("the transport closed"))
        self._reading.clear()
        await super().aclose()

    def get_client(self) -> aiohttp.ClientSession:
        """The aiohttp session: no cookie jar, no re-send of its own, ``limits`` applied."""
        limit = self.limits.max_connections or 0
        connector: aiohttp.BaseConnector
        if self.uds:
            connector = aiohttp.UnixConnector(
                path=self.uds, keepalive_timeout=self.limits.keepalive_expiry, limit=limit
            )
        else:
            connector = aiohttp.TCPConnector(
                keepalive_timeout=self.limits.keepalive_expiry,
                ssl=self.ssl_context,
                local_addr=(self.local_address, 0) if self.local_address else None,
                limit=limit,
            )
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            # httpx's own transport reads header lines of up to 100 KiB; aiohttp's default
            # (8 KiB) would turn an answer with one long header into a broken connection.
            max_line_size=MAX_HEADER_BYTES,
            max_field_size=MAX_HEADER_BYTES,
        )
        # aiohttp sends an idempotent request again, once and at once, when a kept-alive
        # connection drops; the retry policy decides that here (aiohttp's test client turns
        # it off the same way).
        session._retry_connection = False
        return session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        free_slot = await self._take_slot(timeout.get("pool"))
        try:
            response = await self._open(request, timeout)
        except BaseException:
            free_slot()
            raise
        reading = self._reading
        reading.add(response)

        def release() -> None:
            reading.discard(response)
            free_slot()

        extensions = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        length = response.content_length
        if length is None or length > READ_AT_ONCE:
            return httpx.Response(
                status_code=response.status,
                headers=response.raw_headers,
                stream=_ResponseStream(response, release),
                request=request,
                extensions=extensions,
            )
        # A body of known, small size is read here at once: httpx's chunk-by-chunk reading
        # costs more than the read itself.
        try:
            body = await response.read()
            await response.wait_for_close()
        except _FAILURES as error:
            raise _mapped(error) from error
        finally:
            response.release()
            release()
        if "Content-Encoding" in response.headers:
            # As a stream: given as content, httpx would inflate it whole here, unbounded.
            return httpx.Response(
                status_code=response.status,
                headers=response.raw_headers,
                stream=httpx.ByteStream(body),
                request=request,
                extensions=extensions,
            )
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            content=body,
            request=request,
            extensions=extensions,
        )

    async def _take_slot(self, pool_timeout: float | None) -> Callable[[], None]:
        """Wait in turn for one of the ``max_connections`` slots; the function that frees it."""
        slots = self._slots
        if slots is None:
            return _nothing
        if slots.locked():
            try:
                async with asyncio.timeout(pool_timeout):
                    await slots.acquire()
            except TimeoutError:
                raise httpx.PoolTimeout("no connection became free in time") from None
        else:
            await slots.acquire()  # returns at once
        return slots.release

    async def _open(
        self, request: httpx.Request, timeouts: dict[str, Any]
    ) -> aiohttp.ClientResponse:
        if not isinstance(self.client, aiohttp.ClientSession):
            self.client = self.get_client()
        try:
            content = request.content
        except httpx.RequestNotRead:
            content = await request.aread()
        try:
            return await self.client.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=content or None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeouts.get("connect"),
                    sock_connect=timeouts.get("connect"),
                    sock_read=timeouts.get("read"),
                ),
                server_hostname=request.extensions.get("sni_hostname"),
                proxy=str(self.proxy.url) if self.proxy else None,
                proxy_auth=aiohttp.BasicAuth(*self.proxy.auth)
                if self.proxy and self.proxy.auth
                else None,
                proxy_headers=self.proxy.headers if self.proxy else None,
            )
        except _FAILURES as error:
            raise _mapped(error) from error


class _ResponseStream(httpx.AsyncByteStream):
    """The body as aiohttp receives it; closing it frees the connection and its slot."""

    def __init__(self, response: aiohttp.ClientResponse, release: Callable[[], None]) -> None:
        self._response = response
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except _FAILURES as error:
            raise _mapped(error) from error

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is None:
            return
        try:
            self._response.release()
            await self._response.wait_for_close()
        except _FAILURES as error:
            raise _mapped(error) from error
        finally:
            release()


def _nothing() -> None:
    return None
