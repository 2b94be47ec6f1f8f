"""What a failure of httpx or asyncio under a call becomes (``sim_client._failures``)."""

from __future__ import annotations

import socket

import httpx
import pytest

from sim_client import APIConnectionError, APITimeoutError, ClientClosedError
from sim_client._failures import NOT_HTTP, runtime_error, timed_out, transport_error

REQUEST = httpx.Request("POST", "https://acme.api.identitynow.com/oauth/token?x=1")


def gaierror(code: int) -> socket.gaierror:
    return socket.gaierror(code, "Name or service not known")


def test_a_runtime_error_of_a_closed_client_is_client_closed() -> None:
    error = runtime_error(REQUEST, RuntimeError("anything"), closed=True)
    assert isinstance(error, ClientClosedError)
    assert str(error) == "the HTTP client was closed during the call"


@pytest.mark.parametrize(
    "said",
    [
        "Event loop is closed",
        "Future <x> attached to a different loop",
        "is bound to a different event loop",
    ],
)
def test_a_runtime_error_of_another_event_loop_is_an_unsent_final_connection_error(
    said: str,
) -> None:
    error = runtime_error(REQUEST, RuntimeError(said), closed=False)
    assert isinstance(error, APIConnectionError)
    assert str(error) == (
        f"POST /oauth/token failed: RuntimeError: {said} (a SimClient keeps its connections in "
        "the event loop that first used it; make one per loop)"
    )
    assert (error.request, error.request_sent, error.retryable) == (REQUEST, False, False)


def test_any_other_runtime_error_is_left_as_it_is() -> None:
    assert runtime_error(REQUEST, RuntimeError("something else"), closed=False) is None


def test_a_timeout_names_the_context_and_the_deadline() -> None:
    error = timed_out(REQUEST, "token request", 2.5)
    assert (
        str(error) == "token request: POST /oauth/token timed out: no complete answer within 2.5 s"
    )
    assert str(timed_out(REQUEST, "", None)) == "POST /oauth/token timed out: no complete answer"


def test_an_httpx_timeout_names_the_context_and_whether_it_was_sent() -> None:
    error, cause = transport_error(REQUEST, httpx.ReadTimeout("slow"), "token request", ())
    assert isinstance(error, APITimeoutError) and cause.args == ("slow",)
    assert str(error) == "token request: POST /oauth/token timed out (ReadTimeout)"
    assert error.request_sent is True
    unsent, _ = transport_error(REQUEST, httpx.ConnectTimeout("slow"), "", ())
    assert unsent.request_sent is False


def test_a_refused_answer_without_words_is_named_by_a_fixed_text_alone() -> None:
    error, cause = transport_error(
        REQUEST, httpx.RemoteProtocolError("bytearray(b'tok3n')"), "", ("tok3n",)
    )
    assert str(error) == f"POST /oauth/token failed: RemoteProtocolError: {NOT_HTTP}"
    assert isinstance(cause, httpx.RemoteProtocolError) and str(cause) == NOT_HTTP


def test_a_refused_answer_keeps_the_parsers_words_only() -> None:
    quoted = "illegal status line: bytearray(b'HTTP/1.1 2OO s3cret')"
    error, cause = transport_error(REQUEST, httpx.RemoteProtocolError(quoted), "", ())
    assert str(cause) == f"{NOT_HTTP} (illegal status line)"
    assert str(error).endswith(f"RemoteProtocolError: {NOT_HTTP} (illegal status line)")


def test_an_unknown_host_found_through_the_context_chain_is_final() -> None:
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    middle = OSError("connect failed")
    middle.__context__ = gaierror(socket.EAI_NONAME)  # context only, no __cause__
    error.__context__ = middle
    failure, _ = transport_error(REQUEST, error, "", ())
    assert str(failure) == (
        "POST /oauth/token failed: ConnectError: [Errno -2] Name or service not known "
        "(the host name does not resolve)"
    )
    assert (failure.request_sent, failure.retryable) == (False, False)


def test_a_passing_dns_fault_is_retryable() -> None:
    error = httpx.ConnectError("temporary failure in name resolution")
    error.__cause__ = gaierror(socket.EAI_AGAIN)
    failure, _ = transport_error(REQUEST, error, "", ())
    assert failure.retryable is True and "does not resolve" not in str(failure)


def test_a_chain_that_loops_ends() -> None:
    error = httpx.ConnectError("refused")
    other = OSError("again")
    error.__context__, other.__context__ = other, error
    failure, _ = transport_error(REQUEST, error, "", ())
    assert failure.retryable is True
