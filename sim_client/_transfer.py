"""One HTTP exchange under an overall deadline, its body read up to a limit.

httpx's timeouts bound each phase but not their sum (a server trickling a byte at a time keeps
a call alive for ever), so :func:`exchange` streams, reads the body itself, and bounds both with
one deadline. A client made around a given transport sends straight to it
(:attr:`Transfer.direct`): nobody else holds its httpx client, so none of ``send``'s hooks,
cookies or redirects apply, and skipping it saves a third of a call's CPU on aiohttp. An
injected ``http_client`` keeps the whole of ``send``: its hooks run.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from sim_client._failures import timed_out, transport_error
from sim_client._masking import redact
from sim_client.errors import ResponseDecodeError, ResponseTooLargeError, describe_request

# Methods whose request states its body's length even when there is none, as httpx's do.
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})

#: The default of ``SimClient(max_response_bytes=...)``: 16 MiB of decoded body.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: An encoded body is inflated this many raw bytes at a time: deflate turns one byte into at
#: most about a thousand, so the limit is never passed by more than about 8 MiB.
RAW_SLICE = 8 * 1024


def attempt_deadline(timeout: httpx.Timeout) -> float | None:
    """The overall deadline of an attempt: the largest phase of ``timeout`` that is set (a
    float sets every phase; ``httpx.Timeout(None)`` gives no deadline)."""
    phases = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t]
    return max(phases) if phases else None


@dataclass(frozen=True, slots=True)
class Transfer:
    """How a client sends: its httpx client, the per-request timeout (None: the httpx client's
    own), the overall deadline of an attempt in seconds, the body limit in bytes, and the
    transport to send to directly (None: through ``http.send``)."""

    http: httpx.AsyncClient
    timeout: httpx.Timeout | None
    deadline: float | None
    limit: int = DEFAULT_MAX_RESPONSE_BYTES
    direct: httpx.AsyncBaseTransport | None = None

    def headers(self, url: httpx.URL, extra: Mapping[str, str], kind: str | None) -> httpx.Headers:
        """The headers of API requests to ``url``'s host with a body of type ``kind`` (None: no
        body): ``extra`` over the httpx client's own (merged here, with ``Host``, when sent
        directly; else by ``build_request``)."""
        merged = httpx.Headers()
        if self.direct is not None:
            merged["Host"] = url.netloc.decode("ascii")
            merged.update(self.http.headers)
        merged.update({"Accept": "application/json", **extra})
        if kind is not None:
            merged["Content-Type"] = kind
        return merged

    def request(
        self, method: str, url: httpx.URL, headers: httpx.Headers, body: bytes | None
    ) -> httpx.Request:
        """A request as ``http.build_request`` makes it; sent directly, without its merging of
        cookies, parameters and headers: ``headers`` hold the client's own and ``Host``."""
        if self.direct is None:
            timeout: Any = self.timeout or httpx.USE_CLIENT_DEFAULT
            return self.http.build_request(
                method, url, headers=headers, content=body, timeout=timeout
            )
        content = body or b""
        if body is not None or method in _WITH_BODY:
            headers = httpx.Headers(headers)
            headers["Content-Length"] = str(len(content))
        request = httpx.Request(
            method,
            url,
            headers=headers,
            stream=httpx.ByteStream(content),
            extensions={"timeout": (self.timeout or self.http.timeout).as_dict()},
        )
        request._content = content  # what ``read()`` would find: the stream's one chunk
        return request


async def exchange(
    transfer: Transfer,
    request: httpx.Request,
    *,
    context: str = "",
    secrets: tuple[str, ...] = (),
    follow_redirects: bool | None = None,
) -> httpx.Response:
    """Send ``request`` and read its body within the deadline; the answer, whatever its status
    (one an injected client's hook raised comes without a body).

    A 2xx body longer than the limit is a :class:`ResponseTooLargeError`, one that cannot be
    decoded a :class:`ResponseDecodeError`; a non-2xx body is cut at the limit (or left empty),
    as its status says what went wrong. ``context`` prefixes messages (``"token request"``).
    """
    redirects: Any = httpx.USE_CLIENT_DEFAULT if follow_redirects is None else follow_redirects
    import asyncio  # here: importing sim_client does not need asyncio loaded

    started = time.perf_counter()
    try:
        async with asyncio.timeout(transfer.deadline):
            try:
                if transfer.direct is not None:
                    response = await transfer.direct.handle_async_request(request)
                    response.request = request
                else:
                    response = await transfer.http.send(
                        request, auth=None, follow_redirects=redirects, stream=True
                    )
            except httpx.HTTPStatusError as error:
                # The hook's httpx has closed the answer unread: its status is all there is.
                answer = error.response
                return httpx.Response(answer.status_code, headers=answer.headers, request=request)
            await _read(response, transfer.limit, context, secrets)
            if not hasattr(response, "_elapsed"):  # a transport that does not time its answers
                response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
            return response
    except TimeoutError as error:
        raise timed_out(request, context, transfer.deadline) from error
    except httpx.HTTPError as error:
        failure, cause = transport_error(request, error, context, secrets)
        raise failure from cause


async def _read(
    response: httpx.Response, limit: int, context: str, secrets: tuple[str, ...]
) -> None:
    """Read the body of ``response`` (at most ``limit`` decoded bytes) into ``response.content``."""
    try:
        # A body the transport read whole, not encoded, is there already.
        content = (
            response.content if hasattr(response, "_content") else await _body(response, limit)
        )
    except httpx.DecodingError as error:
        if response.is_success:
            encoding = redact(response.headers.get("Content-Encoding", ""), secrets)
            response._content = b""  # what ``aread()`` sets; the stream is consumed
            raise ResponseDecodeError(
                f"{describe_request(response.request, context)} -> {response.status_code}: "
                f"the body cannot be decoded (Content-Encoding {encoding})",
                response=response,
            ) from error
        content = b""
    finally:
        if not response.is_closed:
            await response.aclose()
    response._content = content[:limit]
    if len(content) > limit and response.is_success:
        too_large = ResponseTooLargeError(
            f"{describe_request(response.request, context)} -> {response.status_code}: "
            "the answer is larger than "
            f"max_response_bytes ({limit} bytes); the rest was not read",
            response=response,
        )
        too_large.hide(secrets)
        raise too_large


async def _body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, read until it is longer than ``limit`` bytes; an encoded one inflated
    :data:`RAW_SLICE` bytes at a time, as a chunk of a gzip bomb handed to httpx's decoder whole
    (1 MiB) would be a GiB before it is counted."""
    encoded = "content-encoding" in response.headers
    chunks: list[bytes] = []
    size = 0
    async for chunk in _inflated(response) if encoded else response.aiter_bytes():
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            break
    return b"".join(chunks)


async def _inflated(response: httpx.Response) -> AsyncIterator[bytes]:
    decoder = response._get_content_decoder()
    async for raw in response.aiter_raw():
        for start in range(0, len(raw), RAW_SLICE):
            yield decoder.decode(raw[start : start + RAW_SLICE])
    yield decoder.flush()
