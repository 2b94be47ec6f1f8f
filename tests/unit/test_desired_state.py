"""Export, plan and apply against the stateful fake: in-process, and once over loopback."""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sim_client import SimClient
from sim_client.desired import (
    MISSING,
    ApplyResult,
    Change,
    DesiredStateError,
    DuplicateNameError,
    Plan,
    StalePlanError,
    apply,
    export_integrations,
)
from sim_client.desired import plan as plan_for
from sim_client.testing import FakeSimServer

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECRET = "hunter2-do-not-print"
OTHER_SECRET = "correct-horse-battery"
SECRETS = {"SIM_SERVICENOW_HR_PASSWORD": SECRET, "SIM_SERVICENOW_HR_OAUTH_CLIENTSECRET": "cs-1"}


def hr(**changes: Any) -> dict[str, Any]:
    """A rich integration: nested attributes with credentials, refs, lists, a rule."""
    details: dict[str, Any] = {
        "name": "ServiceNow - HR",
        "description": "Tickets for HR",
        "type": "ServiceNowSDIM",
        "attributes": {
            "instance": "acme.service-now.com",
            "username": "sim",
            "password": SECRET,
            "oauth": {"clientId": "cid", "clientSecret": "cs-1"},
        },
        "statusMap": {"closed_complete": "Committed", "closed_rejected": "Failed"},
        "ownerRef": {"type": "IDENTITY", "id": "owner-a", "name": "Ada"},
        "clusterRef": {"type": "CLUSTER", "id": "cluster-a", "name": "VA"},
        "managedSources": ["source-a", "source-b"],
        "provisioningConfig": {
            "managedResourceRefs": [{"type": "SOURCE", "id": "source-a", "name": "Workday"}],
            "noProvisioningRequests": True,
        },
        "beforeProvisioningRule": {"type": "RULE", "id": "rule-a", "name": "Disable"},
    }
    details.update(changes)
    return details


def simple(name: str, **changes: Any) -> dict[str, Any]:
    return {"name": name, "description": f"about {name}", "type": "ServiceNow", **changes}


def listing_client(listing: list[Any] | bytes) -> SimClient:
    """A client whose every request is answered 200 with ``listing`` (JSON, or as it is)."""

    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(listing, bytes):
            return httpx.Response(200, content=listing)
        return httpx.Response(200, json=listing)

    return SimClient("http://127.0.0.1", token="t", transport=httpx.MockTransport(answer))


@pytest.fixture
def fake() -> FakeSimServer:
    return FakeSimServer()


@pytest.fixture
async def sim(fake: FakeSimServer) -> AsyncIterator[SimClient]:
    async with fake.client() as client:
        yield client


def stored(fake: FakeSimServer) -> dict[str, dict[str, Any]]:
    """The fake's state by name, without the fields the service assigns."""
    return {
        item["name"]: {k: v for k, v in item.items() if k not in ("id", "created", "modified")}
        for item in fake.integrations.values()
    }


def mutations(fake: FakeSimServer) -> list[tuple[str, str, int | None]]:
    return [
        (r.method, r.path, r.status)
        for r in fake.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and "/oauth/" not in r.path
    ]


# --- export ---


