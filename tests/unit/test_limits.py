"""Bounded calls: the overall deadline of an attempt, the body limit, undecodable bodies.

These run over ``httpx.MockTransport``, which ignores httpx's timeouts: only the client's own
deadline can end a hung or trickling answer there, so they show it works above any transport.
Each call is guarded by ``asyncio.wait_for`` so that a regression fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import httpx
import pytest

from sim_client import (
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    SimClient,
)
from sim_client._masking import MAX_TEXT
from sim_client._transfer import DEFAULT_MAX_RESPONSE_BYTES, attempt_deadline
from sim_client.errors import MAX_BODY_EXCERPT, MAX_MESSAGES
from tests.mock_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    MockAPI,
    crc_broken_bomb,
    integration,
    json_response,
)

T = TypeVar("T")
GUARD = 5.0  # seconds: far above every deadline below; reached only if a call hangs


async def guarded(call: Awaitable[T]) -> T:
    return await asyncio.wait_for(call, GUARD)


class Trickle(httpx.AsyncByteStream):
    """A body of ``size`` bytes, one byte every ``every`` seconds."""

    def __init__(self, size: int, every: float) -> None:
        self.size = size
        self.every = every

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.size):
            await asyncio.sleep(self.every)
            yield b" "


class Chunks(httpx.AsyncByteStream):
    """A body sent as the given chunks, counting how many were asked for."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk


def streamed(status: int, stream: httpx.AsyncByteStream, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, stream=stream)


# --- the overall deadline ---


@pytest.mark.parametrize(
    ("timeout", "deadline"),
    [
        (httpx.Timeout(2.0), 2.0),
        (httpx.Timeout(1.0, read=5.0), 5.0),
        (httpx.Timeout(3.0, connect=0.5), 3.0),
        (httpx.Timeout(None, write=4.0), 4.0),
        (httpx.Timeout(None), None),
    ],
)
def test_the_deadline_is_the_largest_phase_that_is_set(
    timeout: httpx.Timeout, deadline: float | None
) -> None:
    assert attempt_deadline(timeout) == deadline


async def test_a_hung_answer_ends_at_the_deadline(waits: list[float]) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    api = MockAPI(hang)  # type: ignore[arg-type]  # MockTransport awaits a coroutine answer
    with pytest.raises(APITimeoutError, match=r"no complete answer within 0\.2 s") as raised:
        await guarded(api.client(timeout=0.2).get_integration("abc"))
    assert isinstance(raised.value.__cause__, TimeoutError)
    assert raised.value.request is not None and raised.value.request.method == "GET"
    assert len(api.requests) == 3 and len(waits) == 2  # a timed-out GET is retried


async def test_a_trickling_body_ends_at_the_deadline(waits: list[float]) -> None:
    api = MockAPI(lambda request: streamed(200, Trickle(10_000, 0.02)))
    with pytest.raises(APITimeoutError):
        await guarded(api.client(timeout=0.2, max_retries=0).create_integration({"name": "n"}))
    assert len(api.requests) == 1 and waits == []  # a POST is not replayed


async def test_an_httpx_timeout_is_bounded_by_its_largest_phase(waits: list[float]) -> None:
    # 0.05 s for connect, write and pool, 2 s to read: a body that takes 0.3 s arrives.
    api = MockAPI(lambda request: streamed(200, Trickle(6, 0.05)))
    sim = api.client(timeout=httpx.Timeout(0.05, read=2.0), max_retries=0)
    await guarded(sim.delete_integration("abc"))
    assert len(api.requests) == 1


async def test_a_hung_token_endpoint_ends_at_the_deadline(waits: list[float]) -> None:
    api = MockAPI(json_response(200, []))

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    api.token_answer = hang  # type: ignore[assignment]
    sim = api.client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, timeout=0.2)
    with pytest.raises(APITimeoutError, match=r"^token request: POST /oauth/token"):
        await guarded(sim.list_integrations())
    assert api.api_requests == []


# --- the body limit ---


