"""No token or secret in any log record, repr or error text, across the client's scenarios."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

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
