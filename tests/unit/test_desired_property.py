"""The desired-state property: for any tenant states A and B within the fragment,
``apply(plan(desired=export(B)))`` on A makes ``export(A) == export(B)``, and a second plan of
the same documents is empty. Small states and few seeded examples keep it to a few seconds."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim_client.desired import plan as plan_for
from sim_client.desired._secrets import placeholders
from sim_client.testing import FakeSimServer

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

words = st.text(alphabet="abcXYZ -_.$", max_size=6)
strings = words | st.sampled_from(["${LITERAL}", "$${ESCAPED}", "${plan.id}", ""])
scalars = st.none() | st.booleans() | st.integers(-5, 5) | strings
attribute_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=2)
        | st.dictionaries(st.sampled_from(["x", "token", "url"]), children, max_size=2)
    ),
    max_leaves=4,
)
attributes = st.dictionaries(
    st.sampled_from(["instance", "password", "apiKey", "queue", "keyboard", "oauth"]),
    attribute_values,
    max_size=4,
)
ids = st.sampled_from(["id-1", "id-2", "id-3"])


def ref(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just(kind)}, optional={"id": ids, "name": words})


details = st.fixed_dictionaries(
    {},
    optional={
        "description": words,
        "type": st.sampled_from(["ServiceNowSDIM", "ServiceNow"]),
        "attributes": attributes,
        "statusMap": st.dictionaries(st.sampled_from(["done", "failed"]), words, max_size=2),
        "ownerRef": ref("IDENTITY"),
        "clusterRef": ref("CLUSTER"),
        "managedSources": st.lists(ids, max_size=3),
        "beforeProvisioningRule": ref("RULE"),
        "provisioningConfig": st.fixed_dictionaries(
            {},
            optional={
                "managedResourceRefs": st.lists(ref("SOURCE"), max_size=2),
                "noProvisioningRequests": st.booleans(),
                "provisioningRequestExpiration": st.integers(0, 48),
            },
        ),
    },
)
tenant_states = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), details, max_size=3)


def tenant(state: dict[str, dict[str, Any]]) -> FakeSimServer:
    fake = FakeSimServer()
    for name, fields in state.items():
        fake.add_integration({"name": name, **fields})
    return fake


def value_at(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


async def converge(state_a: dict[str, Any], state_b: dict[str, Any]) -> None:
    a, b = tenant(state_a), tenant(state_b)
    async with a.client() as sim_a, b.client() as sim_b:
        desired = await sim_b.export_integrations()
        stored_b = {item["name"]: item for item in b.integrations.values()}
        secrets = {
            variable: value_at(stored_b[document["name"]]["attributes"], path)
            for document in desired
            for path, variable in placeholders(document["attributes"])
        }
        plan = await plan_for(
            sim_a,
            desired,
            prune=True,
            secrets=secrets,
            allow_credential_removal=True,
            allow_delete_all=True,
            max_deletes=len(state_a),
        )
        result = await sim_a.apply(plan)
        assert result.ok, result.to_dict()
        assert await sim_a.export_integrations() == desired
        again = await plan_for(sim_a, desired, prune=True, secrets=secrets, allow_delete_all=True)
        assert not again.has_changes


@PROPERTY_SETTINGS
@given(tenant_states, tenant_states)
def test_apply_of_the_plan_of_b_on_a_makes_a_export_like_b(
    state_a: dict[str, Any], state_b: dict[str, Any]
) -> None:
    asyncio.run(converge(state_a, state_b))
