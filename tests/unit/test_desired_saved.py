"""Saved plans: kept as JSON without secrets, applied later exactly as reviewed, or refused."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sim_client import SimClient
from sim_client.desired import (
    DesiredStateError,
    StalePlanError,
    WrongTenantError,
    apply,
    load_saved_plan,
)
from sim_client.desired import plan as plan_for
from sim_client.testing import FakeSimServer

SECRET = "hunter2-do-not-print"
NEW_SECRET = "correct-horse-battery"


@pytest.fixture
def fake() -> FakeSimServer:
    fake = FakeSimServer()
    fake.add_integration(
        {"name": "HR", "description": "old", "attributes": {"user": "u", "password": SECRET}}
    )
    fake.add_integration({"name": "Gone", "description": "to prune"})
    fake.add_integration({"name": "Other", "description": "kept"})
    return fake


@pytest.fixture
async def sim(fake: FakeSimServer) -> AsyncIterator[SimClient]:
    async with fake.client() as client:
        yield client


DESIRED: list[dict[str, Any]] = [
    {"name": "HR", "description": "new", "attributes": {"user": "u", "password": "${SIM_HR_PW}"}},
    {"name": "New", "attributes": {"apiKey": "${SIM_NEW_KEY}"}},
    {"name": "Other", "description": "kept"},
]
SECRETS = {"SIM_HR_PW": NEW_SECRET, "SIM_NEW_KEY": "key-123456"}


async def saved_plan(sim: SimClient, tmp_path: Path) -> Path:
    made = await plan_for(sim, DESIRED, prune=True, secrets=SECRETS)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(made.to_saved()))
    return path


async def test_a_saved_plan_holds_no_secret_and_applies_exactly_as_reviewed(
    fake: FakeSimServer, sim: SimClient, tmp_path: Path
) -> None:
    path = await saved_plan(sim, tmp_path)
    text = path.read_text()
    for secret in (SECRET, NEW_SECRET, "key-123456"):
        assert secret not in text
    saved = json.loads(text)
    assert saved["format_version"] == 1
    assert saved["tenant"] == "http://127.0.0.1/beta"
    assert saved["api"] == "beta"
    assert sorted(saved["secrets"]) == ["SIM_HR_PW", "SIM_NEW_KEY"]
    by_name = {action["name"]: action for action in saved["actions"]}
    assert by_name["HR"]["document"]["attributes"]["password"] == "${SIM_HR_PW}"
    assert by_name["HR"]["assumed"]["state"]["description"] == "old"
    assert by_name["HR"]["assumed"]["state"]["attributes"]["password"] == "(sensitive)"
    assert len(by_name["HR"]["assumed"]["digest"]) == 64
    assert by_name["New"]["assumed"] is None
    assert by_name["Gone"]["action"] == "delete"

    loaded = load_saved_plan(path, secrets=SECRETS)
    assert loaded.saved
    assert [(a.kind, a.name) for a in loaded.actions] == [
        ("delete", "Gone"),
        ("update", "HR"),
        ("create", "New"),
        ("unchanged", "Other"),
    ]
    assert "~ update HR" in loaded.render()
    assert NEW_SECRET not in loaded.render() + loaded.to_json() + repr(loaded)
    result = await apply(sim, loaded)
    assert result.ok, result.to_dict()
    stored = {item["name"]: item for item in fake.integrations.values()}
    assert sorted(stored) == ["HR", "New", "Other"]
    assert stored["HR"]["attributes"] == {"user": "u", "password": NEW_SECRET}
    assert stored["New"]["attributes"] == {"apiKey": "key-123456"}
    # The same text works too, and reads the environment by default.
    assert load_saved_plan(text, secrets=SECRETS).actions == loaded.actions


async def test_a_saved_plan_is_refused_on_another_tenant(sim: SimClient, tmp_path: Path) -> None:
    path = await saved_plan(sim, tmp_path)
    other = FakeSimServer()
    other.add_integration({"name": "Gone"})
    async with other.client(base_url="http://127.0.0.9") as elsewhere:
        other.requests.clear()
        with pytest.raises(WrongTenantError, match=re.escape("made for http://127.0.0.1/beta")):
            await apply(elsewhere, load_saved_plan(path, secrets=SECRETS))
        assert other.requests == []
    assert [item["name"] for item in other.integrations.values()] == ["Gone"]


@pytest.mark.parametrize(
    "change",
    [
        {"name": "HR", "description": "edited meanwhile"},
        {"name": "Gone", "description": "edited meanwhile"},
        {"name": "HR", "attributes": {"user": "u", "password": "rotated"}},
    ],
)
async def test_a_saved_plan_is_refused_before_any_write_when_a_target_changed(
    fake: FakeSimServer, sim: SimClient, tmp_path: Path, change: dict[str, Any]
) -> None:
    path = await saved_plan(sim, tmp_path)
    target = next(i for i, item in fake.integrations.items() if item["name"] == change["name"])
    await sim.patch_integration(
        target,
        [{"op": "replace", "path": f"/{key}", "value": value} for key, value in change.items()],
    )
    before = json.dumps(fake.integrations, sort_keys=True)
    fake.requests.clear()
    with pytest.raises(StalePlanError, match="changed"):
        await apply(sim, load_saved_plan(path, secrets=SECRETS))
    assert [r.method for r in fake.requests if "/oauth/" not in r.path] == ["GET"]
    assert json.dumps(fake.integrations, sort_keys=True) == before


async def test_a_saved_plan_is_refused_when_a_create_now_exists(
    fake: FakeSimServer, sim: SimClient, tmp_path: Path
) -> None:
    path = await saved_plan(sim, tmp_path)
    fake.add_integration({"name": "New"})
    with pytest.raises(StalePlanError, match="'New' exists now"):
        await apply(sim, load_saved_plan(path, secrets=SECRETS))


async def test_loading_refuses_missing_or_different_secrets(sim: SimClient, tmp_path: Path) -> None:
    path = await saved_plan(sim, tmp_path)
    with pytest.raises(DesiredStateError) as caught:
        load_saved_plan(path, secrets={"SIM_HR_PW": "another value"})
    assert caught.value.problems == (
        "saved plan: ${SIM_HR_PW} has another value than when the plan was made; plan again",
        "saved plan: ${SIM_NEW_KEY} is not set",
    )
    assert "another value" not in "".join(caught.value.problems).replace("has another value", "")


def test_loading_refuses_what_is_not_a_saved_plan(tmp_path: Path) -> None:
    for text in ("{}", '{"format_version": 2}', "[1]", "{not json"):
        with pytest.raises(DesiredStateError):
            load_saved_plan(text if text.startswith("{") else _file(tmp_path, text))
    with pytest.raises(DesiredStateError, match="salt must be hex"):
        load_saved_plan(
            {
                "format_version": 1,
                "tenant": "http://x/beta",
                "salt": "zz",
                "secrets": {},
                "actions": [],
            }
        )


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(text)
    return path


async def test_a_plan_with_a_literal_credential_cannot_be_saved(
    fake: FakeSimServer, sim: SimClient
) -> None:
    made = await plan_for(sim, [{"name": "X", "attributes": {"password": "literal-pw"}}])
    with pytest.raises(DesiredStateError, match="a literal credential cannot be kept"):
        made.to_saved()
    assert "literal-pw" not in made.render()


async def test_unchanged_integrations_need_neither_placeholders_nor_placeholder_values(
    fake: FakeSimServer, sim: SimClient
) -> None:
    same_hr = {
        "name": "HR",
        "description": "old",
        "attributes": {"user": "u", "password": "${SIM_SAME}"},
    }
    literal_hr = {**same_hr, "attributes": {"user": "u", "password": SECRET}}
    for document, secrets in ((same_hr, {"SIM_SAME": SECRET}), (literal_hr, {})):
        made = await plan_for(
            sim, [document, {"name": "Other", "description": "v2"}], secrets=secrets
        )
        saved = made.to_saved()
        assert saved["secrets"] == {}
        assert SECRET not in json.dumps(saved)
        loaded = load_saved_plan(saved, secrets={})
        assert [a.kind for a in loaded.actions] == ["unchanged", "update"]
