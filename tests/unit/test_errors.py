"""The status -> error table, error bodies in their three shapes, decode and transport failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    SimClient,
    SimError,
)
from sim_client._masking import MAX_TEXT, excerpt, redact
from sim_client.errors import MAX_BODY_EXCERPT
from tests.mock_api import MockAPI, integration, json_response

ERROR_DTO = {
    "detailCode": "404 Not found",
    "trackingId": "b21b1f7ce4da4d639f2c62a57171b427",
    "messages": [
        {"locale": "en-US", "localeOrigin": "DEFAULT", "text": "The server did not find it."},
        {"locale": None, "localeOrigin": None, "text": "Second message."},
    ],
}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (418, APIStatusError),
    ],
)
async def test_each_status_raises_its_class_with_the_body_fields(
    status: int, error_class: type[APIStatusError]
) -> None:
    api = MockAPI(json_response(status, ERROR_DTO))
    with pytest.raises(error_class) as raised:
        await api.client(max_retries=0, max_rate_limit_wait=0).get_integration("abc")
    error = raised.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.tracking_id == "b21b1f7ce4da4d639f2c62a57171b427"
    assert error.detail_code == "404 Not found"
    assert error.messages == ["The server did not find it.", "Second message."]
    assert error.body == ERROR_DTO
    assert error.method == "GET"
    assert error.url == "https://acme.api.identitynow.com/beta/sim-integrations/abc"
    assert error.response.status_code == status
    assert str(status) in str(error) and "b21b1f7ce4da4d639f2c62a57171b427" in str(error)
    assert "GET /beta/sim-integrations/abc" in str(error)


async def test_the_401_shape_fills_messages() -> None:
    api = MockAPI(json_response(401, {"error": "JWT validation failed: JWT is expired"}))
    with pytest.raises(AuthenticationError) as raised:
        await api.client().list_integrations()
    assert raised.value.messages == ["JWT validation failed: JWT is expired"]
    assert raised.value.tracking_id is None


async def test_the_429_shape_fills_messages_and_retry_after() -> None:
    api = MockAPI(json_response(429, {"message": " Rate Limit Exceeded "}, {"Retry-After": "7"}))
    with pytest.raises(RateLimitError) as raised:
        await api.client(max_rate_limit_wait=5).list_integrations()
    assert raised.value.messages == ["Rate Limit Exceeded"]
    assert raised.value.retry_after == 7.0


@pytest.mark.parametrize(
    "body", [b"<html>Bad Gateway</html>", b"", b"\xff\xfe not utf-8", b"[1, 2"]
)
async def test_a_non_json_error_body_is_kept_as_text(body: bytes) -> None:
    api = MockAPI(httpx.Response(502, content=body))
    with pytest.raises(ServerError) as raised:
        await api.client(max_retries=0).list_integrations()
    assert raised.value.messages == []
    assert raised.value.tracking_id is None and raised.value.detail_code is None
    assert raised.value.body == (httpx.Response(502, content=body).text if body else None)


async def test_an_error_body_of_an_unexpected_json_shape_is_kept() -> None:
    api = MockAPI(json_response(400, ["not", "an", "object"]))
    with pytest.raises(BadRequestError) as raised:
        await api.client().list_integrations()
    assert raised.value.body == ["not", "an", "object"]
    assert raised.value.messages == []


@pytest.mark.parametrize(
    ("content", "method"),
    [
        (b"not json at all", "get"),
        (b'{"id": "abc", "name": "trunc', "get"),
        (b'{"name": "no id", "description": "", "type": "t", "attributes": {}}', "get"),
        (b'{"id": 12, "name": "n", "description": "", "type": "t", "attributes": {}}', "get"),
        (b'"a string"', "get"),
        (b"null", "get"),
        (b'{"id": "abc"}', "list"),
        (b"[1, 2, 3]", "list"),
        (b"[{}]", "list"),
    ],
)
async def test_a_2xx_body_that_does_not_fit_raises_response_decode_error(
    content: bytes, method: str
) -> None:
    api = MockAPI(httpx.Response(200, content=content))
    sim = api.client()
    with pytest.raises(ResponseDecodeError) as raised:
        if method == "get":
            await sim.get_integration("abc")
        else:
            await sim.list_integrations()
    assert raised.value.status_code == 200
    assert raised.value.body == content.decode()
    assert raised.value.response.content == content
    path = "/abc" if method == "get" else ""
    assert raised.value.url == f"https://acme.api.identitynow.com/beta/sim-integrations{path}"
    assert isinstance(raised.value, SimError)


async def test_decode_errors_do_not_echo_the_body() -> None:
    api = MockAPI(json_response(200, integration(id=None)))
    with pytest.raises(ResponseDecodeError) as raised:
        await api.client().get_integration("abc")
    assert "sn-password" not in str(raised.value)
    assert "sn-password" in raised.value.body


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadError("reset by peer"), APIConnectionError),
        (httpx.RemoteProtocolError("server disconnected"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
    ],
)
async def test_transport_failures_raise_connection_errors_with_the_cause(
    failure: Exception, error_class: type[APIConnectionError]
) -> None:
    api = MockAPI(failure)
    with pytest.raises(error_class) as raised:
        await api.client(max_retries=0).create_integration({"name": "n"})
    assert raised.value.__cause__ is failure
    assert raised.value.request is not None
    assert "POST /beta/sim-integrations" in str(raised.value)


@pytest.mark.parametrize(
    "body",
    [
        {"messages": 5, "trackingId": "t1"},
        {"messages": True},
        {"messages": [5, None, {"text": 7}, {"text": "kept"}]},
        {"trackingId": 12, "detailCode": ["x"]},
    ],
)
async def test_odd_error_bodies_still_give_the_typed_error(body: dict[str, object]) -> None:
    api = MockAPI(json_response(400, body))
    with pytest.raises(BadRequestError) as raised:
        await api.client().get_integration("abc")
    assert raised.value.body == body
    assert raised.value.messages in ([], ["kept"])


async def test_a_deeply_nested_error_body_is_kept_as_text() -> None:
    nested = b"[" * 100_000
    api = MockAPI(httpx.Response(500, content=nested))
    with pytest.raises(ServerError) as raised:
        await api.client(max_retries=0).get_integration("abc")
    assert raised.value.body == nested.decode()[: MAX_BODY_EXCERPT - 1] + "\u2026"


async def test_a_deeply_nested_2xx_body_is_a_decode_error() -> None:
    api = MockAPI(httpx.Response(200, content=b"[" * 100_000))
    with pytest.raises(ResponseDecodeError):
        await api.client().list_integrations()


async def raise_for_status(response: httpx.Response) -> None:
    response.raise_for_status()


def hooked_client(api: MockAPI, **options: Any) -> SimClient:
    """A SimClient whose injected client raises for every non-2xx in a response hook."""
    http = httpx.AsyncClient(transport=api.transport, event_hooks={"response": [raise_for_status]})
    return SimClient("https://acme.api.identitynow.com", token="t0ken", http_client=http, **options)


async def test_raise_for_status_in_a_response_hook_still_gives_the_typed_error() -> None:
    api = MockAPI(json_response(404, {"trackingId": "t404"}))
    sim = hooked_client(api)
    with pytest.raises(NotFoundError) as raised:
        await sim.get_integration("abc")
    assert raised.value.status_code == 404
    assert len(api.requests) == 1


async def test_a_local_protocol_error_does_not_quote_the_header() -> None:
    api = MockAPI(httpx.LocalProtocolError("Illegal header value b'Bearer s3cr3t'"))
    with pytest.raises(APIConnectionError) as raised:
        await api.client(max_retries=0).get_integration("abc")
    assert "s3cr3t" not in str(raised.value)
    assert "LocalProtocolError" in str(raised.value)


# --- server texts: control characters, queries, hooks ---


async def test_control_characters_in_server_texts_are_escaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    injected = "bad\r\nINFO forged log line\x1b[31m\u2028end"
    body = {"trackingId": f"id{injected}", "detailCode": injected, "messages": [{"text": injected}]}
    api = MockAPI(
        lambda request: httpx.Response(400, json=body, extensions={"reason_phrase": b"Bad\x1bReq"})
    )
    with pytest.raises(BadRequestError) as raised:
        await api.client().get_integration("abc")
    error = raised.value
    records = [r.getMessage() for r in caplog.records if r.name == "sim_client"]
    for text in [str(error), error.tracking_id or "", *error.messages, *records]:
        assert not any(char in text for char in "\r\n\x1b\u2028"), text
    assert "bad\\r\\nINFO forged log line\\x1b[31m\\u2028end" in str(error)
    assert error.messages == ["bad\\r\\nINFO forged log line\\x1b[31m\\u2028end"]
    assert "Bad\\x1bReq" in str(error)
    assert any("tracking id idbad\\r\\n" in record for record in records)


async def test_messages_and_logs_never_carry_the_query_string(
    caplog: pytest.LogCaptureFixture, waits: list[float]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    api = MockAPI(fail)
    http = httpx.AsyncClient(transport=api.transport, params={"api_key": "qs?secret-77"})
    sim = SimClient("https://acme.api.identitynow.com", token="t0ken", http_client=http)
    with pytest.raises(APIConnectionError) as raised:
        await sim.get_integration("abc")
    assert api.requests[0].url.params["api_key"] == "qs?secret-77"
    texts = [str(raised.value)] + [r.getMessage() for r in caplog.records if r.name == "sim_client"]
    assert "cannot reach https://acme.api.identitynow.com/beta/sim-integrations/abc?***" in texts[0]
    assert len(texts) > 1 and not any("secret-77" in text for text in texts)
    api.default = json_response(404, {"messages": [{"text": "no such thing"}]})
    with pytest.raises(NotFoundError) as not_found:
        await sim.get_integration("abc")
    assert "secret-77" not in str(not_found.value)
    assert "GET /beta/sim-integrations/abc -> 404" in str(not_found.value)


async def test_raise_for_status_on_a_429_keeps_retry_after(waits: list[float]) -> None:
    api = MockAPI(json_response(429, {"message": "slow"}, {"Retry-After": "7"}))
    sim = hooked_client(api, max_rate_limit_wait=15.0)
    with pytest.raises(RateLimitError) as raised:
        await sim.get_integration("abc")
    assert raised.value.retry_after == 7.0
    assert waits == [7.0, 7.0]  # a third would make 21 s of waits, more than 15


@pytest.mark.parametrize(
    "retry_after",
    [
        "Mon, 01 Jan 2020 00:00:00 +99999999999999999999",
        "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
        "Mon, 01 Jan 9999 23:59:59 +9999",
    ],
)
async def test_an_absurd_retry_after_date_is_ignored(waits: list[float], retry_after: str) -> None:
    api = MockAPI(json_response(429, {}, {"Retry-After": retry_after}))
    with pytest.raises(RateLimitError) as raised:
        await api.client(max_rate_limit_wait=0.6).get_integration("abc")
    assert raised.value.retry_after is None
    assert len(waits) == 1 and 0.375 <= waits[0] <= 0.5  # the normal back-off


def test_redact_masks_every_form_of_a_secret_and_escapes_controls() -> None:
    secret = "a/b+c d&e"
    text = (
        "raw a/b+c d&e, form a%2Fb%2Bc+d%26e, url a%2Fb%2Bc%20d%26e, "
        "lower a%2fb%2bc+d%26e, json a/b+c d&e\r\n"
    )
    assert redact(text, [secret, ""]) == ("raw ***, form ***, url ***, lower ***, json ***\\r\\n")
    assert redact('{"s": "q\\"uote"}', ['q"uote']) == '{"s": "***"}'
    assert redact("x\x00y\x7fz\x9f\u2029", ()) == "x\\x00y\\x7fz\\x9f\\u2029"
    assert redact("AbC abc", ["abc"]) == "AbC ***"  # case is kept apart
    assert redact("", ["s"]) == ""


async def test_the_message_of_a_status_error_in_full() -> None:
    api = MockAPI(json_response(429, ERROR_DTO, {"Retry-After": "2.5"}))
    with pytest.raises(RateLimitError) as raised:
        await api.client(max_rate_limit_wait=0).get_integration("abc")
    assert str(raised.value) == (
        "GET /beta/sim-integrations/abc -> 429 Too Many Requests: "
        "The server did not find it.; Second message. "
        "(tracking id b21b1f7ce4da4d639f2c62a57171b427) (retry after 2.5 s); not retried: it "
        "would have had to wait 2.5 s for the rate limit, more than max_rate_limit_wait "
        "allows (0.0 s left)"
    )


async def test_a_status_without_a_reason_phrase_says_http_error() -> None:
    api = MockAPI(lambda request: httpx.Response(599, extensions={"reason_phrase": b""}))
    with pytest.raises(ServerError) as raised:
        await api.client(max_retries=0).get_integration("abc")
    assert str(raised.value) == "GET /beta/sim-integrations/abc -> 599 HTTP error"


async def test_a_reason_phrase_that_echoes_the_token_is_masked() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        reason = f"Bad {request.headers['Authorization']}".encode()
        return httpx.Response(400, extensions={"reason_phrase": reason})

    api = MockAPI(echo)
    with pytest.raises(BadRequestError) as raised:
        await api.client(token="t0ken-in-reason").get_integration("abc")
    assert str(raised.value) == "GET /beta/sim-integrations/abc -> 400 Bad Bearer ***"


async def test_a_secret_hidden_behind_json_escapes_is_masked_in_messages() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        escaped = "".join(f"\\u{ord(char):04x}" for char in token)
        return httpx.Response(401, content=f'{{"error": "bad {escaped}"}}'.encode())

    api = MockAPI(echo)
    with pytest.raises(AuthenticationError) as raised:
        await api.client(token="t0ken-escaped").get_integration("abc")
    assert raised.value.messages == ["bad ***"]
    assert "t0ken-escaped" not in str(raised.value)


def test_a_decode_error_hides_secrets_in_its_message_and_body() -> None:
    request = httpx.Request("GET", "https://acme.example/beta/sim-integrations")
    response = httpx.Response(200, content=b"<p>s3cret</p>", request=request)
    error = ResponseDecodeError("GET /beta/sim-integrations: s3cret\n", response=response)
    error.hide(["s3cret"])
    assert str(error) == "GET /beta/sim-integrations: ***\\n"
    assert error.body == "<p>***</p>"


@pytest.mark.parametrize(
    "echoed",
    [
        "tok%2Fen+1",  # "/" encoded, "+" left as it is (as encodeURI-like encoders do)
        "tok%2fen%2B1",  # hex of both cases in one echo
        "tok\\/en\\u002b1",  # "\\/" and a "\\u" escape in one JSON string
        "tok\\u002Fen%2B1",  # one character JSON-escaped, another percent-encoded
    ],
)
def test_a_secret_encoded_character_by_character_in_mixed_ways_is_masked(echoed: str) -> None:
    assert redact(f"bad {echoed}!", ["tok/en+1"]) == "bad ***!"


def test_a_longer_secret_is_masked_before_a_shorter_one_inside_it() -> None:
    assert redact("xx abcdef xx", ["abc", "abcdef"]) == "xx *** xx"
    assert redact("xx abcdef xx", ["abcdef", "abc"]) == "xx *** xx"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("abc", 3, "abc"), ("abcd", 3, "ab\u2026"), ("", 1, "")],
)
def test_an_excerpt_keeps_at_most_its_limit(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit) == expected


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (httpx.ReadTimeout("slow"), "GET /beta/sim-integrations/abc timed out (ReadTimeout)"),
        (httpx.ReadError("reset"), "GET /beta/sim-integrations/abc failed: ReadError: reset"),
        (
            httpx.LocalProtocolError("Illegal header value b'x'"),
            "GET /beta/sim-integrations/abc failed: LocalProtocolError",
        ),
        (
            httpx.RemoteProtocolError("peer closed connection: " + "c" * 5000),
            "GET /beta/sim-integrations/abc failed: RemoteProtocolError: peer closed connection: "
            + "c" * (MAX_TEXT - len("peer closed connection: ") - 1)
            + "\u2026",
        ),
        (
            httpx.RemoteProtocolError("illegal status line: bytearray(b'HTTP/1.1 2OO secret')"),
            "GET /beta/sim-integrations/abc failed: RemoteProtocolError: "
            "the answer is not valid HTTP (illegal status line)",
        ),
    ],
)
async def test_the_message_of_a_connection_error_in_full(failure: Exception, message: str) -> None:
    api = MockAPI(failure)
    with pytest.raises(APIConnectionError) as raised:
        await api.client(max_retries=0).get_integration("abc")
    assert str(raised.value) == message


@pytest.mark.parametrize("follow", [True, False])
async def test_api_requests_follow_redirects_as_the_injected_client_says(follow: bool) -> None:
    api = MockAPI(json_response(200, []))
    api.answer(httpx.Response(307, headers={"Location": "/beta/sim-integrations?moved=1"}))
    http = httpx.AsyncClient(transport=api.transport, follow_redirects=follow)
    sim = SimClient("https://acme.api.identitynow.com", token="t0ken", http_client=http)
    if follow:
        assert await sim.list_integrations() == []
        assert len(api.requests) == 2
    else:
        with pytest.raises(APIStatusError) as raised:
            await sim.list_integrations()
        assert raised.value.status_code == 307 and len(api.requests) == 1


@pytest.mark.parametrize(
    ("content", "call", "message"),
    [
        (
            b"not json at all",
            "get",
            "GET /beta/sim-integrations/abc -> 200: the body is not JSON "
            "(JSONDecodeError: Expecting value: line 1 column 1 (char 0))",
        ),
        (
            b'{"id": "abc"}',
            "list",
            "GET /beta/sim-integrations -> 200: the body is not a JSON array",
        ),
        (
            b'"a string"',
            "get",
            "GET /beta/sim-integrations/abc -> 200: the body is not a SimIntegration (",
        ),
    ],
)
async def test_the_message_of_a_decode_error(content: bytes, call: str, message: str) -> None:
    api = MockAPI(httpx.Response(200, content=content))
    sim = api.client()
    with pytest.raises(ResponseDecodeError) as raised:
        await (sim.get_integration("abc") if call == "get" else sim.list_integrations())
    # The third names the model's own complaint after the "(": only its start is ours.
    assert str(raised.value)[: len(message)] == message
    assert str(raised.value) == message or message.endswith("(")


@pytest.mark.parametrize("charset", ["rot13", "hex", "undefined", "utf-16", "idna"])
@pytest.mark.parametrize(
    ("status", "error_class"), [(400, BadRequestError), (200, ResponseDecodeError)]
)
async def test_a_body_whose_charset_cannot_decode_it_is_kept_as_utf8_text(
    charset: str, status: int, error_class: type[SimError]
) -> None:
    headers = {"Content-Type": f"application/json; charset={charset}"}
    api = MockAPI(httpx.Response(status, content=b"not \xff json", headers=headers))
    with pytest.raises(error_class) as raised:
        await api.client(max_retries=0).get_integration("abc")
    assert raised.value.body == "not \ufffd json"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "escape",
    [
        lambda token: "".join(f"\\u{ord(char):04x}" for char in token),
        lambda token: token.replace("/", "\\/"),
        lambda token: token[:3] + "".join(f"\\u{ord(char):04X}" for char in token[3:6]) + token[6:],
    ],
)
async def test_a_secret_hidden_behind_json_escapes_is_masked_in_the_body(
    escape: Callable[[str], str],
) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        document = (
            f'{{"error": "bad {escape(token)}", "{escape(token)}": [{{"x": "{escape(token)}"}}]}}'
        )
        return httpx.Response(401, content=document.encode())

    api = MockAPI(echo)
    with pytest.raises(AuthenticationError) as raised:
        await api.client(token="t0k/en/escaped").get_integration("abc")
    assert raised.value.body == {"error": "bad ***", "***": [{"x": "***"}]}
    assert raised.value.messages == ["bad ***"]
