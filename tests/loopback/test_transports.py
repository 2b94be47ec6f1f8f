"""The client SimClient builds for itself, and the aiohttp transport's own pieces.

The aiohttp transport's behaviour on the wire is proven by the loopback fault, scenario and
soak tests, which run on both transports; here are the parts those cannot reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from unittest import mock

import aiohttp
import httpx
import pytest
from aiohttp import http_exceptions
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from sim_client import APIConnectionError, ResponseTooLargeError, SimClient, aiohttp_transport
from sim_client.aiohttp_transport import AiohttpTransport
from sim_client.testing import FakeSimServer
from tests.loopback_helpers import no_proxies, proxy_free_environment
from tests.mock_api import (
    BASE_URL,
    TOKEN,
    MockAPI,
    crc_broken_bomb,
    integration,
    json_response,
)

SET_COOKIE = {"Set-Cookie": "session=abc; Path=/"}


async def test_a_client_simclient_builds_keeps_no_cookies() -> None:
    api = MockAPI(json_response(200, integration(), headers=SET_COOKIE))
    async with SimClient(BASE_URL, token=TOKEN, transport=api.transport) as sim:
        await sim.get_integration("a" * 32)
        await sim.get_integration("a" * 32)
        assert list(sim._connection.http.cookies.jar) == []
        sim._connection.http.cookies.set("planted", "1")
        assert list(sim._connection.http.cookies.jar) == []
        with pytest.raises(TypeError):
            sim._connection.http.cookies = {"planted": "1"}
    assert [r.headers.get("Cookie") for r in api.requests] == [None, None]


async def test_an_injected_client_keeps_its_cookies() -> None:
    api = MockAPI(json_response(200, integration(), headers=SET_COOKIE))
    async with api.client() as sim:
        await sim.get_integration("a" * 32)
        await sim.get_integration("a" * 32)
    assert [r.headers.get("Cookie") for r in api.requests] == [None, "session=abc"]


async def test_each_integration_id_gets_its_own_url() -> None:
    api = MockAPI()
    async with SimClient(BASE_URL, token=TOKEN, transport=api.transport) as sim:
        for integration_id in ("a" * 32, "b" * 32, "a" * 32, "c%2F"):
            await sim.get_integration(integration_id)
    assert [r.url.raw_path for r in api.requests] == [
        b"/beta/sim-integrations/" + b"a" * 32,
        b"/beta/sim-integrations/" + b"b" * 32,
        b"/beta/sim-integrations/" + b"a" * 32,
        b"/beta/sim-integrations/c%252F",
    ]


def test_the_aiohttp_transport_builds_its_own_session() -> None:
    with pytest.raises(
        TypeError, match=r"^AiohttpTransport builds its own aiohttp session; client="
    ):
        AiohttpTransport(client=lambda: None)


def test_trust_env_also_decides_whether_ssl_cert_file_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")
    refused = []
    for transport in (httpx.AsyncHTTPTransport, AiohttpTransport):  # alike
        try:
            transport(trust_env=True)
        except FileNotFoundError:
            refused.append(transport.__name__)
        transport(trust_env=False)
    # httpx 0.28 reads the file (and fails), 0.27 does not: either way, both transports alike.
    assert refused in ([], ["AsyncHTTPTransport", "AiohttpTransport"])
    if tuple(map(int, httpx.__version__.split(".")[:2])) >= (0, 28):
        assert refused == ["AsyncHTTPTransport", "AiohttpTransport"]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError(), httpx.ReadTimeout),
        (aiohttp.ServerTimeoutError(), httpx.ReadTimeout),
        (TimeoutError(), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("cut"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (ConnectionResetError(), httpx.ReadError),
        (aiohttp.ClientError("other"), httpx.ReadError),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else "",
)
def test_aiohttp_failures_map_to_what_httpx_raises(
    error: BaseException, expected: type[httpx.TransportError]
) -> None:
    mapped = aiohttp_transport._mapped(error)
    assert type(mapped) is expected
    assert str(mapped)


@pytest.mark.loopback
@pytest.mark.parametrize("read_at_once", [0, aiohttp_transport.READ_AT_ONCE])
async def test_bodies_are_read_whole_or_streamed_alike(
    monkeypatch: pytest.MonkeyPatch, waits: list[float], read_at_once: int
) -> None:
    no_proxies(monkeypatch)
    monkeypatch.setattr(aiohttp_transport, "READ_AT_ONCE", read_at_once)
    fake = FakeSimServer()
    seeded = fake.add_integration({"name": "seeded"})
    cut = b'[{"id": "0123", "na'
    fake.fail(200, method="POST", body=cut, headers={"Content-Length": "400"})
    async with (
        fake.serve() as base_url,
        SimClient(base_url, token=fake.token, transport=AiohttpTransport(trust_env=False)) as sim,
    ):
        assert [i.id for i in await sim.list_integrations()] == [seeded["id"]]
        assert (await sim.get_integration(seeded["id"])).name == "seeded"
        with pytest.raises(APIConnectionError) as raised:
            await sim.create_integration({"name": "x"})
        assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
        assert (await sim.get_integration(seeded["id"])).name == "seeded"
    assert waits == []


@pytest.mark.loopback
async def test_the_pool_limit_is_kept_by_the_aiohttp_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_proxies(monkeypatch)
    fake = FakeSimServer()
    fake.delay(0.2, times=6, method="GET")
    limits = httpx.Limits(max_connections=2)
    async with (
        fake.serve() as base_url,
        SimClient(
            base_url, token=fake.token, transport=AiohttpTransport(trust_env=False, limits=limits)
        ) as sim,
    ):
        await asyncio.gather(*(sim.list_integrations() for _ in range(6)))
        transport = sim._connection.http._transport
        assert isinstance(transport, AiohttpTransport)
        assert isinstance(transport.client, aiohttp.ClientSession)
        connector = transport.client.connector
        assert connector is not None
        assert sum(len(kept) for kept in connector._conns.values()) == 2  # six calls, two
    assert [r.status for r in fake.requests] == [200] * 6


@pytest.mark.loopback
async def test_a_small_gzip_bomb_read_at_once_is_inflated_only_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_proxies(monkeypatch)
    fake = FakeSimServer()
    bomb = crc_broken_bomb(32 * 1024 * 1024)  # about 32 KiB: read at once by the transport
    fake.fail(200, body=bomb, headers={"Content-Encoding": "gzip"})
    async with (
        fake.serve() as base_url,
        SimClient(
            base_url,
            token=fake.token,
            transport=AiohttpTransport(trust_env=False),
            max_response_bytes=1024 * 1024,
        ) as sim,
    ):
        with pytest.raises(ResponseTooLargeError) as raised:
            await sim.list_integrations()
    assert len(raised.value.response.content) == 1024 * 1024


@pytest.mark.loopback
@pytest.mark.parametrize("read_at_once", [0, aiohttp_transport.READ_AT_ONCE])
async def test_closing_the_aiohttp_transport_ends_a_body_being_read(
    monkeypatch: pytest.MonkeyPatch, read_at_once: int
) -> None:
    no_proxies(monkeypatch)
    monkeypatch.setattr(aiohttp_transport, "READ_AT_ONCE", read_at_once)
    started = asyncio.Event()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n[")
        started.set()
        await asyncio.sleep(30)  # the rest of the body never comes

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = AiohttpTransport()
    sim = SimClient(f"http://127.0.0.1:{port}", token=TOKEN, transport=transport)
    call = asyncio.create_task(sim.create_integration({"name": "x"}))
    await started.wait()
    for _ in range(200):  # until the client has the headers and reads the body
        if getattr(transport, "_reading", None):
            break
        await asyncio.sleep(0.01)
    await sim.aclose()
    try:
        # A guard far below the 30 s timeout: closing must end the read, not the deadline.
        with pytest.raises(APIConnectionError) as raised:
            await asyncio.wait_for(call, 5)
        assert isinstance(raised.value.__cause__, httpx.ReadError)
    finally:
        server.close()


# --- which proxy a request goes through: httpx's rules, checked against httpx itself ---

PROXY_ENVIRONMENTS: dict[str, dict[str, str]] = {
    "http": {"HTTP_PROXY": "http://p1:3128"},
    "lower-case-without-scheme": {"http_proxy": "p1:3128"},
    "https-and-http": {"HTTPS_PROXY": "http://p2:3129", "HTTP_PROXY": "http://p1:3128"},
    "all-and-http": {"ALL_PROXY": "http://p3:1080", "HTTP_PROXY": "http://p1:3128"},
    "https-proxy-url": {"all_proxy": "https://p4:443"},
    "no-proxy-domain": {"ALL_PROXY": "http://p3:1080", "NO_PROXY": "example.com"},
    "no-proxy-dot-domain": {"ALL_PROXY": "http://p3:1080", "NO_PROXY": ".example.com"},
    "no-proxy-star": {"ALL_PROXY": "http://p3:1080", "no_proxy": "example.org, *"},
    "no-proxy-addresses": {"ALL_PROXY": "http://p3:1080", "NO_PROXY": "10.0.0.1,::1,localhost"},
    "no-proxy-port": {"ALL_PROXY": "http://p3:1080", "NO_PROXY": "example.com:8443"},
    "no-proxy-url": {"HTTP_PROXY": "http://p1:3128", "NO_PROXY": "http://example.org"},
    "nothing": {},
}
PROXIED_URLS = [
    "http://example.com/x",
    "https://example.com/x",
    "http://www.example.com/",
    "http://notexample.com/",
    "https://example.com:8443/",
    "http://10.0.0.1/",
    "http://10.0.0.2/",
    "http://[::1]:8080/",
    "http://localhost:9/",
    "http://example.org/",
    "https://example.org/",
]


def httpx_proxy_for(client: httpx.AsyncClient, url: str) -> str | None:
    """The proxy httpx's client sends a request to ``url`` through, as ``scheme://host:port``."""
    transport = client._transport_for_url(httpx.URL(url))
    if transport is client._transport:
        return None
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    proxy_url = transport._pool._proxy_url  # type: ignore[attr-defined]
    return f"{proxy_url.scheme.decode()}://{proxy_url.host.decode()}:{proxy_url.port}"


