"""The client SimClient builds for itself, and the aiohttp transport's own pieces.

The aiohttp transport's behaviour on the wire is proven by the loopback fault, scenario and
soak tests, which run on both transports; here are the parts those cannot reach.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
import pytest

from sim_client import APIConnectionError, ResponseTooLargeError, SimClient, aiohttp_transport
from sim_client.aiohttp_transport import AiohttpTransport
from sim_client.testing import FakeSimServer
from tests.loopback import no_proxies
from tests.mock_api import BASE_URL, TOKEN, MockAPI, integration, json_response
from tests.test_limits import crc_broken_bomb

SET_COOKIE = {"Set-Cookie": "session=abc; Path=/"}


async def test_a_client_simclient_builds_keeps_no_cookies() -> None:
    api = MockAPI(json_response(200, integration(), headers=SET_COOKIE))
    async with SimClient(BASE_URL, token=TOKEN, transport=api.transport) as sim:
        await sim.get_integration("a" * 32)
        await sim.get_integration("a" * 32)
        assert list(sim._http.cookies.jar) == []
        sim._http.cookies.set("planted", "1")
        assert list(sim._http.cookies.jar) == []
        with pytest.raises(TypeError):
            sim._http.cookies = {"planted": "1"}
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
    with pytest.raises(TypeError, match="client="):
        AiohttpTransport(client=lambda: None)


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
        transport = sim._http._transport
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
