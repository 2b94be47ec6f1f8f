"""Each operation on the wire (method, path, headers, body) and its answer parsed into a model."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sim_client import (
    BeforeProvisioningRule,
    JsonPatchOperation,
    JsonPatchOperationOp,
    SimIntegration,
    SimIntegrationDetails,
)
from tests.mock_api import TOKEN, MockAPI, integration, json_response

INTEGRATION_ID = "2c9180835d2e5168015d32f890ca1581"
API = "https://acme.api.identitynow.com/beta"


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def assert_common_headers(request: httpx.Request, content_type: str | None) -> None:
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"
    if content_type is None:
        assert not request.content
    else:
        assert request.headers["Content-Type"] == content_type


async def test_list_returns_every_integration_as_models() -> None:
    api = MockAPI(json_response(200, [integration(id="a" * 32), integration(id="b" * 32)]))
    found = await api.client().list_integrations()
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("GET", f"{API}/sim-integrations")
    assert_common_headers(request, None)
    assert [item.id for item in found] == ["a" * 32, "b" * 32]
    assert all(isinstance(item, SimIntegration) for item in found)


async def test_list_of_nothing_is_an_empty_list() -> None:
    api = MockAPI(json_response(200, []))
    assert await api.client().list_integrations() == []


async def test_get_parses_the_full_dto() -> None:
    api = MockAPI()
    found = await api.client().get_integration(INTEGRATION_ID)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("GET", f"{API}/sim-integrations/{INTEGRATION_ID}")
    assert_common_headers(request, None)
    expected = integration()
    moment = datetime(2023, 1, 3, 21, 16, 22, 432000, tzinfo=UTC)
    assert (found.created, found.modified) == (moment, moment)
    round_trip = found.to_dict()
    for stamp in ("created", "modified"):
        assert datetime.fromisoformat(round_trip.pop(stamp)) == moment
        expected.pop(stamp)
    assert round_trip == expected
    assert found.additional_properties == {"unknownField": {"kept": True}}


async def test_create_posts_the_details_without_read_only_fields() -> None:
    api = MockAPI()
    details = {
        "id": "must-not-be-sent",
        "created": "2020-01-01T00:00:00Z",
        "modified": "2020-01-01T00:00:00Z",
        "name": "aName",
        "description": "Integration description",
        "type": "ServiceNowSDIM",
        "attributes": {"uid": "walter"},
        "statusMap": {"closed_complete": "Committed"},
        "cluster": "xyzzy999",
    }
    created = await api.client().create_integration(details)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("POST", f"{API}/sim-integrations")
    assert_common_headers(request, "application/json")
    sent = body_of(request)
    assert sent == {k: v for k, v in details.items() if k not in {"id", "created", "modified"}}
    assert created.id == INTEGRATION_ID


async def test_create_accepts_the_model_and_drops_its_read_only_fields() -> None:
    api = MockAPI()
    details = SimIntegrationDetails(
        name="aName",
        id="server-owned",
        description="d",
        before_provisioning_rule=BeforeProvisioningRule(id="r1", name="Rule"),
    )
    await api.client().create_integration(details)
    sent = body_of(api.requests[0])
    assert sent == {
        "name": "aName",
        "description": "d",
        "beforeProvisioningRule": {"id": "r1", "name": "Rule"},
    }


async def test_update_puts_a_full_replacement() -> None:
    api = MockAPI()
    fetched = SimIntegration.from_dict(integration())
    await api.client().update_integration(INTEGRATION_ID, fetched)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("PUT", f"{API}/sim-integrations/{INTEGRATION_ID}")
    assert_common_headers(request, "application/json")
    sent = body_of(request)
    assert "id" not in sent and "created" not in sent and "modified" not in sent
    assert sent["name"] == "aName" and sent["ownerRef"]["name"] == "Support"


@pytest.mark.parametrize(
    ("method_name", "suffix"),
    [("patch_integration", ""), ("patch_before_provisioning_rule", "/beforeProvisioningRule")],
)
async def test_patch_sends_a_bare_json_patch_array(method_name: str, suffix: str) -> None:
    api = MockAPI()
    operations: list[Any] = [
        {"op": "replace", "path": "/description", "value": "A new description"},
        JsonPatchOperation(op=JsonPatchOperationOp.ADD, path="/attributes/k", value=["a", 1]),
        {"op": "remove", "path": "/cluster"},
        {"op": "move", "from": "/a", "path": "/b"},
        {"op": "test", "path": "/flag", "value": True},
    ]
    patched = await getattr(api.client(), method_name)(INTEGRATION_ID, operations)
    (request,) = api.requests
    assert request.method == "PATCH"
    assert str(request.url) == f"{API}/sim-integrations/{INTEGRATION_ID}{suffix}"
    assert_common_headers(request, "application/json-patch+json")
    assert body_of(request) == [
        {"op": "replace", "path": "/description", "value": "A new description"},
        {"op": "add", "path": "/attributes/k", "value": ["a", 1]},
        {"op": "remove", "path": "/cluster"},
        {"op": "move", "from": "/a", "path": "/b"},
        {"op": "test", "path": "/flag", "value": True},
    ]
    assert isinstance(patched, SimIntegration)


@pytest.mark.parametrize("status", [200, 204])
async def test_delete_returns_none(status: int) -> None:
    api = MockAPI(httpx.Response(status))
    await api.client().delete_integration(INTEGRATION_ID)
    (request,) = api.requests
    assert (request.method, str(request.url)) == (
        "DELETE",
        f"{API}/sim-integrations/{INTEGRATION_ID}",
    )
    assert_common_headers(request, None)


@pytest.mark.parametrize(
    ("raw_id", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("../x", "..%2Fx"),
        ("id with space", "id%20with%20space"),
        ("q?x=1#f", "q%3Fx%3D1%23f"),
        ("%2e%2e", "%252e%252e"),
    ],
)
async def test_ids_are_percent_encoded_into_one_path_segment(raw_id: str, encoded: str) -> None:
    api = MockAPI()
    await api.client().get_integration(raw_id)
    assert api.requests[0].url.raw_path.decode() == f"/beta/sim-integrations/{encoded}"


async def test_base_url_ending_in_beta_is_taken_as_is() -> None:
    api = MockAPI(json_response(200, []))
    await api.client(base_url="https://acme.api.identitynow.com/beta/").list_integrations()
    assert str(api.requests[0].url) == f"{API}/sim-integrations"


async def test_find_matches_the_exact_name_only() -> None:
    api = MockAPI(
        json_response(200, [integration(id="1", name="Alpha"), integration(id="2", name="alpha")])
    )
    sim = api.client()
    found = await sim.find_integration("alpha")
    assert found is not None and found.id == "2"
    assert await sim.find_integration("ALPHA") is None


async def test_upsert_replaces_an_existing_integration_by_name() -> None:
    api = MockAPI()
    api.answer(json_response(200, [integration(id="existing", name="Alpha")]))
    await api.client().upsert_integration({"name": "Alpha", "description": "new"})
    listing, put = api.requests
    assert listing.method == "GET"
    assert (put.method, put.url.path) == ("PUT", "/beta/sim-integrations/existing")
    assert body_of(put) == {"name": "Alpha", "description": "new"}


async def test_upsert_creates_when_the_name_is_new() -> None:
    api = MockAPI()
    api.answer(json_response(200, [integration(id="other", name="Beta")]))
    await api.client().upsert_integration({"name": "Alpha"})
    assert [(r.method, r.url.path) for r in api.requests] == [
        ("GET", "/beta/sim-integrations"),
        ("POST", "/beta/sim-integrations"),
    ]