def aiohttp_proxy_for(transport: AiohttpTransport, url: str) -> str | None:
    proxy = transport.proxy_for(httpx.URL(url))
    return None if proxy is None else f"{proxy.url.scheme}://{proxy.url.host}:{proxy.url.port}"


@pytest.mark.parametrize("environment", list(PROXY_ENVIRONMENTS))
async def test_the_proxy_for_each_url_is_the_one_httpx_chooses(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    proxy_free_environment(monkeypatch)
    for name, value in PROXY_ENVIRONMENTS[environment].items():
        monkeypatch.setenv(name, value)
    transport = AiohttpTransport()
    async with httpx.AsyncClient() as client:
        expected = {url: httpx_proxy_for(client, url) for url in PROXIED_URLS}
    assert {url: aiohttp_proxy_for(transport, url) for url in PROXIED_URLS} == expected
    if environment not in ("nothing", "no-proxy-star"):  # not all direct
        assert set(expected.values()) != {None}
    await transport.aclose()


def test_an_explicit_proxy_is_used_for_every_url_and_the_environment_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy_free_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://env:1")
    monkeypatch.setenv("NO_PROXY", "example.com")
    for given in ("http://given:2", httpx.URL("http://given:2"), httpx.Proxy("http://given:2")):
        transport = AiohttpTransport(proxy=given)
        assert {aiohttp_proxy_for(transport, url) for url in PROXIED_URLS} == {"http://given:2"}


def test_without_trust_env_the_environment_names_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy_free_environment(monkeypatch)
    monkeypatch.setenv("ALL_PROXY", "http://env:1")
    assert aiohttp_proxy_for(AiohttpTransport(), "http://example.com/") == "http://env:1"
    transport = AiohttpTransport(trust_env=False)
    assert {aiohttp_proxy_for(transport, url) for url in PROXIED_URLS} == {None}


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
def test_a_socks_proxy_is_refused_when_the_transport_is_made(
    monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    proxy_free_environment(monkeypatch)
    with pytest.raises(ValueError, match=f"over http or https, not {scheme}$"):
        AiohttpTransport(proxy=f"{scheme}://user:secret-pw@p:1080")
    monkeypatch.setenv("ALL_PROXY", f"{scheme}://user:secret-pw@p:1080")
    with pytest.raises(ValueError, match=f"over http or https, not {scheme}$") as raised:
        AiohttpTransport()
    assert "secret-pw" not in str(raised.value)
    assert AiohttpTransport(trust_env=False).proxy_for(httpx.URL("http://a/")) is None


# --- what a failure says: never the bytes received ---

QUOTED = b"pw-Hunter2-7f3a"


def parser_error(kind: type[http_exceptions.HttpProcessingError]) -> BaseException:
    """The chain aiohttp raises for a parser error: its own error, a copy, the client's."""
    quoted = repr(QUOTED)
    found = (
        kind(quoted, "8190")
        if kind is http_exceptions.LineTooLong
        else kind(quoted)
        if issubclass(kind, http_exceptions.BadStatusLine | http_exceptions.InvalidHeader)
        else kind(message=quoted)
    )
    copy = http_exceptions.HttpProcessingError(code=400, message=found.message)
    copy.__cause__ = found
    raised = aiohttp.ClientResponseError(
        aiohttp.RequestInfo(URL("http://a/"), "GET", CIMultiDictProxy(CIMultiDict())),
        (),
        status=400,
        message=found.message,
    )
    raised.__cause__ = copy
    return raised


@pytest.mark.parametrize(
    ("kind", "description"),
    [
        (http_exceptions.TransferEncodingError, "bad chunk"),
        (http_exceptions.ContentLengthError, "body shorter than its Content-Length"),
        (http_exceptions.ContentEncodingError, "bad content encoding"),
        (http_exceptions.LineTooLong, "line too long"),
        (http_exceptions.InvalidHeader, "bad header"),
        (http_exceptions.BadStatusLine, "bad status line"),
        (http_exceptions.BadHttpMethod, "bad status line"),
        (http_exceptions.BadHttpMessage, "malformed"),
    ],
)
def test_a_parser_error_is_described_without_what_it_quotes(
    kind: type[http_exceptions.HttpProcessingError], description: str
) -> None:
    error = parser_error(kind)
    assert QUOTED.decode() in str(error)  # what aiohttp would have said
    for failure in (error, aiohttp.ClientPayloadError(str(error))):
        if isinstance(failure, aiohttp.ClientPayloadError):
            failure.__cause__ = error.__cause__
        mapped = aiohttp_transport._mapped(failure)
        assert type(mapped) is httpx.RemoteProtocolError
        assert str(mapped) == f"the answer is not valid HTTP ({description})"
        assert aiohttp_transport._cause(failure) is None
    raw = error.__cause__
    assert raw is not None
    assert str(aiohttp_transport._mapped(raw)) == f"the answer is not valid HTTP ({description})"


def test_a_proxy_that_refuses_is_a_proxy_error_naming_only_the_status() -> None:
    error = aiohttp.ClientHttpProxyError(
        aiohttp.RequestInfo(URL("http://a/"), "CONNECT", CIMultiDictProxy(CIMultiDict())),
        (),
        status=407,
        message=f"Proxy says {QUOTED!r}",
    )
    mapped = aiohttp_transport._mapped(error)
    assert type(mapped) is httpx.ProxyError
    assert str(mapped) == "the proxy refused the connection (status 407)"


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (aiohttp.ServerDisconnectedError(f"{QUOTED!r}"), "the server closed the connection"),
        (aiohttp.ClientConnectionError(f"{QUOTED!r}"), "the connection failed"),
        (aiohttp.ServerTimeoutError(f"{QUOTED!r}"), "timed out waiting for the answer"),
        (aiohttp.ConnectionTimeoutError(f"{QUOTED!r}"), "timed out opening the connection"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else "",
)
def test_other_failures_whose_text_may_quote_the_answer_have_a_fixed_text(
    error: BaseException, text: str
) -> None:
    assert str(aiohttp_transport._mapped(error)).startswith(text)
    assert QUOTED.decode() not in str(aiohttp_transport._mapped(error))


def test_the_operating_systems_words_are_kept_and_chained() -> None:
    error = aiohttp.ClientOSError(104, "Connection reset by peer")
    assert str(aiohttp_transport._mapped(error)) == str(error)
    assert aiohttp_transport._cause(error) is error
    assert aiohttp_transport._cause(aiohttp.ClientPayloadError("x")) is None


# --- the session the aiohttp transport builds, and its protocol ---


@pytest.mark.parametrize("max_connections", [3, None])
async def test_the_session_carries_the_transports_settings(max_connections: int | None) -> None:
    limits = httpx.Limits(max_connections=max_connections, keepalive_expiry=7.0)
    transport = AiohttpTransport(trust_env=False, limits=limits, local_address="127.0.0.1")
    session = transport.get_client()
    try:
        connector = session.connector
        assert isinstance(connector, aiohttp.TCPConnector)
        assert connector.limit == (max_connections or 0)  # 0: no limit, as None in httpx
        assert connector._keepalive_timeout == 7.0
        assert connector._ssl is transport.ssl_context
        assert connector._local_addr_infos is not None
        assert connector._local_addr_infos[0][4][:2] == ("127.0.0.1", 0)
        assert isinstance(session.cookie_jar, aiohttp.DummyCookieJar)
        assert session.auto_decompress is False
        assert session._retry_connection is False
        assert (session._max_line_size, session._max_field_size) == (102400, 102400)
    finally:
        await session.close()
    session = AiohttpTransport(trust_env=False).get_client()
    assert isinstance(session.connector, aiohttp.TCPConnector)
    assert session.connector._local_addr_infos is None
    await session.close()


async def test_a_unix_socket_session_carries_the_transports_settings() -> None:
    limits = httpx.Limits(max_connections=None, keepalive_expiry=7.0)
    transport = AiohttpTransport(trust_env=False, limits=limits, uds="/nonexistent/socket")
    session = transport.get_client()
    try:
        connector = session.connector
        assert isinstance(connector, aiohttp.UnixConnector)
        assert (connector.path, connector.limit) == ("/nonexistent/socket", 0)
        assert connector._keepalive_timeout == 7.0
    finally:
        await session.close()


@pytest.mark.parametrize("uds", [False, True], ids=["tcp", "unix"])
async def test_a_connection_fails_a_body_read_when_the_rest_is_not_http(uds: bool) -> None:
    transport = AiohttpTransport(trust_env=False, uds="/nonexistent/socket" if uds else None)
    session = transport.get_client()
    try:
        connector = session.connector
        assert connector is not None
        protocol = connector._factory()
        assert isinstance(protocol, aiohttp.client_proto.ResponseHandler)
        protocol.connection_made(mock.Mock(spec=asyncio.Transport))
        payload = aiohttp.StreamReader(protocol, 1024, loop=asyncio.get_running_loop())
        protocol._payload = payload
        reading = asyncio.create_task(payload.read())
        answering = asyncio.create_task(protocol.read())
        await asyncio.sleep(0)  # both wait for bytes
        found = http_exceptions.TransferEncodingError("bad")
        protocol.set_exception(http_exceptions.HttpProcessingError(), found)
        with pytest.raises(aiohttp.ClientPayloadError) as failed:
            await asyncio.wait_for(reading, 5)  # a regression fails instead of hanging
        raised = failed.value
        assert (str(raised), raised.__cause__) == (aiohttp_transport.MALFORMED, found)
        with pytest.raises(http_exceptions.HttpProcessingError) as answered:
            await asyncio.wait_for(answering, 5)
        assert answered.value.__cause__ is found
        assert str(aiohttp_transport._mapped(raised)) == "the answer is not valid HTTP (bad chunk)"
    finally:
        await session.close()


async def test_a_connection_lost_is_left_to_aiohttp() -> None:
    protocol = aiohttp_transport._protocols(asyncio.get_running_loop())()
    payload = aiohttp.StreamReader(protocol, 1024, loop=asyncio.get_running_loop())
    protocol._payload = payload
    protocol.set_exception(aiohttp.ClientOSError(104, "reset"))
    assert payload.exception() is None
    protocol._payload = None
    protocol.set_exception(http_exceptions.HttpProcessingError())  # nothing being read
    assert isinstance(protocol.exception(), http_exceptions.HttpProcessingError)


def test_a_failure_without_words_is_named_by_its_type() -> None:
    assert str(aiohttp_transport._mapped(ConnectionResetError())) == "ConnectionResetError"
    other = aiohttp_transport._mapped(aiohttp.ClientConnectionError())
    assert str(other) == "the connection failed (ClientConnectionError)"


class _BrokenContent:
    """A body that gives one chunk, then fails as a reset connection does."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def iter_any(self) -> AsyncIterator[bytes]:
        yield b"["
        raise self.error


async def test_a_streamed_body_that_fails_is_an_httpx_error_and_frees_its_slot_once() -> None:
    reset = aiohttp.ClientOSError(104, "Connection reset by peer")
    response = mock.Mock(spec=aiohttp.ClientResponse)
    response.content = _BrokenContent(reset)
    response.wait_for_close = mock.AsyncMock(side_effect=reset)
    release = mock.Mock()
    stream = aiohttp_transport._ResponseStream(response, release)
    received = []
    with pytest.raises(httpx.ReadError) as raised:
        async for chunk in stream:
            received.append(chunk)
    assert received == [b"["]
    assert (str(raised.value), raised.value.__cause__) == (str(reset), reset)
    with pytest.raises(httpx.ReadError) as closing:
        await stream.aclose()
    assert (str(closing.value), closing.value.__cause__) == (str(reset), reset)
    response.release.assert_called_once_with()
    release.assert_called_once_with()
    await stream.aclose()  # a second close does nothing
    release.assert_called_once_with()
    response.release.assert_called_once_with()


@pytest.mark.loopback
async def test_a_unix_socket_connection_with_unasked_for_bytes_is_not_reused(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "api.sock")
    extra_sent = asyncio.Event()
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal")
                await writer.drain()
                if not extra_sent.is_set():
                    await asyncio.sleep(0.05)  # after the answer was read
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")
                    await writer.drain()
                    extra_sent.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_unix_server(serve, path)
    transport = AiohttpTransport(trust_env=False, uds=path)
    try:
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get("http://localhost/")).content == b"real"
            await asyncio.wait_for(extra_sent.wait(), 5)
            await asyncio.sleep(0.05)  # the bytes reach the client's socket
            assert (await client.get("http://localhost/")).content == b"real"
            assert (await client.get("http://localhost/")).content == b"real"  # kept alive
        assert connections == 2
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.loopback
@pytest.mark.parametrize(
    ("read_at_once", "encoding"),
    [(2, None), (1, None), (2, "identity")],
    ids=["read-at-once", "streamed", "encoded"],
)
async def test_an_answer_given_straight_to_the_transport_is_whole(
    monkeypatch: pytest.MonkeyPatch, read_at_once: int, encoding: str | None
) -> None:
    # A request made without a client carries no timeout; the answer has all the transport
    # read: status, reason, headers, body, and the request it answers. One connection: the
    # second request waits for the first answer to be closed, then has the connection.
    monkeypatch.setattr(aiohttp_transport, "READ_AT_ONCE", read_at_once)
    paths: list[bytes] = []
    head = b"HTTP/1.1 200 Fine\r\nContent-Length: 2\r\nX-Note: n\r\n"
    if encoding:
        head += f"Content-Encoding: {encoding}\r\n".encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while request_head := await reader.readuntil(b"\r\n\r\n"):
                paths.append(request_head.split(b" ")[1])
                writer.write(head + b"\r\n[]")
                await writer.drain()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    limits = httpx.Limits(max_connections=1)
    transport = AiohttpTransport(trust_env=False, limits=limits)
    try:
        for timeout in (None, {"pool": 5.0}):
            request = httpx.Request("GET", f"http://127.0.0.1:{port}/a%7Eb")
            if timeout is not None:
                request.extensions["timeout"] = timeout
            response = await transport.handle_async_request(request)
            streamed = isinstance(response.stream, aiohttp_transport._ResponseStream)
            assert streamed is (read_at_once < 2)  # whole when the length is at most READ_AT_ONCE
            assert (await response.aread(), response.reason_phrase) == (b"[]", "Fine")
            assert (response.headers["X-Note"], response.request) == ("n", request)
            assert response.http_version == "HTTP/1.1"
            await response.aclose()
            assert transport._reading == set()  # nothing left to fail on close
        assert paths == [b"/a%7Eb"] * 2  # the path as given, not re-encoded
    finally:
        await transport.aclose()
        server.close()


@pytest.mark.loopback
async def test_the_transport_follows_no_redirect_and_keeps_the_read_timeout() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            request_head = await reader.readuntil(b"\r\n\r\n")
            if request_head.startswith(b"GET /moved "):
                writer.write(b"HTTP/1.1 307 Moved\r\nLocation: /slow\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(30)  # never answers

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = AiohttpTransport(trust_env=False)
    timeout = {"connect": 5.0, "read": 0.2, "write": 5.0, "pool": 5.0}
    try:
        moved = httpx.Request(
            "GET", f"http://127.0.0.1:{port}/moved", extensions={"timeout": timeout}
        )
        response = await asyncio.wait_for(transport.handle_async_request(moved), 5)
        assert response.status_code == 307
        await response.aclose()
        slow = httpx.Request(
            "GET", f"http://127.0.0.1:{port}/slow", extensions={"timeout": timeout}
        )
        with pytest.raises(httpx.ReadTimeout):
            await asyncio.wait_for(transport.handle_async_request(slow), 5)
    finally:
        await transport.aclose()
        server.close()


async def test_a_body_read_at_once_that_fails_is_an_httpx_error_and_frees_its_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reset = aiohttp.ClientOSError(104, "Connection reset by peer")
    response = mock.Mock(spec=aiohttp.ClientResponse)
    response.reason, response.content_length = "OK", 2
    response.read = mock.AsyncMock(side_effect=reset)
    transport = AiohttpTransport(trust_env=False, limits=httpx.Limits(max_connections=1))
    monkeypatch.setattr(transport, "_open", mock.AsyncMock(return_value=response))
    request = httpx.Request("GET", "http://127.0.0.1:9/")
    for _ in range(2):  # the slot is free again for the second
        with pytest.raises(httpx.ReadError) as raised:
            await asyncio.wait_for(transport.handle_async_request(request), 5)
        assert (str(raised.value), raised.value.__cause__) == (str(reset), reset)
    assert transport._reading == set()
    assert response.release.call_count == 2


@pytest.mark.loopback
async def test_a_streamed_request_body_is_sent_whole_with_its_length() -> None:
    received: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readuntil(b"\r\n\r\n"))
        received.append(await reader.readexactly(11))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def body() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=AiohttpTransport(trust_env=False)) as client:
            response = await client.post(f"http://127.0.0.1:{port}/", content=body())
        assert response.status_code == 200
    finally:
        server.close()
    head, sent = received
    assert b"content-length: 11\r\n" in head.lower()
    assert b"transfer-encoding" not in head.lower()
    assert b"user-agent: python-httpx/" in head.lower()  # the request's own headers
    assert sent == b"hello world"


@pytest.mark.loopback
async def test_a_connection_that_cannot_be_opened_is_a_connect_error_or_timeout() -> None:
    transport = AiohttpTransport(trust_env=False)
    with socket.socket() as listening:
        # A listener that accepts nothing with a full queue: a new connection is never
        # completed (the kernel drops its SYN), so opening it times out.
        listening.bind(("127.0.0.1", 0))
        listening.listen(0)
        port = listening.getsockname()[1]
        queued = [socket.create_connection(("127.0.0.1", port), timeout=1)]
        timeout = {"connect": 0.3, "read": 5.0, "write": 5.0, "pool": 5.0}
        request = httpx.Request("GET", f"http://127.0.0.1:{port}/", extensions={"timeout": timeout})
        try:
            with pytest.raises(httpx.ConnectTimeout):
                await asyncio.wait_for(transport.handle_async_request(request), 5)
        finally:
            for connection in queued:
                connection.close()
    # Nothing listens now: refused, with aiohttp's error (the system's words) as the cause.
    with pytest.raises(httpx.ConnectError) as refused:
        await asyncio.wait_for(transport.handle_async_request(request), 5)
    assert isinstance(refused.value.__cause__, aiohttp.ClientConnectorError)
    assert str(refused.value) == str(refused.value.__cause__)
    await transport.aclose()


@pytest.mark.loopback
@pytest.mark.parametrize("name", ["httpx", "aiohttp"])
async def test_a_utf8_header_of_an_injected_client_is_sent_as_its_bytes(name: str) -> None:
    # An injected client may carry any header bytes; the aiohttp transport's ASCII fast path
    # must fall back to httpx's own decoding, so that UTF-8 leaves as the same bytes.
    heads: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = AiohttpTransport(trust_env=False) if name == "aiohttp" else None
    http = httpx.AsyncClient(transport=transport, headers=[(b"X-Label", "café ✓".encode())])
    try:
        async with (
            http,
            SimClient(f"http://127.0.0.1:{port}", token="t0k", http_client=http) as sim,
        ):
            await sim.delete_integration("abc")
    finally:
        server.close()
    (head,) = heads
    assert "x-label: café ✓\r\n".encode() in head.lower()
