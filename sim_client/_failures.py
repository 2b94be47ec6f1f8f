"""What a failure of the HTTP stack under a call becomes: one of our typed errors.

httpx's errors become :class:`~sim_client.APIConnectionError` or
:class:`~sim_client.APITimeoutError`, saying whether the request may have left
(``request_sent``) and whether trying again can help (``retryable``); an asyncio or httpx
``RuntimeError`` becomes :class:`~sim_client.ClientClosedError` or a connection error. No
message quotes a header or the bytes a parser refused: either may be a credential.
"""

from __future__ import annotations

import re
import socket

import httpx

from sim_client._masking import MAX_TEXT, excerpt, redact
from sim_client.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    SimError,
    describe_request,
)

#: What a refused answer is called instead of quoting it.
NOT_HTTP = "the answer is not valid HTTP"
# h11's words for a line it refused, which it quotes ("illegal status line: bytearray(b'...')").
_QUOTED = re.compile(r"bytearray\(|b'|b\"|illegal|malformed|invalid", re.IGNORECASE)
_WORDS = re.compile(r"([A-Za-z][A-Za-z -]{0,40}):")
# Failures before any byte of the request left: safe to repeat for every method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# getaddrinfo's answers for a name that does not exist (EAI_AGAIN, a passing fault, is not one).
_NAME_UNKNOWN = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code
)
# What asyncio says of a future, lock or loop of another event loop than the running one.
_OTHER_LOOP = ("Event loop is closed", "attached to a different loop", "different event loop")


def timed_out(request: httpx.Request, context: str, deadline: float | None) -> APITimeoutError:
    """The error of an attempt that found no complete answer within its ``deadline``."""
    within = "" if deadline is None else f" within {deadline:g} s"
    return APITimeoutError(
        f"{describe_request(request, context)} timed out: no complete answer{within}",
        request=request,
    )


def transport_error(
    request: httpx.Request, error: httpx.HTTPError, context: str, secrets: tuple[str, ...]
) -> tuple[APIConnectionError, BaseException]:
    """The error for httpx's ``error``, and the exception to chain it to (``error``, or a copy
    without the bytes it quoted)."""
    sent = not isinstance(error, _NOT_SENT)
    if isinstance(error, httpx.TimeoutException):
        message = f"{describe_request(request, context)} timed out ({type(error).__name__})"
        return APITimeoutError(message, request=request, request_sent=sent), error
    # A local protocol error quotes the offending header, which may be a credential; a parser's
    # error quotes the bytes it refused (an integration's attributes): both get a fixed text,
    # and the quoting error leaves the chain. Any other text is the server's or the network's:
    # redacted, and the query kept out.
    cause: BaseException = error
    if isinstance(error, httpx.LocalProtocolError):
        detail = ""
    elif isinstance(error, httpx.RemoteProtocolError) and _quotes(str(error)):
        said = _WORDS.search(str(error))  # h11's own words: "illegal status line"
        refused = f"{NOT_HTTP} ({said.group(1)})" if said else NOT_HTTP
        detail = f": {refused}"
        cause = httpx.RemoteProtocolError(refused)
    else:
        query = request.url.query.decode("ascii")
        detail = ": " + excerpt(redact(str(error), (*secrets, query)), MAX_TEXT)
    unresolved = _unresolved(error)
    failure = APIConnectionError(
        f"{describe_request(request, context)} failed: {type(error).__name__}{detail}"
        + (" (the host name does not resolve)" if unresolved else ""),
        request=request,
        request_sent=sent,
        retryable=not unresolved,
    )
    return failure, cause


def runtime_error(request: httpx.Request, error: RuntimeError, closed: bool) -> SimError | None:
    """The typed error for a RuntimeError of httpx or asyncio under a call: the client was
    ``closed``, or is used from another event loop than its connections'; else None."""
    if closed:
        return ClientClosedError("the HTTP client was closed during the call")
    if not any(sign in str(error) for sign in _OTHER_LOOP):
        return None
    return APIConnectionError(
        f"{describe_request(request)} failed: {type(error).__name__}: {error} (a SimClient "
        "keeps its connections in the event loop that first used it; make one per loop)",
        request=request,
        request_sent=False,
        retryable=False,
    )


def _quotes(text: str) -> bool:
    """Whether a protocol error's ``text`` may quote what was received (a transport's own
    fixed text, :data:`NOT_HTTP` and a reason, does not)."""
    return not text.startswith(NOT_HTTP) and _QUOTED.search(text) is not None


def _unresolved(error: BaseException) -> bool:
    """Whether ``error`` comes of a host name that does not resolve (not of a passing DNS fault)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return cause.errno in _NAME_UNKNOWN
        cause = cause.__cause__ or cause.__context__
    return False
