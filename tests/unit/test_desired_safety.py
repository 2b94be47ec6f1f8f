"""Configuration as code refuses what it does not understand and what would destroy or leak."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sim_client import SimClient
from sim_client.desired import (
    DesiredStateError,
    export_integrations,
    load_documents,
)
from sim_client.desired import plan as plan_for
from sim_client.testing import FakeSimServer

SECRET = "hunter2-do-not-print"


@pytest.fixture
def fake() -> FakeSimServer:
    return FakeSimServer()


@pytest.fixture
async def sim(fake: FakeSimServer) -> AsyncIterator[SimClient]:
    async with fake.client() as client:
        yield client


def writes(fake: FakeSimServer) -> list[str]:
    return [
        r.method
        for r in fake.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and "/oauth/" not in r.path
    ]


def servicenow(**changes: Any) -> dict[str, Any]:
    return {
        "name": "ServiceNow",
        "description": "tickets",
        "type": "ServiceNowSDIM",
        "attributes": {"instance": "acme", "username": "sim", "password": SECRET},
        **changes,
    }


# --- unknown fields ---


async def test_a_typo_in_attributes_fails_before_any_write_and_the_credentials_stay(
    fake: FakeSimServer, sim: SimClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_integration(servicenow())
    before = json.dumps(list(fake.integrations.values()), sort_keys=True)
    monkeypatch.setenv("SIM_PASSWORD", SECRET)
    typo = tmp_path / "desired.yaml"
    typo.write_text(
        "- name: ServiceNow\n  description: tickets\n  type: ServiceNowSDIM\n"
        "  atributes:\n    instance: acme\n    password: ${SIM_PASSWORD}\n    pin: s3cr3t-pin\n"
    )
    with pytest.raises(DesiredStateError) as caught:
        documents = load_documents([typo])
        await plan_for(sim, documents)  # not reached; the library refuses first
    assert caught.value.problems == (
        f"{typo}:4:3: atributes: unknown field `atributes`; did you mean `attributes`?",
    )
    assert "s3cr3t-pin" not in str(caught.value)
    # The same document given in memory: refused before any request too.
    fake.requests.clear()
    with pytest.raises(DesiredStateError, match="did you mean `attributes`"):
        await plan_for(sim, [{"name": "ServiceNow", "atributes": {"password": "x"}}])
    assert fake.requests == []
    assert json.dumps(list(fake.integrations.values()), sort_keys=True) == before
    assert writes(fake) == []


# --- placeholders ---


LOOK_ALIKES = [
    "${SIM-HR-PASSWORD}",
    "$SIM_X",
    "${SIM_X:-default}",
    "${SIM_X} ",
    " ${SIM_X}",
    "${SIM_X",
    "prefix ${SIM_X}",
    "${sim_lower}",
    "$ecret",
]


@pytest.mark.parametrize("value", LOOK_ALIKES)
async def test_a_placeholder_look_alike_is_an_error_naming_its_place(
    fake: FakeSimServer, sim: SimClient, tmp_path: Path, value: str
) -> None:
    source = tmp_path / "d.yaml"
    source.write_text(f"- name: A\n  attributes:\n    password: {json.dumps(value)}\n")
    with pytest.raises(DesiredStateError) as caught:
        load_documents([source])
    (problem,) = caught.value.problems
    assert problem.startswith(f"{source}:3:5: attributes.password: looks like a placeholder")
    assert value.strip() not in problem
    with pytest.raises(DesiredStateError, match="looks like a placeholder"):
        await plan_for(sim, [{"name": "A", "attributes": {"password": value}}], secrets={})
    assert fake.requests == []


@pytest.mark.parametrize("variable", ["HOME", "AWS_SECRET_ACCESS_KEY", "SAIL_CLIENT_SECRET"])
async def test_a_placeholder_outside_the_allowed_prefixes_is_an_error(
    fake: FakeSimServer, sim: SimClient, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, SECRET)
    desired = [{"name": "A", "attributes": {"token": "${" + variable + "}"}}]
    with pytest.raises(DesiredStateError) as caught:
        await plan_for(sim, desired)
    (problem,) = caught.value.problems
    assert problem.startswith(f"desired[0]: attributes.token: ${{{variable}}}: ")
    assert SECRET not in problem
    assert fake.requests == []


async def test_the_allowed_prefixes_are_the_callers_choice(
    fake: FakeSimServer, sim: SimClient
) -> None:
    desired = [{"name": "A", "attributes": {"token": "${VAULT_A_TOKEN}"}}]
    with pytest.raises(DesiredStateError, match="must start with SIM_"):
        await plan_for(sim, desired, secrets={"VAULT_A_TOKEN": "t"})
    result = await plan_for(
        sim, desired, secrets={"VAULT_A_TOKEN": "t"}, placeholder_prefixes=("VAULT_",)
    )
    assert [a.kind for a in result.actions] == ["create"]
    # An allowed prefix never opens the client's own settings.
    with pytest.raises(DesiredStateError, match="client's own settings"):
        await plan_for(
            sim,
            [{"name": "A", "attributes": {"t": "${SAIL_CLIENT_SECRET}"}}],
            secrets={"SAIL_CLIENT_SECRET": "x"},
            placeholder_prefixes=("S",),
        )
    with pytest.raises(ValueError, match="upper-case"):
        await plan_for(sim, desired, placeholder_prefixes=("vault_",))


async def test_dollars_are_escaped_on_export_and_read_back_as_they_were(
    fake: FakeSimServer, sim: SimClient
) -> None:
    literal = {"a": "${NOT_A_SECRET}", "b": "$$x", "c": "cost $5", "d": "$HOME", "e": "${x"}
    fake.add_integration({"name": "A", "attributes": literal})
    (document,) = await export_integrations(sim)
    assert document["attributes"] == {
        "a": "$${NOT_A_SECRET}",
        "b": "$$$$x",
        "c": "cost $$5",
        "d": "$$HOME",
        "e": "$${x",
    }
    other = FakeSimServer()
    async with other.client() as target:
        created = await plan_for(target, [document], secrets={})
        assert (await target.apply(created)).ok
        (stored,) = other.integrations.values()
        assert stored["attributes"] == literal


# --- credentials ---


async def test_an_update_that_drops_credentials_needs_an_opt_in(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration(servicenow())
    dropping = servicenow(attributes={"instance": "acme", "username": "sim"})
    with pytest.raises(DesiredStateError) as caught:
        await plan_for(sim, [dropping])
    assert caught.value.problems == (
        "'ServiceNow': the update removes credentials the tenant has: password (keep them, "
        "e.g. as placeholders, or allow credential removal)",
    )
    allowed = await plan_for(sim, [dropping], allow_credential_removal=True)
    (action,) = allowed.actions
    assert action.removes_credentials == ("password",)
    assert "    ! removes credentials: password" in allowed.render().splitlines()
    assert allowed.to_dict()["actions"][0]["removes_credentials"] == ["password"]
    assert SECRET not in allowed.render() + allowed.to_json() + repr(allowed)
    # Keeping the credential as a placeholder is no removal.
    kept = servicenow(attributes={"instance": "acme", "username": "sim", "password": "${SIM_P}"})
    assert not (await plan_for(sim, [kept], secrets={"SIM_P": SECRET})).has_changes


# --- prune, unmanaged, id maps ---


async def test_the_plan_lists_integrations_no_file_mentions(
    fake: FakeSimServer, sim: SimClient
) -> None:
    fake.add_integration({"name": "kept"})
    fake.add_integration({"name": "other"})
    result = await plan_for(sim, [{"name": "kept"}])
    assert [(item.name, item.integration_id) for item in result.unmanaged] == [
        ("other", next(i for i, v in fake.integrations.items() if v["name"] == "other"))
    ]
    assert "Not in the desired state, left as they are (1):" in result.render()
    assert result.to_dict()["unmanaged"][0]["name"] == "other"


async def test_prune_refuses_to_delete_more_than_max_deletes_or_everything(
    fake: FakeSimServer, sim: SimClient
) -> None:
    for i in range(4):
        fake.add_integration({"name": f"n{i}"})
    with pytest.raises(DesiredStateError, match="would delete 3 integrations, more than the 2"):
        await plan_for(sim, [{"name": "n0"}], prune=True, max_deletes=2)
    assert len((await plan_for(sim, [{"name": "n0"}], prune=True, max_deletes=3)).changes) == 3
    with pytest.raises(DesiredStateError, match="would delete every integration of the tenant"):
        await plan_for(sim, [], prune=True, max_deletes=100)
    everything = await plan_for(sim, [], prune=True, allow_delete_all=True)
    assert [a.kind for a in everything.actions] == ["delete"] * 4
    assert writes(fake) == []


async def test_blank_named_integrations_are_never_pruned_and_are_listed() -> None:
    listing = [
        {"id": "1", "name": "kept", "description": "", "type": "ServiceNowSDIM", "attributes": {}},
        {"id": "2", "name": "drop", "description": "", "type": "ServiceNowSDIM", "attributes": {}},
        {"id": "3", "name": "   ", "description": "", "type": "ServiceNowSDIM", "attributes": {}},
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=listing)

    async with SimClient(
        "http://127.0.0.1", token="t", transport=httpx.MockTransport(answer)
    ) as sim:
        result = await plan_for(sim, [{"name": "kept"}], prune=True)
        alone = await plan_for(sim, [], prune=True, allow_delete_all=True)
    assert [(a.kind, a.name) for a in result.actions] == [("delete", "drop"), ("unchanged", "kept")]
    assert [(item.name, item.integration_id) for item in result.unmanaged] == [("   ", "3")]
    assert "(blank name)" in result.render()
    assert [a.integration_id for a in alone.actions] == ["2", "1"]


async def test_id_map_entries_that_match_nothing_are_warnings_or_errors_when_strict(
    fake: FakeSimServer, sim: SimClient
) -> None:
    desired = [{"name": "A", "ownerRef": {"type": "IDENTITY", "id": "owner-a"}}]
    ids = {"owner-a": "owner-b", "typo-id": "x"}
    result = await plan_for(sim, desired, id_map=ids)
    assert result.warnings == ("id_map: 'typo-id' matches no reference in the desired state",)
    assert "Warning: id_map: 'typo-id' matches no reference" in result.render()
    assert result.to_dict()["warnings"] == list(result.warnings)
    with pytest.raises(DesiredStateError, match="'typo-id' matches no reference"):
        await plan_for(sim, desired, id_map=ids, strict=True)


# --- escaping ---


HOSTILE = "evil\x1b[2J\rPlan: 0 to create\x85\x9b31m\x7f\u2028"


async def test_server_text_is_escaped_in_every_rendered_output(fake: FakeSimServer) -> None:
    fake.add_integration({"name": HOSTILE, "description": HOSTILE})
    async with fake.client() as sim:
        result = await plan_for(sim, [{"name": HOSTILE, "description": "calm"}])
        applied = await sim.apply(result)
    texts = [
        result.render(),
        result.to_json(),
        applied.to_json(),
        *(outcome.render() for outcome in applied.outcomes),
        json.dumps(result.to_dict(), ensure_ascii=True),
    ]
    for text in texts:
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028]", text), text
    assert "evil\\x1b[2J\\rPlan: 0 to create\\x85\\x9b31m\\x7f\\u2028" in result.render()
    assert json.loads(result.to_json())["actions"][0]["name"] == HOSTILE


# --- the client, through a protocol only ---


def test_desired_never_imports_the_client() -> None:
    package = Path(__file__).resolve().parents[2] / "sim_client" / "desired"
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "sim_client.client", source
                assert not (
                    node.module == "sim_client" and "SimClient" in {a.name for a in node.names}
                )
            if isinstance(node, ast.Import):
                assert all(alias.name != "sim_client.client" for alias in node.names), source


async def test_a_plain_object_with_the_protocols_methods_is_a_client() -> None:
    class Record:
        def __init__(self, data: dict[str, Any]) -> None:
            self.id = data["id"]
            self.data = data

        def to_dict(self) -> dict[str, Any]:
            return dict(self.data)

    class Tenant:
        base_url = "https://acme.example/beta"

        async def list_integrations(self) -> list[Record]:
            return [Record({"id": "1", "name": "A", "description": "x"})]

    result = await plan_for(Tenant(), [{"name": "A", "description": "y"}])  # type: ignore[arg-type]
    assert [(a.kind, a.integration_id) for a in result.actions] == [("update", "1")]
    assert result.base_url == "https://acme.example/beta"


# --- stable placeholder names ---


async def test_deleting_an_integration_never_gives_another_its_placeholder_name(
    fake: FakeSimServer, sim: SimClient
) -> None:
    first = fake.add_integration({"name": "A-B", "attributes": {"password": "one"}})["id"]
    fake.add_integration({"name": "A B", "attributes": {"password": "two"}})
    fake.add_integration({"name": "C", "attributes": {"password": "three"}})

    async def names() -> dict[str, str]:
        return {d["name"]: d["attributes"]["password"] for d in await export_integrations(sim)}

    before = await names()
    assert before["C"] == "${SIM_C_PASSWORD}"
    assert re.fullmatch(r"\$\{SIM_A_B_PASSWORD_[0-9A-F]{6}\}", before["A-B"])
    assert re.fullmatch(r"\$\{SIM_A_B_PASSWORD_[0-9A-F]{6}\}", before["A B"])
    assert before["A-B"] != before["A B"]
    assert await names() == before  # stable run after run
    await sim.delete_integration(first)
    after = await names()
    assert after["A B"] not in (before["A-B"],)
    assert after["C"] == before["C"]


# --- arguments ---


async def test_bad_limits_and_prefixes_are_refused_before_any_request(
    fake: FakeSimServer, sim: SimClient
) -> None:
    for bad in (-1, True, 1.5):
        with pytest.raises(ValueError, match="max_deletes must be an integer >= 0"):
            await plan_for(sim, [], max_deletes=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be booleans"):
        await plan_for(sim, [], allow_delete_all="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not one string"):
        await plan_for(sim, [], placeholder_prefixes="SIM_")
    with pytest.raises(ValueError, match="at least one prefix"):
        await plan_for(sim, [], placeholder_prefixes=())
    assert fake.requests == []


async def test_an_integer_too_long_for_json_in_memory_is_a_desired_state_error(
    fake: FakeSimServer, sim: SimClient
) -> None:
    with pytest.raises(DesiredStateError) as caught:
        await plan_for(sim, [{"name": "A", "attributes": {"n": 10**5000}}])
    assert caught.value.problems == (
        "desired[0]: attributes.n: is an integer of more than 4300 digits",
    )
    assert fake.requests == []


async def test_a_missing_placeholder_of_a_file_is_named_with_its_place(
    fake: FakeSimServer, sim: SimClient, tmp_path: Path
) -> None:
    source = tmp_path / "d.yaml"
    source.write_text("- name: A\n  attributes:\n    password: ${SIM_MISSING}\n")
    documents = load_documents([source])
    with pytest.raises(DesiredStateError) as caught:
        await plan_for(sim, documents, secrets={})
    assert caught.value.problems == (
        f"{source}:3:5: attributes.password: ${{SIM_MISSING}} is not set",
    )
    assert fake.requests == []


async def test_the_client_method_plan_takes_every_option_of_desired_plan(
    fake: FakeSimServer, sim: SimClient
) -> None:
    for i in range(3):
        fake.add_integration({"name": f"n{i}"})
    with pytest.raises(DesiredStateError, match="would delete 2 integrations, more than the 1"):
        await sim.plan([{"name": "n0"}], prune=True, max_deletes=1)
    everything = await sim.plan([], prune=True, allow_delete_all=True)
    assert [a.kind for a in everything.actions] == ["delete"] * 3
    assert writes(fake) == []
