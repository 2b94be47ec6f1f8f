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
  ``max_keepalive_connections``); a kept-alive connection on which bytes arrived that no
  request asked for (bytes past ``Content-Length``) is closed, never read as the next answer;
- proxies as ``httpx.AsyncClient`` applies them: ``proxy=`` for every request, else with
  ``trust_env`` (the default) ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``
  by httpx's own rules, read when the transport is made; the traffic goes through the proxy
  via aiohttp (``httpx.AsyncClient`` mounts no environment proxy beside a given transport);
- a message never quotes what the server sent: aiohttp's parser errors become a fixed
  description ("the answer is not valid HTTP (bad chunk)");
- after ``aclose`` (a client using it was closed), the next request opens a new session.
"""

from __future__ import annotations

import asyncio
import base64
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

# httpx's own reading of the proxy variables and its URL patterns, so that the rules cannot
# drift from the default transport's (both exist throughout httpx 0.x).
from httpx._utils import URLPattern, get_environment_proxies

from sim_client._failures import NOT_HTTP

try:
    import aiohttp
    import httpx_aiohttp
    from aiohttp import http_exceptions
    from aiohttp.client_proto import ResponseHandler
    from aiohttp.client_reqrep import ConnectionKey
    from aiohttp.connector import Connection
    from aiohttp.helpers import _EXC_SENTINEL
    from aiohttp.tracing import Trace
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

# aiohttp's parser errors quote the bytes received; a message names only the kind of fault.
# Subclasses come before the classes they derive from.
_PARSER_FAULTS: tuple[tuple[type[Exception], str], ...] = (
    (http_exceptions.TransferEncodingError, "bad chunk"),
    (http_exceptions.ContentLengthError, "body shorter than its Content-Length"),
    (http_exceptions.ContentEncodingError, "bad content encoding"),
    (http_exceptions.LineTooLong, "line too long"),
    (http_exceptions.InvalidHeader, "bad header"),
    (http_exceptions.BadStatusLine, "bad status line"),
)
#: What a parser error is called when its kind is not known.
MALFORMED = "malformed"

# Timeout checks come before the classes they derive from (ServerTimeoutError is a
# ServerConnectionError); anything not listed was sent, and its answer is lost. The text is
# fixed where aiohttp's would quote what the server sent; None keeps aiohttp's own (the
# operating system's words, or the URL the request was made for).
_MAPPING: tuple[tuple[type[BaseException], type[httpx.TransportError], str | None], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout, "timed out opening the connection"),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout, "timed out waiting for the answer"),
    (aiohttp.ClientConnectorError, httpx.ConnectError, None),  # refused, DNS, TLS, proxy connect
    (
        aiohttp.ServerFingerprintMismatch,  # before the request is sent
        httpx.ConnectError,
        "the server's certificate does not match the expected fingerprint",
    ),
    (
        aiohttp.ServerDisconnectedError,
        httpx.RemoteProtocolError,
        "the server closed the connection without a complete answer",
    ),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError, "the proxy refused the connection"),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol, None),
    (TimeoutError, httpx.ReadTimeout, "timed out waiting for the answer"),
    (OSError, httpx.ReadError, None),
)
# The answer is not HTTP, or its body is cut short or malformed: described by _parser_fault.
_NOT_HTTP = (
    aiohttp.ClientPayloadError,
    aiohttp.ClientResponseError,
    http_exceptions.HttpProcessingError,
)
_FAILURES = (aiohttp.ClientError, OSError, TimeoutError, http_exceptions.HttpProcessingError)


def _mapped(error: BaseException) -> httpx.TransportError:
    """The httpx error for an aiohttp failure: ReadError unless it is known to be another.

    Its message never quotes the bytes received (``_cause`` keeps aiohttp's error out of the
    chain when its text would)."""
    for source, target, text in _MAPPING:
        if isinstance(error, source):
            if isinstance(error, aiohttp.ClientHttpProxyError):
                return target(f"{text} (status {error.status})")
            return target(text or str(error) or type(error).__name__)
    if isinstance(error, _NOT_HTTP):
        return httpx.RemoteProtocolError(f"{NOT_HTTP} ({_parser_fault(error)})")
    return httpx.ReadError(f"the connection failed ({type(error).__name__})")


def _parser_fault(error: BaseException) -> str:
    """The kind of fault aiohttp's parser found, from the error or the errors it was raised from."""
    seen: BaseException | None = error
    while seen is not None:
        for source, kind in _PARSER_FAULTS:
            if isinstance(seen, source):
                return kind
        seen = seen.__cause__
    return MALFORMED


