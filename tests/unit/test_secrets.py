"""No token or secret in any log record, repr or error text, across the client's scenarios."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, quote, quote_plus

import httpx
import pytest

from sim_client import SimClient, SimError, SimIntegration, SimIntegrationDetails
from sim_client.models import SimIntegrationAttributes
from tests.mock_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUED_TOKEN,
    TOKEN,
    MockAPI,
    integration,
    json_response,
)

SECRETS = (TOKEN, CLIENT_SECRET, ISSUED_TOKEN)
Scenario = Callable[[MockAPI, SimClient], Awaitable[object]]


async def happy_path(api: MockAPI, sim: SimClient) -> object:
    api.answer(json_response(200, [integration()]))
    await sim.list_integrations()
    await sim.create_integration({"name": "n", "attributes": {"password": "x"}})
    return await sim.patch_integration("abc", [{"op": "remove", "path": "/cluster"}])


async def rate_limited_then_ok(api: MockAPI, sim: SimClient) -> object:
    api.answer(json_response(429, {"message": "slow down"}, {"Retry-After": "1"}))
    return await sim.get_integration("abc")


async def unauthorized(api: MockAPI, sim: SimClient) -> object:
    api.default = json_response(401, {"error": "JWT validation failed"})
    return await sim.get_integration("abc")


async def token_refused(api: MockAPI, sim: SimClient) -> object:
    api.token_answer = json_response(401, {"error": "invalid_client"})
    return await sim.get_integration("abc")


async def garbage_body(api: MockAPI, sim: SimClient) -> object:
    api.answer(httpx.Response(200, content=b"<html>"))
    return await sim.get_integration("abc")


async def dropped(api: MockAPI, sim: SimClient) -> object:
    api.default = httpx.RemoteProtocolError("dropped")
    return await sim.get_integration("abc")


@pytest.mark.parametrize(
    "scenario",
    [happy_path, rate_limited_then_ok, unauthorized, token_refused, garbage_body, dropped],
)
@pytest.mark.parametrize("credentials", ["token", "client_credentials"])
async def test_no_secret_leaks(
    scenario: Scenario,
    credentials: str,
    caplog: pytest.LogCaptureFixture,
    waits: list[float],
) -> None:
    api = MockAPI()
    sim = (
        api.client()
        if credentials == "token"
        else api.client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    )
    texts = [repr(sim), str(sim)]
    with caplog.at_level(logging.DEBUG):
        try:
            result = await scenario(api, sim)
            texts.append(repr(result))
        except SimError as error:
            texts += [str(error), repr(error), repr(error.args)]
            if error.__cause__ is not None:
                texts.append(str(error.__cause__))
    records = caplog.records
    assert any(r.name == "sim_client" for r in records)
    texts += [r.getMessage() for r in records]
    texts += [repr(r.args) for r in records]
    joined = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in joined
    await sim.aclose()


def test_model_reprs_show_attribute_keys_but_not_their_values() -> None:
    model = SimIntegration.from_dict(
        integration(attributes={"instance": "acme", "password": "sn-password-123"})
    )
    details = SimIntegrationDetails.from_dict(
        {"name": "n", "attributes": {"password": "sn-password-123"}}
    )
    for text in (repr(model), str(model), repr(details), repr([model])):
        assert "sn-password-123" not in text
    assert "attributes=SimIntegrationAttributes(keys=['instance', 'password'])" in repr(model)
    assert isinstance(model.attributes, SimIntegrationAttributes)
    assert model.attributes["password"] == "sn-password-123"
    bare = SimIntegration.from_dict(
        {"id": "i", "name": "n", "description": "", "type": "t", "attributes": {}}
    )
    assert "created=UNSET" in repr(bare)


# --- servers that echo what they were sent ---

# Visible ASCII that a form or a URL must percent-encode, so that an echo may carry either form.
ODD_SECRET = 'p@ss/w+rd=&%x"y\\z'
ODD_TOKEN = "tok/en+with=odd&chars"


def echo_form(request: httpx.Request) -> httpx.Response:
    """A token endpoint that refuses and quotes the form it got, as sent (percent-encoded)."""
    return httpx.Response(400, text=f"bad body: {request.content.decode()}")


def echo_form_as_json(request: httpx.Request) -> httpx.Response:
    form = parse_qs(request.content.decode())
    text = f"unknown client {form['client_id'][0]} with secret {form['client_secret'][0]}"
    return json_response(401, {"error": "invalid_client", "error_description": text})


def echo_form_in_a_connection_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError(f"peer said: {request.content.decode()}")


def echo_bearer(status: int, shape: str) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        said = f"rejected {request.headers['Authorization']}"
        body: object = {
            "dto": {"trackingId": said, "detailCode": said, "messages": [{"text": said}]},
            "oauth": {"error": said},
            "text": said,
        }[shape]
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return json_response(status, body)

    return answer


def echo_in_a_2xx(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=f"<html>{request.headers['Authorization']}</html>")


def echo_in_a_connection_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError(f"peer said: {request.headers['Authorization']}")


ECHOES: dict[str, tuple[str, Callable[[httpx.Request], httpx.Response]]] = {
    "token-form-as-text": ("token", echo_form),
    "token-form-as-json": ("token", echo_form_as_json),
    "token-form-in-a-connection-error": ("token", echo_form_in_a_connection_error),
    "bearer-in-an-error-dto": ("api", echo_bearer(400, "dto")),
    "bearer-in-a-401": ("api", echo_bearer(401, "oauth")),
    "bearer-in-a-text-body": ("api", echo_bearer(503, "text")),
    "bearer-in-a-2xx": ("api", echo_in_a_2xx),
    "bearer-in-a-connection-error": ("api", echo_in_a_connection_error),
}


@pytest.mark.parametrize(
    ("echo", "credentials"),
    [
        (echo, credentials)
        for echo, (where, _) in ECHOES.items()
        for credentials in ("token", "client_credentials")
        if where == "api" or credentials == "client_credentials"  # a static token: no token request
    ],
)
async def test_an_echoed_secret_is_masked_everywhere(
    echo: str, credentials: str, caplog: pytest.LogCaptureFixture, waits: list[float]
) -> None:
    where, answer = ECHOES[echo]
    api = MockAPI()
    api.token_answer = json_response(200, {"access_token": ODD_TOKEN, "expires_in": 60})
    if where == "token":
        api.token_answer = answer
    else:
        api.default = answer
    sim = (
        api.client(token=ODD_TOKEN)
        if credentials == "token"
        else api.client(client_id=CLIENT_ID, client_secret=ODD_SECRET)
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(SimError) as raised:
        await sim.get_integration("abc")
    error = raised.value
    texts = [str(error), repr(error), repr(getattr(error, "body", None))]
    texts += [repr(getattr(error, name, None)) for name in ("messages", "tracking_id")]
    texts += [repr(getattr(error, "detail_code", None))]
    texts += [r.getMessage() for r in caplog.records if r.name == "sim_client"]
    joined = "\n".join(texts)
    assert "***" in joined
    for secret in (ODD_SECRET, ODD_TOKEN):
        for form in (secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]):
            assert form not in joined, (echo, form)
    await sim.aclose()
