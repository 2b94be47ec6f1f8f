"""Property tests: model round trips, arbitrary 2xx bodies, arbitrary patch operations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim_client import ResponseDecodeError, SimIntegration
from sim_client.models import JsonPatchOperation
from tests.mock_api import MockAPI, integration

# Seeded and bounded: the same examples on every run, a few seconds in all.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

text = st.text(max_size=20)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | text
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.isoformat())


def ref(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={"type": st.just(kind), "id": text, "name": text})


known_keys = {
    "id",
    "name",
    "description",
    "type",
    "created",
    "modified",
    "ownerRef",
    "clusterRef",
    "cluster",
    "managedSources",
    "provisioningConfig",
    "attributes",
    "beforeProvisioningRule",
}
integrations = st.fixed_dictionaries(
    {
        "id": text,
        "name": text,
        "description": text,
        "type": text,
        "attributes": st.dictionaries(text, json_values, max_size=5),
    },
    optional={
        "created": timestamps,
        "modified": timestamps,
        "ownerRef": ref("IDENTITY"),
        "clusterRef": ref("CLUSTER"),
        "cluster": text,
        "managedSources": st.lists(text, max_size=3),
        "provisioningConfig": st.fixed_dictionaries(
            {},
            optional={
                "universalManager": st.booleans(),
                "managedResourceRefs": st.lists(ref("SOURCE"), max_size=3),
                "planInitializerScript": st.fixed_dictionaries({}, optional={"source": text}),
                "noProvisioningRequests": st.booleans(),
                "provisioningRequestExpiration": st.integers(-(2**31), 2**31 - 1),
            },
        ),
        "beforeProvisioningRule": ref("RULE"),
    },
)
extras = st.dictionaries(text.filter(lambda key: key not in known_keys), json_values, max_size=3)


@PROPERTY_SETTINGS
@given(integrations, extras)
def test_models_round_trip_through_dicts(document: dict[str, Any], extra: dict[str, Any]) -> None:
    document = {**extra, **document}
    model = SimIntegration.from_dict(document)
    assert instants(model.to_dict()) == instants(document)
    assert SimIntegration.from_dict(model.to_dict()) == model


def instants(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its timestamps as datetimes: equal instants may be spelled differently."""
    return {
        key: datetime.fromisoformat(value) if key in {"created", "modified"} else value
        for key, value in document.items()
    }


def mutate(document: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    changed = dict(document)
    changed[key] = value
    return changed


bodies = (
    json_values
    | st.builds(mutate, integrations, st.sampled_from(sorted(known_keys)), json_values)
    | st.lists(integrations, max_size=2)
)


@PROPERTY_SETTINGS
@given(bodies, st.sampled_from(["get", "list"]))
async def test_any_json_2xx_body_gives_a_model_or_a_decode_error(body: Any, call: str) -> None:
    api = MockAPI(httpx.Response(200, content=json.dumps(body).encode()))
    sim = api.client()
    failure: ResponseDecodeError | None = None
    try:
        if call == "get":
            result: Any = await sim.get_integration("abc")
            assert isinstance(result, SimIntegration)
        else:
            result = await sim.list_integrations()
            assert all(isinstance(item, SimIntegration) for item in result)
    except ResponseDecodeError as error:
        failure = error
    if failure is not None:
        assert failure.status_code == 200
        assert failure.body == json.dumps(body)


pointers = st.lists(text, max_size=3).map(
    lambda parts: "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)
)
operations = st.fixed_dictionaries(
    {},
    optional={
        "op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]) | text,
        "path": pointers | text,
        "from": pointers | text,
        "value": json_values,
    },
)


@PROPERTY_SETTINGS
@given(st.lists(operations, max_size=4))
async def test_patch_operations_are_sent_exactly_or_refused_before_sending(
    given_operations: list[dict[str, Any]],
) -> None:
    api = MockAPI(httpx.Response(200, content=json.dumps(integration()).encode()))
    sim = api.client()
    try:
        await sim.patch_integration("abc", given_operations)
    except ValueError:
        assert api.requests == []
        return
    (request,) = api.requests
    assert json.loads(request.content) == given_operations
    for sent in given_operations:
        assert JsonPatchOperation.from_dict(sent).to_dict() == sent