async def test_an_answer_of_exactly_the_limit_is_read() -> None:
    body = json.dumps(integration()).encode()
    api = MockAPI(json_response(200, integration()))
    found = await guarded(api.client(max_response_bytes=len(body)).get_integration("abc"))
    assert found.name == "aName"


async def test_a_2xx_one_byte_over_the_limit_is_too_large(waits: list[float]) -> None:
    body = json.dumps(integration()).encode()
    api = MockAPI(json_response(200, integration()))
    sim = api.client(max_response_bytes=len(body) - 1)
    with pytest.raises(ResponseTooLargeError) as raised:
        await guarded(sim.get_integration("abc"))
    error = raised.value
    assert isinstance(error, ResponseDecodeError)
    assert error.status_code == 200 and error.method == "GET"
    assert f"max_response_bytes ({len(body) - 1} bytes)" in str(error)
    assert error.body == body[: len(body) - 1].decode()
    assert len(api.requests) == 1 and waits == []  # never retried


async def test_reading_stops_at_the_limit() -> None:
    stream = Chunks(*([b"x" * 1000] * 100))
    api = MockAPI(lambda request: streamed(200, stream))
    with pytest.raises(ResponseTooLargeError):
        await guarded(api.client(max_response_bytes=2500).list_integrations())
    assert stream.sent == 3  # the first chunk past the limit, and no more