def _cause(error: BaseException) -> BaseException | None:
    """``error`` to chain to its httpx error, or None when its text may quote the answer
    (anything but the operating system's words, a timeout or a URL of ours)."""
    return error if isinstance(error, OSError | TimeoutError | aiohttp.InvalidURL) else None


class AiohttpTransport(httpx_aiohttp.AiohttpTransport):
    """``httpx_aiohttp.AiohttpTransport`` with httpx's failure semantics (see the module).

    Takes the arguments of ``httpx.AsyncHTTPTransport`` that aiohttp supports (``verify``,
    ``cert``, ``trust_env``, ``limits``, ``proxy``, ``uds``, ``local_address``); it builds and
    owns its aiohttp session, so ``client=`` is not accepted. Proxies are reached over http
    or https (aiohttp has no SOCKS).
    """

    def __init__(
        self,
        *,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        **options: Any,
    ) -> None:
        if "client" in options:
            raise TypeError("AiohttpTransport builds its own aiohttp session; client= is not taken")
        super().__init__(trust_env=trust_env, **options)
        self.proxy = _as_proxy(proxy)
        self._proxies = _proxy_routes(self.proxy, trust_env)
        limit = self.limits.max_connections
        self._slots = asyncio.Semaphore(limit) if limit is not None else None
        self._reading: set[aiohttp.ClientResponse] = set()

    async def aclose(self) -> None:
        """Close the session; a body still being read fails at once, as with httpx's own
        transport (aiohttp forgets a reader when it closes its connection, which then waits
        for bytes that never come). The next request opens a new session."""
        for response in self._reading:
            response.content.set_exception(aiohttp.ClientConnectionError())
        self._reading.clear()
        session, self.client = self.client, None
        if isinstance(session, aiohttp.ClientSession):
            await session.close()

    def get_client(self) -> aiohttp.ClientSession:
        """The aiohttp session: no cookie jar, no re-send of its own, ``limits`` applied."""
        limit = self.limits.max_connections or 0
        connector: aiohttp.BaseConnector
        if self.uds:
            connector = _UnixConnector(
                path=self.uds, keepalive_timeout=self.limits.keepalive_expiry, limit=limit
            )
        else:
            connector = _TCPConnector(
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

    def proxy_for(self, url: httpx.URL) -> httpx.Proxy | None:
        """The proxy a request to ``url`` goes through, None for a direct one (httpx's rule:
        the most specific matching pattern wins)."""
        for pattern, proxy in self._proxies:
            if pattern.matches(url):
                return proxy
        return None

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

        extensions = {}  # http_version: HTTP/1.1, httpx's default
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
            raise _mapped(error) from _cause(error)
        finally:
            response.release()
            release()
        answer = httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=httpx.ByteStream(body),
            request=request,
            extensions=extensions,
        )
        if "Content-Encoding" not in response.headers:
            # Read already: what ``Response(content=body)`` does, without its chunk-by-chunk
            # pass over the bytes. An encoded body stays a stream, inflated where it is read.
            answer._content = body
            answer.is_stream_consumed = answer.is_closed = True
        return answer

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
        try:  # ASCII, as the client's own headers are: cheaper than httpx's guess of a charset
            headers = [
                (key.decode("ascii"), value.decode("ascii")) for key, value in request.headers.raw
            ]
        except UnicodeDecodeError:  # decoded as httpx decodes it (UTF-8, else Latin-1)
            headers = request.headers.multi_items()
        try:
            content = request.content
        except httpx.RequestNotRead:
            # A streamed body, sent whole: with its length, not as the chunks httpx announced.
            content = await request.aread()
            headers = [item for item in headers if item[0].lower() != "transfer-encoding"]
        proxy = self.proxy_for(request.url)
        to_proxy = None if proxy is None else _proxy_headers(proxy)
        if to_proxy and request.url.scheme == "http":
            # Forwarded by the proxy: they go with the request, as httpx sends them (else
            # with the CONNECT that opens the tunnel).
            headers = to_proxy + headers
            to_proxy = None
        try:
            return await self._session().request(
                request.method,
                _yarl(str(request.url)),
                headers=headers,
                data=content or None,
                allow_redirects=False,
                timeout=_timeout(timeouts.get("connect"), timeouts.get("read")),
                server_hostname=request.extensions.get("sni_hostname"),
                proxy=None if proxy is None else str(proxy.url),
                proxy_headers=to_proxy,
            )
        except _FAILURES as error:
            raise _mapped(error) from _cause(error)

    def _session(self) -> aiohttp.ClientSession:
        """The open session, a new one if there is none yet or it was closed."""
        session = self.client
        if not isinstance(session, aiohttp.ClientSession) or session.closed:
            session = self.client = self.get_client()
        return session