async def test_export_is_stable_sorted_and_has_no_read_only_fields_nor_secrets(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration(simple("Zebra"))
    fake.add_integration(hr())
    fake.add_integration(simple("alpha", attributes={"apiKey": "k-1", "keyboard": "qwerty"}))
    first = await sim.export_integrations()
    # A replacement with the same content changes `modified` only: the export stays the same.
    zebra = next(i for i in await sim.list_integrations() if i.name == "Zebra")
    await sim.update_integration(zebra.id, simple("Zebra"))
    second = await export_integrations(sim)
    assert json.dumps(first) == json.dumps(second)
    assert [d["name"] for d in first] == ["ServiceNow - HR", "Zebra", "alpha"]
    assert all(not {"id", "created", "modified"} & d.keys() for d in first)
    assert list(first[0]) == [
        "name",
        "description",
        "type",
        "attributes",
        "beforeProvisioningRule",
        "clusterRef",
        "managedSources",
        "ownerRef",
        "provisioningConfig",
        "statusMap",
    ]
    assert first[0]["attributes"] == {
        "instance": "acme.service-now.com",
        "oauth": {"clientId": "cid", "clientSecret": "${SIM_SERVICENOW_HR_OAUTH_CLIENTSECRET}"},
        "password": "${SIM_SERVICENOW_HR_PASSWORD}",
        "username": "sim",
    }
    assert first[2]["attributes"] == {"apiKey": "${SIM_ALPHA_APIKEY}", "keyboard": "qwerty"}
    assert SECRET not in json.dumps(first)


async def test_a_caller_can_name_the_placeholders(fake: FakeSimServer, sim: SimClient) -> None:
    fake.add_integration(hr())
    (document,) = await sim.export_integrations(
        secret_name=lambda name, member: "VAULT_" + "_".join(member).upper()
    )
    assert document["attributes"]["password"] == "${VAULT_PASSWORD}"
    assert document["attributes"]["oauth"]["clientSecret"] == "${VAULT_OAUTH_CLIENTSECRET}"


async def test_export_then_apply_to_an_empty_tenant_gives_the_same_documents(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration(hr())
    fake.add_integration(simple("SAP", attributes={"literal": "${NOT_A_PLACEHOLDER}"}))
    exported = await sim.export_integrations()
    other = FakeSimServer()
    async with other.client() as target:
        plan = await target.plan(exported, secrets=SECRETS)
        assert [(a.kind, a.name) for a in plan.actions] == [
            ("create", "SAP"),
            ("create", "ServiceNow - HR"),
        ]
        result = await target.apply(plan)
        assert result.ok
        assert [o.status for o in result.outcomes] == ["created", "created"]
        assert await target.export_integrations() == exported
        assert stored(other) == stored(fake)  # the secrets and the literal arrived as they were
        again = await target.plan(exported, secrets=SECRETS)
        assert not again.has_changes
        assert [a.kind for a in again.actions] == ["unchanged", "unchanged"]


# --- plan ---


async def test_plan_shows_every_kind_of_change(fake: FakeSimServer, sim: SimClient) -> None:
    fake.add_integration(hr())
    fake.add_integration(simple("Same"))
    desired = [
        hr(
            description="Tickets for HR and AD",
            attributes={
                "instance": "acme.service-now.com",
                "password": "${SIM_HR_PASSWORD}",
                "oauth": {"clientId": "cid2", "clientSecret": "cs-1", "scope": "all"},
            },
            statusMap={"closed_complete": "Committed"},
            ownerRef={"type": "IDENTITY", "id": "owner-b", "name": "Ada"},
            managedSources=["source-a"],
            provisioningConfig={
                "managedResourceRefs": [
                    {"type": "SOURCE", "id": "source-a", "name": "Workday"},
                    {"type": "SOURCE", "id": "source-c"},
                ],
                "noProvisioningRequests": True,
            },
            beforeProvisioningRule=None,
        ),
        simple("Same"),
        simple("New", attributes={"token": "${SIM_NEW_TOKEN}"}),
    ]
    plan = await sim.plan(desired, secrets={"SIM_HR_PASSWORD": OTHER_SECRET, "SIM_NEW_TOKEN": "t"})
    assert [(a.kind, a.name) for a in plan.actions] == [
        ("create", "New"),
        ("unchanged", "Same"),
        ("update", "ServiceNow - HR"),
    ]
    update = plan.actions[2]
    assert update.changes == (
        Change(("description",), "Tickets for HR", "Tickets for HR and AD"),
        Change(("attributes", "oauth", "clientId"), "cid", "cid2"),
        Change(("attributes", "oauth", "scope"), MISSING, "all"),
        Change(("attributes", "password"), "(sensitive)", "(sensitive)"),
        Change(("attributes", "username"), "sim", MISSING),
        Change(
            ("beforeProvisioningRule",),
            {"id": "rule-a", "name": "Disable", "type": "RULE"},
            MISSING,
        ),
        Change(("managedSources", 1), "source-b", MISSING),
        Change(("ownerRef", "id"), "owner-a", "owner-b"),
        Change(
            ("provisioningConfig", "managedResourceRefs", 1),
            MISSING,
            {"id": "source-c", "type": "SOURCE"},
        ),
        Change(("statusMap", "closed_rejected"), "Failed", MISSING),
    )
    assert plan.actions[0].changes[2] == Change(("attributes",), MISSING, {"token": "(sensitive)"})
    assert plan.summary() == {"create": 1, "update": 1, "delete": 0, "unchanged": 1}
    text = plan.render()
    assert "~ update ServiceNow - HR  (" in text
    assert '    ~ description: "Tickets for HR" -> "Tickets for HR and AD"' in text
    assert "    ~ attributes.password: (sensitive) -> (sensitive)" in text
    assert '    - managedSources[1]: "source-b"' in text
    assert '    + attributes: {"token": (sensitive)}' not in text  # JSON-quoted, never bare
    assert '    + attributes: {"token": "(sensitive)"}' in text
    assert text.endswith("Plan: 1 to create, 1 to update, 0 to delete, 1 unchanged.")
    data = json.loads(plan.to_json())
    assert data["actions"][2]["changes"][3] == {
        "path": "attributes.password",
        "op": "change",
        "before": "(sensitive)",
        "after": "(sensitive)",
    }
    assert data["actions"][2]["modified"] == update.modified is not None
    for shown in (text, plan.to_json(), repr(plan), str(plan)):
        assert SECRET not in shown
        assert OTHER_SECRET not in shown
    assert [r.method for r in fake.requests if "/oauth/" not in r.path] == ["GET"]


async def test_a_plan_changes_nothing_and_apply_brings_the_tenant_there(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration(hr())
    before = fake.integrations
    desired = [hr(description="changed", managedSources=["x"])]
    plan = await sim.plan(desired)
    assert fake.integrations == before
    assert (await sim.apply(plan)).ok
    assert stored(fake)["ServiceNow - HR"] == hr(description="changed", managedSources=["x"])
    assert not (await sim.plan(desired)).has_changes


async def test_prune_deletes_integrations_that_are_not_desired(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration(simple("keep"))
    fake.add_integration(simple("drop"))
    plain = await sim.plan([simple("keep")])
    assert [a.kind for a in plain.actions] == ["unchanged"]
    pruning = await sim.plan([simple("keep")], prune=True)
    assert [(a.kind, a.name) for a in pruning.actions] == [
        ("delete", "drop"),
        ("unchanged", "keep"),
    ]
    assert "- delete drop  (" in pruning.render()
    result = await sim.apply(pruning)
    assert [o.status for o in result.outcomes] == ["deleted", "unchanged"]
    assert list(stored(fake)) == ["keep"]
    with pytest.raises(DesiredStateError, match="would delete every integration of the tenant"):
        await sim.plan([], prune=True)
    empty = await plan_for(sim, [], prune=True, allow_delete_all=True)
    assert [(a.kind, a.name) for a in empty.actions] == [("delete", "keep")]


async def test_an_id_map_promotes_between_tenants(fake: FakeSimServer, sim: SimClient) -> None:
    fake.add_integration(hr())
    exported = await sim.export_integrations()
    ids = {
        "owner-a": "owner-prod",
        "cluster-a": "cluster-prod",
        "source-a": "source-prod",
        "rule-a": "rule-prod",
    }
    production = FakeSimServer()
    async with production.client() as target:
        plan = await target.plan(exported, id_map=ids, secrets=SECRETS)
        assert (await target.apply(plan)).ok
        item = stored(production)["ServiceNow - HR"]
        assert item["ownerRef"]["id"] == "owner-prod"
        assert item["clusterRef"]["id"] == "cluster-prod"
        assert item["beforeProvisioningRule"]["id"] == "rule-prod"
        assert item["managedSources"] == ["source-prod", "source-b"]
        assert item["provisioningConfig"]["managedResourceRefs"][0]["id"] == "source-prod"
        assert not (await target.plan(exported, id_map=ids, secrets=SECRETS)).has_changes
        # Without the map, the ids of the first tenant would be written back.
        assert (await target.plan(exported, secrets=SECRETS)).has_changes
    with pytest.raises(DesiredStateError, match="ids must be non-empty strings"):
        await sim.plan(exported, id_map={"a": ""}, secrets=SECRETS)


async def test_placeholders_resolve_from_the_environment(
    fake: FakeSimServer, sim: SimClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_integration(hr())
    exported = await sim.export_integrations()
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    assert not (await sim.plan(exported)).has_changes
    monkeypatch.setenv("SIM_SERVICENOW_HR_PASSWORD", OTHER_SECRET)
    plan = await sim.plan(exported)
    assert [c.path for c in plan.actions[0].changes] == [("attributes", "password")]


async def test_a_placeholder_never_reads_the_clients_own_settings(
    fake: FakeSimServer, sim: SimClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAIL_CLIENT_SECRET", SECRET)
    desired = [simple("leaky", attributes={"instance": "${SAIL_CLIENT_SECRET}"})]
    with pytest.raises(DesiredStateError) as caught:
        await sim.plan(desired)
    assert caught.value.problems == (
        "desired[0]: attributes.instance: ${SAIL_CLIENT_SECRET}: "
        "SAIL_* variables are the client's own settings, never values",
    )
    assert fake.requests == []


async def test_missing_placeholders_are_all_reported_before_any_request(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration(hr())
    exported = await sim.export_integrations()
    fake.requests.clear()
    with pytest.raises(DesiredStateError) as caught:
        await sim.plan(exported, secrets={})
    assert caught.value.problems == (
        "desired[0]: attributes.oauth.clientSecret: "
        "${SIM_SERVICENOW_HR_OAUTH_CLIENTSECRET} is not set",
        "desired[0]: attributes.password: ${SIM_SERVICENOW_HR_PASSWORD} is not set",
    )
    with pytest.raises(DesiredStateError, match="name: is required"):
        await sim.plan([{"description": "no name"}])
    assert fake.requests == []


async def test_integrations_of_the_tenant_with_the_same_name() -> None:
    listing = [
        {"id": i, "name": name, "description": "", "type": "ServiceNowSDIM", "attributes": {}}
        for i, name in (("1", "twin"), ("2", "twin"), ("4", "single"))
    ]
    async with listing_client(listing) as sim:
        with pytest.raises(DuplicateNameError, match="2 integrations named 'twin'"):
            await sim.plan([{"name": "twin"}])
        plan = await sim.plan([{"name": "single"}], prune=True)
        # Both twins are pruned.
        assert [(a.kind, a.integration_id) for a in plan.actions] == [
            ("unchanged", "4"),
            ("delete", "1"),
            ("delete", "2"),
        ]
        exported = await sim.export_integrations()
        assert [d["name"] for d in exported] == ["single", "twin", "twin"]


async def test_an_integration_without_a_usable_name_is_neither_exported_nor_pruned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listing = [
        {"id": "1", "name": "kept", "description": "", "type": "ServiceNowSDIM", "attributes": {}},
        {"id": "2", "name": None, "description": "", "type": "ServiceNowSDIM", "attributes": {}},
        {"id": "3", "description": "no name at all"},
    ]
    async with listing_client(listing) as sim:
        exported = await sim.export_integrations()
        plan = await plan_for(sim, [], prune=True, allow_delete_all=True)

    assert [d["name"] for d in exported] == ["kept"]
    assert [(a.kind, a.integration_id) for a in plan.actions] == [("delete", "1")]
    left_out = [r.getMessage() for r in caplog.records if "no usable name" in r.getMessage()]
    assert left_out == [
        "export: integration '2' has no usable name; left out",
        "export: integration '3' has no usable name; left out",
    ]


async def test_attributes_the_tenant_sends_as_text_or_a_list_never_show_their_credentials() -> None:
    as_text = json.dumps({"username": "sim", "password": SECRET})
    listing = [
        {"id": "1", "name": "text", "attributes": as_text},
        {"id": "2", "name": "list", "attributes": [{"password": OTHER_SECRET}]},
    ]
    async with listing_client(listing) as sim:
        exported = await sim.export_integrations()
        plan = await sim.plan([simple("text"), simple("list")])

    assert [d["attributes"] for d in exported] == [
        [{"password": "${SIM_LIST_0_PASSWORD}"}],
        "${SIM_TEXT_ATTRIBUTES}",
    ]
    shown = json.dumps(exported) + plan.render() + plan.to_json() + repr(plan)
    assert SECRET not in shown
    assert OTHER_SECRET not in shown
    assert "(sensitive)" in plan.render()


async def test_an_integration_nested_deeper_than_any_document_fails_plan_and_export_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    deep = "[" * 500 + "]" * 500  # read fine; too deep for the canonical form's recursion
    listing = f'[{{"id": "1", "name": "deep", "attributes": {{"x": {deep}}}}}]'.encode()
    async with listing_client(listing) as sim:
        exported = await sim.export_integrations()
        with pytest.raises(DesiredStateError) as caught:
            await sim.plan([simple("deep")])

    assert exported == []
    assert "export: integration '1' is nested too deeply; left out" in caplog.messages
    assert caught.value.problems == (
        "the tenant's integration '1': integration 'deep': nested more than 64 levels deep",
    )


# --- apply ---


async def test_a_stale_plan_is_refused(fake: FakeSimServer, sim: SimClient) -> None:
    fake.add_integration(simple("edited"))
    fake.add_integration(simple("deleted"))
    fake.add_integration(simple("pruned"))
    fake.add_integration(simple("fine"))
    desired = [simple(name, description="new") for name in ("edited", "deleted", "fine")]
    plan = await sim.plan(desired, prune=True)
    assert [a.kind for a in plan.actions] == ["update", "update", "update", "delete"]
    by_name = {i.name: i for i in await sim.list_integrations()}
    await sim.patch_integration(
        by_name["edited"].id, [{"op": "replace", "path": "/description", "value": "by hand"}]
    )
    await sim.delete_integration(by_name["deleted"].id)
    await sim.patch_integration(
        by_name["pruned"].id, [{"op": "replace", "path": "/description", "value": "by hand"}]
    )
    fake.requests.clear()
    result = await sim.apply(plan)
    outcomes = {o.action.name: o for o in result.outcomes}
    assert outcomes["fine"].status == "updated"
    for name in ("edited", "deleted", "pruned"):
        assert outcomes[name].status == "failed"
        assert isinstance(outcomes[name].error, StalePlanError)
    assert "changed since the plan" in str(outcomes["edited"].error)
    assert "was deleted since the plan" in str(outcomes["deleted"].error)
    assert not result.ok
    assert [m[0] for m in mutations(fake)] == ["PUT"]  # only the fresh target was written
    assert stored(fake)["edited"]["description"] == "by hand"
    assert "pruned" in stored(fake)


@pytest.fixture(params=["in-process", pytest.param("loopback", marks=pytest.mark.loopback)])
async def either_sim(
    request: pytest.FixtureRequest, fake: FakeSimServer
) -> AsyncIterator[SimClient]:
    """A client on the fake, in-process or over a real loopback socket."""
    if request.param == "in-process":
        async with fake.client() as client:
            yield client
        return
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(trust_env=False) as http,
        SimClient(base_url, token=fake.token, http_client=http) as client,
    ):
        yield client


async def test_apply_under_faults_reports_every_outcome_and_applies_nothing_twice(
    fake: FakeSimServer, either_sim: SimClient, waits: list[float]
) -> None:
    sim = either_sim
    for name in ("u1", "u2", "d1", "d2"):
        fake.add_integration(simple(name))
    desired = [simple(n, description="v2") for n in ("u1", "u2")] + [
        simple(n) for n in ("c1", "c2", "c3")
    ]
    plan = await sim.plan(desired, prune=True)
    assert plan.summary() == {"create": 3, "update": 2, "delete": 2, "unchanged": 0}
    fake.requests.clear()
    fake.fail(429, retry_after="0", method="POST")  # retried
    fake.fail(503, method="POST", times=1)  # a POST is not retried after a 503
    fake.fail(503, method="PUT")  # retried
    fake.drop(method="DELETE", handled=True)  # retried; the retry finds it gone
    fake.drop(method="GET", path="/beta/sim-integrations/")  # a stale-check read, retried
    result = await sim.apply(plan, concurrency=1)
    assert len(result.outcomes) == 7
    statuses = {o.action.name: o.status for o in result.outcomes}
    assert statuses == {
        "c1": "failed",  # 429, retried, then 503: a POST is not replayed
        "c2": "created",
        "c3": "created",
        "d1": "deleted",  # its stale check's GET was dropped and retried
        "d2": "deleted",  # dropped after it took effect; the retry found it gone
        "u1": "updated",  # 503, retried
        "u2": "updated",
    }
    assert fake.pending_faults == 0
    # Nothing was applied twice: one successful write per target.
    writes = [
        (r.method, r.body["name"] if r.method == "POST" else r.path)
        for r in fake.requests
        if r.method in ("POST", "PUT", "DELETE") and r.status is not None and r.status < 300
    ]
    assert len(writes) == len(set(writes)) == 5
    assert sorted(stored(fake)) == ["c2", "c3", "u1", "u2"]
    # The failed create is the only change left.
    again = await sim.plan(desired, prune=True)
    assert [(a.kind, a.name) for a in again.changes] == [("create", "c1")]
    assert (await sim.apply(again)).ok
    assert not (await sim.plan(desired, prune=True)).has_changes


async def test_fail_fast_starts_nothing_after_a_failure(
    fake: FakeSimServer, sim: SimClient
) -> None:
    plan = await sim.plan([simple(n) for n in ("a", "b", "c")])
    fake.fail(400, method="POST")
    seen: list[str] = []
    result = await sim.apply(
        plan, concurrency=1, fail_fast=True, on_outcome=lambda o: seen.append(o.status)
    )
    assert [o.status for o in result.outcomes] == ["failed", "skipped", "skipped"]
    assert seen == ["failed", "skipped", "skipped"]
    assert result.to_dict()["outcomes"][0]["tracking_id"]
    assert [m[0] for m in mutations(fake)] == ["POST"]


async def test_apply_checks_its_arguments(sim: SimClient) -> None:
    plan = Plan(())
    with pytest.raises(ValueError, match="concurrency"):
        await apply(sim, plan, concurrency=0)
    with pytest.raises(TypeError, match="plan must be a Plan"):
        await apply(sim, [], concurrency=1)  # type: ignore[arg-type]
    assert await apply(sim, plan) == ApplyResult(())


async def test_no_secret_reaches_a_log_an_error_or_a_result(
    fake: FakeSimServer, sim: SimClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_integration(hr())
    exported = await sim.export_integrations()
    desired = copy.deepcopy(exported)
    desired[0]["description"] = "changed"
    plan = await plan_for(
        sim, desired, secrets={**SECRETS, "SIM_SERVICENOW_HR_PASSWORD": OTHER_SECRET}
    )
    fake.fail(400, method="PUT", body={"messages": [{"text": "refused"}]})
    result = await sim.apply(plan)
    (outcome,) = result.outcomes
    assert outcome.status == "failed"
    caplog.set_level(logging.DEBUG)
    texts = [
        json.dumps(exported),
        plan.render(),
        plan.to_json(),
        repr(plan),
        repr(result),
        result.to_json(),
        str(outcome.error),
        repr(outcome.error),
        caplog.text,
    ]
    for text in texts:
        assert SECRET not in text
        assert OTHER_SECRET not in text
        assert "cs-1" not in text


@pytest.mark.loopback
async def test_the_whole_cycle_over_loopback(fake: FakeSimServer) -> None:
    fake.add_integration(hr())
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(trust_env=False) as http,
        SimClient(base_url, token=fake.token, http_client=http) as sim,
    ):
        exported = await sim.export_integrations()
        exported[0]["description"] = "over loopback"
        plan = await sim.plan(exported, secrets=SECRETS)
        assert [c.path for c in plan.actions[0].changes] == [("description",)]
        assert (await sim.apply(plan)).ok
        assert not (await sim.plan(exported, secrets=SECRETS)).has_changes


async def test_the_readme_promotion_example_runs(
    fake: FakeSimServer,
    sim: SimClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", README, re.DOTALL) if "promote(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    fake.add_integration(hr())
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    production = FakeSimServer()
    async with production.client() as target:
        assert await namespace["promote"](sim, target, {"owner-a": "owner-prod"})
    assert stored(production)["ServiceNow - HR"]["ownerRef"]["id"] == "owner-prod"
    out = capsys.readouterr().out
    assert "+ create ServiceNow - HR" in out
    assert "created ServiceNow - HR" in out
    assert SECRET not in out
