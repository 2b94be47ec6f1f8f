"""The fake and Prism agree: the same requests to both get the same status and answers with the
same keys, for each of the seven operations.

Prism answers from the fragment's schemas with every property of ``SimIntegration``, so the
fake runs with ``explicit_nulls=True`` (every field present, ``null`` when not set) and
``delete_status=200`` (Prism answers the first documented status). The fake is stateful and
Prism is not: the fake's item requests go to an integration created first, Prism's to any id.
The bodies sent carry only members that both the request and the answer schema define.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sim_client.testing import FakeSimServer
from tests.contract.prism import TOKEN, PrismServer

pytestmark = [pytest.mark.contract, pytest.mark.loopback]

PRISM_ID = "2c9180835d2e5168015d32f890ca1581"
DETAILS = {
    "name": "Parity",
    "description": "the same request to both",
    "type": "ServiceNowSDIM",
    "attributes": {"instance": "acme.service-now.com"},
    "cluster": "2c9180887de347a2017de8859e8c5011",
    "beforeProvisioningRule": {"type": "RULE", "id": "2c918085", "name": "Before"},
}
PATCH = [{"op": "replace", "path": "/description", "value": "patched"}]
RULE_PATCH = [{"op": "replace", "path": "/name", "value": "Renamed"}]
JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    """Below the API root; ``{id}`` stands for the integration's id."""
    body: object = None
    media_type: str = "application/json"

    def send(self, http: httpx.AsyncClient, root: str, integration_id: str) -> Any:
        content = None if self.body is None else json.dumps(self.body).encode()
        headers = {} if content is None else {"Content-Type": self.media_type}
        url = root + self.path.replace("{id}", integration_id)
        return http.request(self.method, url, content=content, headers=headers)


OPERATIONS = {
    "list_integrations": Request("GET", "/sim-integrations"),
    "get_integration": Request("GET", "/sim-integrations/{id}"),
    "create_integration": Request("POST", "/sim-integrations", {**DETAILS, "name": "Other"}),
    "update_integration": Request("PUT", "/sim-integrations/{id}", DETAILS),
    "patch_integration": Request("PATCH", "/sim-integrations/{id}", PATCH, JSON_PATCH),
    "patch_before_provisioning_rule": Request(
        "PATCH", "/sim-integrations/{id}/beforeProvisioningRule", RULE_PATCH, JSON_PATCH
    ),
    "delete_integration": Request("DELETE", "/sim-integrations/{id}"),
}
BROKEN_BODIES = {
    "create_integration": {"name": "x", "description": 1},
    "update_integration": {"name": "x", "sources": "not an array"},
    "patch_integration": [{"op": "frobnicate", "path": "/description"}],
    "patch_before_provisioning_rule": [{"path": "/name"}],
}


@dataclass
class Answer:
    status: int
    keys: list[frozenset[str]]
    """The keys of the answer's object, or of each object in its array; empty without one."""


def answer(response: httpx.Response) -> Answer:
    if not response.content:
        return Answer(response.status_code, [])
    body = response.json()
    items = body if isinstance(body, list) else [body]
    return Answer(response.status_code, [frozenset(item) for item in items])


@pytest.fixture
async def both(prism: PrismServer) -> AsyncIterator[tuple[httpx.AsyncClient, str, str]]:
    """An authenticated client, the fake's API root, and the id of the integration it holds."""
    fake = FakeSimServer(tokens=[TOKEN], explicit_nulls=True, delete_status=200)
    created = fake.add_integration(DETAILS)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(headers=headers, timeout=30.0, trust_env=False) as http,
    ):
        yield http, f"{base_url}/beta", created["id"]


async def compare(
    both: tuple[httpx.AsyncClient, str, str], prism: PrismServer, request: Request
) -> tuple[Answer, Answer]:
    http, fake_root, integration_id = both
    from_fake = answer(await request.send(http, fake_root, integration_id))
    from_prism = answer(await request.send(http, prism.url, PRISM_ID))
    return from_fake, from_prism


@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_a_valid_request_gets_the_same_status_and_keys(
    both: tuple[httpx.AsyncClient, str, str], prism: PrismServer, name: str
) -> None:
    from_fake, from_prism = await compare(both, prism, OPERATIONS[name])
    assert from_fake == from_prism
    assert 200 <= from_fake.status < 300


@pytest.mark.parametrize("name", sorted(BROKEN_BODIES))
async def test_a_body_that_breaks_the_fragment_gets_the_same_400(
    both: tuple[httpx.AsyncClient, str, str], prism: PrismServer, name: str
) -> None:
    request = OPERATIONS[name]
    broken = Request(request.method, request.path, BROKEN_BODIES[name], request.media_type)
    from_fake, from_prism = await compare(both, prism, broken)
    assert from_fake == from_prism
    assert from_fake.status == 400


@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_a_request_without_a_token_gets_the_same_401(
    both: tuple[httpx.AsyncClient, str, str], prism: PrismServer, name: str
) -> None:
    _, fake_root, integration_id = both
    anonymous = httpx.AsyncClient(timeout=30.0, trust_env=False)
    async with anonymous:
        request = OPERATIONS[name]
        from_fake = answer(await request.send(anonymous, fake_root, integration_id))
        from_prism = answer(await request.send(anonymous, prism.url, PRISM_ID))
    assert from_fake == from_prism
    assert from_fake.status == 401