@functools.lru_cache(maxsize=512)
def _yarl(url: str) -> URL:
    """``url``, percent-encoded already, as aiohttp takes it (remembered: a client sends to
    few URLs, and parsing one costs more than sending a small request)."""
    return URL(url, encoded=True)


@functools.lru_cache(maxsize=64)
def _timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for httpx's connect and read timeouts: no total (the caller's
    deadline bounds the whole)."""
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect, sock_read=read)


class _ResponseHandler(ResponseHandler):
    """aiohttp's protocol, which also fails the body being read when the rest of the answer
    is not HTTP (aiohttp leaves that read waiting for bytes that never come)."""

    def set_exception(self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL) -> None:
        payload = self._payload
        super().set_exception(exc, exc_cause)
        if isinstance(exc, http_exceptions.HttpProcessingError) and payload is not None:
            payload.set_exception(aiohttp.ClientPayloadError(MALFORMED), exc_cause)


class _TCPConnector(aiohttp.TCPConnector):
    """``aiohttp.TCPConnector`` that never reuses a connection with unasked-for bytes."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._factory = _protocols(self._loop)

    async def _get(self, key: ConnectionKey, traces: list[Trace]) -> Connection | None:
        return await _reusable(key, traces, super()._get)


class _UnixConnector(aiohttp.UnixConnector):
    """``aiohttp.UnixConnector`` that never reuses a connection with unasked-for bytes."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._factory = _protocols(self._loop)

    async def _get(self, key: ConnectionKey, traces: list[Trace]) -> Connection | None:
        return await _reusable(key, traces, super()._get)


def _protocols(loop: asyncio.AbstractEventLoop) -> functools.partial[ResponseHandler]:
    """What a connector makes the protocol of each connection with."""
    protocol: Callable[..., ResponseHandler] = _ResponseHandler
    return functools.partial(protocol, loop=loop)


async def _reusable(
    key: ConnectionKey,
    traces: list[Trace],
    get: Callable[[ConnectionKey, list[Trace]], Awaitable[Connection | None]],
) -> Connection | None:
    """The next kept-alive connection for ``key`` that is fit to carry a request, or None.

    Bytes that arrived on an idle connection (past an answer's ``Content-Length``) would be
    read as the answer to the next request, so such a connection is closed instead."""
    while (connection := await get(key, traces)) is not None:
        protocol = connection.protocol
        if protocol is not None and not protocol.should_close:
            return connection
        connection.close()
    return None


def _as_proxy(proxy: str | httpx.URL | httpx.Proxy | None) -> httpx.Proxy | None:
    """``proxy=`` as ``httpx.Proxy``, as httpx takes it."""
    return _proxy_at(proxy) if isinstance(proxy, str | httpx.URL) else proxy


def _proxy_at(url: str | httpx.URL) -> httpx.Proxy:
    """The proxy at ``url``, its scheme checked first (httpx before 0.28 refuses a SOCKS URL
    with a message of its own)."""
    _check_proxy_scheme(httpx.URL(url).scheme)
    return httpx.Proxy(url=url)


def _check_proxy_scheme(scheme: str) -> None:
    if scheme not in ("http", "https"):
        raise ValueError(f"the aiohttp transport reaches a proxy over http or https, not {scheme}")


def _proxy_headers(proxy: httpx.Proxy) -> list[tuple[str, str]]:
    """The headers for ``proxy``: its own, and ``Proxy-Authorization`` for its credentials."""
    headers = proxy.headers.multi_items()
    if proxy.raw_auth is not None:
        credentials = base64.b64encode(b":".join(proxy.raw_auth)).decode("ascii")
        headers.append(("Proxy-Authorization", f"Basic {credentials}"))
    return headers


def _proxy_routes(
    proxy: httpx.Proxy | None, trust_env: bool
) -> list[tuple[URLPattern, httpx.Proxy | None]]:
    """The proxy for each URL pattern, most specific first, as ``httpx.AsyncClient`` mounts
    them: ``proxy`` for all, else the environment's when ``trust_env``, else none."""
    if proxy is not None:
        routes: dict[str, httpx.Proxy | None] = {"all://": proxy}
    elif trust_env:
        routes = {
            pattern: None if url is None else _proxy_at(url)
            for pattern, url in get_environment_proxies().items()
        }
    else:
        routes = {}
    for chosen in routes.values():
        if chosen is not None:
            _check_proxy_scheme(chosen.url.scheme)
    return sorted((URLPattern(pattern), chosen) for pattern, chosen in routes.items())


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
            raise _mapped(error) from _cause(error)

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is None:
            return
        try:
            self._response.release()
            await self._response.wait_for_close()
        except _FAILURES as error:
            raise _mapped(error) from _cause(error)
        finally:
            release()


def _nothing() -> None:
    return None
