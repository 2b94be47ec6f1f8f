"""FakeSimServer's records against the fragment: what it refuses to store, explicit nulls, and
the status of a DELETE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim_client.models import SimIntegration
from sim_client.testing import FakeSimServer
from sim_client.testing._records import model_fields
from tests.fake.test_fake_server import API, JSON_PATCH, error, fits

FRAGMENT = Path(__file__).resolve().parents[2] / "openapi" / "sim-integrations.beta.yaml"
SCHEMAS: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text(encoding="utf-8"))["components"][
    "schemas"
]

# Bodies whose stored record would not fit SimIntegration or SimIntegrationDetails.
MISFITS: list[Any] = [
    pytest.param({"beforeProvisioningRule": {"type": {}}}, id="rule-type-object"),
    pytest.param({"beforeProvisioningRule": {"type": []}}, id="rule-type-array"),
    pytest.param({"beforeProvisioningRule": {"type": None}}, id="rule-type-null"),
    pytest.param({"beforeProvisioningRule": {"id": None}}, id="rule-id-null"),
    pytest.param({"ownerRef": {"id": None}}, id="owner-id-null"),
    pytest.param({"ownerRef": {"type": "GOVERNANCE_GROUP"}}, id="owner-type-unknown"),
    pytest.param({"clusterRef": None}, id="cluster-ref-null"),
    pytest.param({"provisioningConfig": {"noProvisioningRequests": "yes"}}, id="config-bool"),
    pytest.param({"provisioningConfig": {"provisioningRequestExpiration": "7"}}, id="config-int"),
    pytest.param({"provisioningConfig": {"universalManager": None}}, id="config-null"),
    pytest.param({"provisioningConfig": {"managedResourceRefs": [None]}}, id="refs-null-item"),
    pytest.param({"provisioningConfig": {"managedResourceRefs": [{"id": 5}]}}, id="refs-id-int"),
    pytest.param({"provisioningConfig": {"planInitializerScript": "<Rule/>"}}, id="script-str"),
    pytest.param({"managedSources": [None]}, id="managed-sources-null"),
    pytest.param({"sources": ["a", 1]}, id="sources-int"),
    pytest.param({"statusMap": {"closed_complete": 1}}, id="status-map-int"),
    pytest.param({"request": "short_description=x"}, id="request-str"),
    pytest.param({"description": None}, id="description-null"),
    pytest.param({"cluster": 5}, id="cluster-int"),
    pytest.param({"created": 5}, id="read-only-created-int"),
    pytest.param({"id": ["x"]}, id="read-only-id-array"),
    pytest.param({"modified": "yesterday"}, id="read-only-modified-not-a-date"),
]


@pytest.fixture
def fake() -> FakeSimServer:
    return FakeSimServer()


@pytest.fixture
async def http(fake: FakeSimServer) -> Any:
    headers = {"Authorization": f"Bearer {fake.token}"}
    async with httpx.AsyncClient(
        base_url=fake.base_url, transport=fake.transport, headers=headers
    ) as client:
        yield client


async def patch(http: httpx.AsyncClient, path: str, operations: object) -> httpx.Response:
    return await http.patch(path, content=json.dumps(operations), headers=JSON_PATCH)


# --- what the store refuses ---


@pytest.mark.parametrize("members", MISFITS)
async def test_a_record_that_would_not_fit_is_refused_by_every_write(
    http: httpx.AsyncClient, fake: FakeSimServer, members: dict[str, Any]
) -> None:
    old = (await http.post(API, json={"name": "x"})).json()
    item = f"{API}/{old['id']}"
    error(await http.post(API, json={"name": "y", **members}), 400)
    error(await http.put(item, json={"name": "x", **members}), 400)
    ops = [{"op": "add", "path": f"/{key}", "value": value} for key, value in members.items()]
    if all(value is not None for value in members.values()):  # null is no patch value
        error(await patch(http, item, ops), 400)
    assert fake.integrations == {old["id"]: old}
    assert all(record.status == 400 for record in fake.requests[1:])
    listed = (await http.get(API)).json()
    assert [fits("SimIntegration", entry) for entry in listed] == [[]]


async def test_the_error_names_the_misfit_and_never_the_value(http: httpx.AsyncClient) -> None:
    body = {"name": "x", "provisioningConfig": {"noProvisioningRequests": "secret-yes"}}
    response = await http.post(API, json=body)
    text = error(response, 400)
    assert "ProvisioningConfig.noProvisioningRequests" in text
    assert "secret-yes" not in response.text


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param({"op": "add", "path": "description", "value": "d"}, id="path-no-slash"),
        pytest.param({"op": "add", "path": "/a~2b", "value": "d"}, id="path-bad-escape"),
        pytest.param({"op": "add", "path": "/description", "value": "d", "from": "x"}, id="from"),
        pytest.param({"op": "add", "path": "/description", "value": None}, id="value-null"),
        pytest.param({"op": "add", "path": "/attributes/t", "value": 0.5}, id="value-fraction"),
    ],
)
async def test_a_patch_operation_outside_the_fragment_is_refused(
    http: httpx.AsyncClient, fake: FakeSimServer, operation: dict[str, Any]
) -> None:
    old = (await http.post(API, json={"name": "x"})).json()
    error(await patch(http, f"{API}/{old['id']}", [operation]), 400)
    error(await patch(http, f"{API}/{old['id']}/beforeProvisioningRule", [operation]), 400)
    assert fake.integrations == {old["id"]: old}


async def test_null_attributes_mean_none(http: httpx.AsyncClient) -> None:
    created = (await http.post(API, json={"name": "x", "attributes": None})).json()
    assert created["attributes"] == {}


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_KEYS = st.sampled_from(
    sorted(
        set(SCHEMAS["SimIntegration"]["properties"])
        | set(SCHEMAS["SimIntegrationDetails"]["properties"])
        | set(SCHEMAS["ProvisioningConfig"]["properties"])
        | {"type", "id", "name", "source"}
    )
)
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=st.dictionaries(_KEYS, _JSON, max_size=5))
async def test_any_body_is_stored_fitting_or_refused_with_400(members: dict[str, Any]) -> None:
    fake = FakeSimServer()
    headers = {"Authorization": f"Bearer {fake.token}"}
    async with httpx.AsyncClient(
        base_url=fake.base_url, transport=fake.transport, headers=headers
    ) as http:
        response = await http.post(API, json={**members, "name": "x"})
        assert response.status_code in (200, 400), response.text
        listed = (await http.get(API)).json()
    assert all(fits("SimIntegration", item) == [] for item in listed)
    assert [r.status for r in fake.requests] == [response.status_code, 200]


# --- explicit nulls ---


def test_the_null_fields_are_the_fragments_properties() -> None:
    walked: dict[str, set[str]] = {}

    def walk(model: type, schema_name: str) -> None:
        walked[schema_name] = {field.wire for field in model_fields(model)}
        for field in model_fields(model):
            if field.model is not None:
                walk(field.model, _ref_of(SCHEMAS[schema_name]["properties"][field.wire]))

    walk(SimIntegration, "SimIntegration")
    assert set(walked) == {
        "SimIntegration",
        "OwnerRef",
        "SourceClusterRef",
        "ProvisioningConfig",
        "ManagedResourceRef",
        "PlanInitializerScript",
        "BeforeProvisioningRule",
    }
    for schema_name, wire_names in walked.items():
        assert wire_names == set(SCHEMAS[schema_name]["properties"]), schema_name


def _ref_of(schema: dict[str, Any]) -> str:
    target = schema["items"]["$ref"] if schema.get("type") == "array" else schema["$ref"]
    name: str = target.rpartition("/")[2]
    return name


async def test_explicit_nulls_answer_null_for_every_unset_field_at_every_level() -> None:
    fake = FakeSimServer(explicit_nulls=True)
    details = {
        "name": "x",
        "ownerRef": {"id": "o"},
        "provisioningConfig": {"managedResourceRefs": [{"id": "s"}, {"type": "SOURCE"}]},
        "statusMap": {"closed_complete": "Committed"},
    }
    seeded = fake.add_integration({"name": "seeded"})
    headers = {"Authorization": f"Bearer {fake.token}"}
    async with httpx.AsyncClient(
        base_url=fake.base_url, transport=fake.transport, headers=headers
    ) as http:
        created = (await http.post(API, json=details)).json()
        got = (await http.get(f"{API}/{created['id']}")).json()
        listed = (await http.get(API)).json()
    assert got == created
    assert listed == [seeded, created]
    assert fake.integrations[created["id"]]["ownerRef"] == {"id": "o"}  # stored as sent
    assert created["statusMap"] == {"closed_complete": "Committed"}
    for name in ("cluster", "clusterRef", "managedSources", "beforeProvisioningRule"):
        assert created[name] is None
    assert created["ownerRef"] == {"id": "o", "type": None, "name": None}
    config = created["provisioningConfig"]
    assert config["managedResourceRefs"] == [
        {"id": "s", "type": None, "name": None},
        {"id": None, "type": "SOURCE", "name": None},
    ]
    for name in ("universalManager", "planInitializerScript", "noProvisioningRequests"):
        assert config[name] is None
    assert set(created) >= set(SCHEMAS["SimIntegration"]["properties"])
    assert seeded["clusterRef"] is None


async def test_without_explicit_nulls_unset_fields_are_left_out(http: httpx.AsyncClient) -> None:
    created = (await http.post(API, json={"name": "x", "ownerRef": {"id": "o"}})).json()
    assert created["ownerRef"] == {"id": "o"}
    assert None not in created.values()


# --- DELETE ---


@pytest.mark.parametrize("status", [204, 200])
async def test_the_client_deletes_with_either_documented_status(status: int) -> None:
    fake = FakeSimServer(delete_status=status)
    created = fake.add_integration({"name": "x"})
    async with fake.client() as sim:
        await sim.delete_integration(created["id"])
        assert await sim.list_integrations() == []
    assert [(r.method, r.status) for r in fake.requests if r.method == "DELETE"] == [
        ("DELETE", status)
    ]


async def test_a_delete_answers_no_body_with_either_status() -> None:
    for status in (200, 204):
        fake = FakeSimServer(delete_status=status)
        created = fake.add_integration({"name": "x"})
        async with httpx.AsyncClient(base_url=fake.base_url, transport=fake.transport) as http:
            response = await http.delete(
                f"{API}/{created['id']}", headers={"Authorization": f"Bearer {fake.token}"}
            )
        assert (response.status_code, response.content) == (status, b"")


def test_only_the_documented_delete_statuses_are_accepted() -> None:
    with pytest.raises(ValueError, match="200 or 204"):
        FakeSimServer(delete_status=202)


# --- the request log ---


async def test_a_failure_inside_the_fake_is_a_recorded_500(
    http: httpx.AsyncClient, fake: FakeSimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[Any]:
        raise KeyError("a stored secret")

    monkeypatch.setattr(fake._store, "list", broken)
    response = await http.get(API)
    assert error(response, 500) == "An internal fault occurred."
    assert "a stored secret" not in response.text
    assert fake.requests[-1].status == 500