async def test_a_gzip_bomb_is_cut_at_the_default_limit() -> None:
    bomb = gzip.compress(b"\0" * (DEFAULT_MAX_RESPONSE_BYTES + 4 * 1024 * 1024), compresslevel=1)
    api = MockAPI(lambda request: streamed(200, Chunks(bomb), **{"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLargeError) as raised:
        await guarded(api.client().list_integrations())
    assert f"({DEFAULT_MAX_RESPONSE_BYTES} bytes)" in str(raised.value)
    assert len(raised.value.body) == MAX_BODY_EXCERPT


async def test_a_gzip_bomb_in_one_chunk_is_inflated_only_up_to_the_limit() -> None:
    # 32 MiB in one chunk of about 32 KiB: inflated whole, it would reach the broken CRC.
    bomb = crc_broken_bomb(32 * 1024 * 1024)
    api = MockAPI(lambda request: streamed(200, Chunks(bomb), **{"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLargeError) as raised:
        await guarded(api.client(max_response_bytes=1024 * 1024).list_integrations())
    assert len(raised.value.response.content) == 1024 * 1024


async def test_a_non_2xx_over_the_limit_keeps_its_status_and_an_excerpt(
    waits: list[float],
) -> None:
    api = MockAPI(httpx.Response(503, content=b"<html>" + b"x" * 50_000))
    with pytest.raises(ServerError) as raised:
        await guarded(api.client(max_response_bytes=20_000).get_integration("abc"))
    error = raised.value
    assert error.status_code == 503 and error.messages == []
    assert isinstance(error.body, str) and error.body.startswith("<html>xxx")
    assert len(error.body) == MAX_BODY_EXCERPT and error.body.endswith("\u2026")
    assert len(error.response.content) == 20_000
    assert len(api.requests) == 3  # a 503 on a GET is retried as always


async def test_a_token_answer_over_the_limit_names_the_token_request() -> None:
    api = MockAPI(json_response(200, []))
    api.token_answer = json_response(200, {"access_token": "t" * 5000, "expires_in": 60})
    sim = api.client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_response_bytes=1000)
    with pytest.raises(ResponseTooLargeError, match=r"^token request: POST /oauth/token") as raised:
        await guarded(sim.list_integrations())
    assert api.api_requests == []
    assert raised.value.body == ""  # the answer's text holds the token


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "16"])
def test_max_response_bytes_must_be_a_positive_integer(limit: Any) -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        SimClient("https://acme.example", token="t", max_response_bytes=limit)


async def test_error_bodies_and_texts_are_cut() -> None:
    long_text = "m" * (MAX_TEXT + 500)
    body = {
        "trackingId": "t" * (MAX_TEXT + 1),
        "messages": [{"text": f"{index}{long_text}"} for index in range(MAX_MESSAGES + 5)],
        "padding": "p" * MAX_BODY_EXCERPT,
    }
    api = MockAPI(json_response(400, body))
    with pytest.raises(BadRequestError) as raised:
        await guarded(api.client(token="static-token-xyz").get_integration("abc"))
    error = raised.value
    assert len(error.messages) == MAX_MESSAGES
    assert all(len(text) == MAX_TEXT and text.endswith("\u2026") for text in error.messages)
    assert error.tracking_id is not None and len(error.tracking_id) == MAX_TEXT
    assert isinstance(error.body, str) and len(error.body) == MAX_BODY_EXCERPT


async def test_an_error_body_of_exactly_the_excerpt_length_is_parsed() -> None:
    body = {"message": "x"}
    body["padding"] = "p" * (MAX_BODY_EXCERPT - len(json.dumps(body)) - len(', "padding": ""'))
    assert len(json.dumps(body)) == MAX_BODY_EXCERPT
    api = MockAPI(json_response(400, body))
    with pytest.raises(BadRequestError) as raised:
        await guarded(api.client(token="static-token-xyz").get_integration("abc"))
    assert raised.value.body == body


# --- bodies that cannot be decoded ---

CORRUPT_GZIP = b"\x1f\x8b this is not gzip"


@pytest.mark.parametrize("call", ["get", "create"])
async def test_a_2xx_with_a_corrupt_content_encoding_is_a_decode_error(
    waits: list[float], call: str
) -> None:
    api = MockAPI(lambda r: streamed(200, Chunks(CORRUPT_GZIP), **{"Content-Encoding": "gzip"}))
    sim = api.client()
    with pytest.raises(ResponseDecodeError, match="cannot be decoded") as raised:
        if call == "get":
            await guarded(sim.get_integration("abc"))
        else:
            await guarded(sim.create_integration({"name": "n"}))
    assert type(raised.value) is ResponseDecodeError
    method, path = ("GET", "/abc") if call == "get" else ("POST", "")
    assert str(raised.value) == (
        f"{method} /beta/sim-integrations{path} -> 200: "
        "the body cannot be decoded (Content-Encoding gzip)"
    )
    assert raised.value.status_code == 200 and raised.value.body == ""
    assert raised.value.response.content == b""
    assert isinstance(raised.value.__cause__, httpx.DecodingError)
    assert len(api.requests) == 1 and waits == []  # the server answered: never retried


async def test_a_non_2xx_with_a_corrupt_content_encoding_keeps_its_status(
    waits: list[float],
) -> None:
    api = MockAPI(lambda r: streamed(401, Chunks(CORRUPT_GZIP), **{"Content-Encoding": "gzip"}))
    with pytest.raises(AuthenticationError) as raised:
        await guarded(api.client().get_integration("abc"))
    assert raised.value.body is None and raised.value.messages == []


async def test_a_body_in_several_chunks_is_read_whole() -> None:
    api = MockAPI(lambda request: streamed(200, Chunks(b"[", b"", b"]")))
    assert await guarded(api.client().list_integrations()) == []


async def test_a_builtin_timeout_without_a_deadline_is_a_timeout_error() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise TimeoutError

    api = MockAPI(fail)
    sim = api.client(timeout=httpx.Timeout(None), max_retries=0)
    with pytest.raises(APITimeoutError) as raised:
        await guarded(sim.get_integration("abc"))
    assert str(raised.value) == "GET /beta/sim-integrations/abc timed out: no complete answer"


async def test_an_answer_that_goes_on_after_exactly_the_limit_is_too_large() -> None:
    api = MockAPI(lambda request: streamed(200, Chunks(b"[]" + b" " * 8, b"  ")))
    with pytest.raises(ResponseTooLargeError):
        await guarded(api.client(max_response_bytes=10).list_integrations())
