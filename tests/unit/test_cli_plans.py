"""Plans from the command line: saved and applied later exactly as reviewed, bound to their
tenant; the prune limits, credential removal and id-map strictness as options."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim_client import SimClient
from sim_client.testing import FakeSimServer
from tests.unit.test_cli import ENV, SAP, edit, fake, no_terminal, run, writes

__all__ = ["fake", "no_terminal"]  # fixtures shared with test_cli


@pytest.fixture
def exported(fake: FakeSimServer, tmp_path: Path) -> Path:
    path = tmp_path / "tenant.yaml"
    assert run("export", "-o", path).exit_code == 0
    fake.requests.clear()
    return path


@pytest.fixture
def saved(fake: FakeSimServer, exported: Path, tmp_path: Path) -> Path:
    """A plan that updates SAP's description, saved."""
    edit(exported, "Tickets for SAP", "Tickets for SAP ERP")
    path = tmp_path / "plan.json"
    result = run("plan", exported, "-o", path, env=ENV)
    assert result.exit_code == 2
    assert result.stderr == f"saved the plan to {path}; apply it with: sim-client apply {path}\n"
    assert result.stdout.startswith("~ update SAP  (")
    return path


def test_a_saved_plan_is_private_json_bound_to_its_tenant(saved: Path) -> None:
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    data = json.loads(saved.read_text())
    assert data["format_version"] == 1
    assert data["tenant"] == f"{FakeSimServer.base_url}/beta"
    assert [a["action"] for a in data["actions"]] == ["update", "unchanged"]
    assert ENV["SIM_SERVICENOW_HR_PASSWORD"] not in saved.read_text()


def test_apply_carries_out_the_saved_plan_once(fake: FakeSimServer, saved: Path) -> None:
    applied = run("apply", saved, "--yes", env=ENV)
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.splitlines()[-2:] == [
        "updated SAP",
        "Apply complete: 1 updated, 1 unchanged.",
    ]
    (_, sap_id) = fake.integrations
    assert fake.integrations[sap_id]["description"] == "Tickets for SAP ERP"
    assert writes(fake) == ["PUT"]
    again = run("apply", saved, "--yes", env=ENV)  # its target has changed: by itself
    assert again.exit_code == 1
    assert "StalePlanError" in again.stderr
    assert writes(fake) == ["PUT"]


def test_a_saved_plan_is_refused_when_its_target_changed(fake: FakeSimServer, saved: Path) -> None:
    (_, sap_id) = fake.integrations
    changed = {
        k: v for k, v in fake.integrations[sap_id].items() if k not in ("id", "created", "modified")
    }
    changed["description"] = "edited in the console"

    async def edit_in_console() -> None:
        async with fake.client() as sim:
            await sim.update_integration(sap_id, changed)

    asyncio.run(edit_in_console())
    fake.requests.clear()
    refused = run("apply", saved, "--yes", env=ENV)
    assert refused.exit_code == 1
    assert "StalePlanError" in refused.stderr and "changed since the plan" in refused.stderr
    assert writes(fake) == []
    assert fake.integrations[sap_id]["description"] == "edited in the console"


def test_a_saved_plan_is_refused_on_another_tenant(
    fake: FakeSimServer, saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = FakeSimServer()
    other.add_integration(SAP)

    def from_env(cls: type[SimClient], /, environ: Any = None, **options: Any) -> SimClient:
        return other.client(base_url="https://other.example.com", **options)

    monkeypatch.setattr(SimClient, "from_env", classmethod(from_env))
    refused = run("apply", saved, "--yes", env=ENV)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: WrongTenantError: ")
    assert writes(other) == []
    assert other.requests == []


def test_a_saved_plan_is_applied_alone_and_as_saved(
    fake: FakeSimServer, saved: Path, exported: Path
) -> None:
    with_files = run("apply", saved, exported, "--yes", env=ENV)
    assert with_files.exit_code == 1 and "is a saved plan: apply it alone" in with_files.stderr
    with_prune = run("apply", saved, "--prune", "--yes", env=ENV)
    assert with_prune.exit_code == 1
    assert "--prune: a saved plan was made with its options already" in with_prune.stderr
    assert writes(fake) == []


def test_a_saved_plan_refuses_a_secret_other_than_the_planned_one(
    fake: FakeSimServer, exported: Path, tmp_path: Path
) -> None:
    edit(exported, "Tickets for HR", "Tickets for HR and IT")
    saved = tmp_path / "plan.json"
    assert run("plan", exported, "-o", saved, env=ENV).exit_code == 2
    other_secret = run(
        "apply", saved, "--yes", env={"SIM_SERVICENOW_HR_PASSWORD": "an0ther-Secret"}
    )
    assert other_secret.exit_code == 1
    assert "SIM_SERVICENOW_HR_PASSWORD" in other_secret.stderr
    assert "an0ther-Secret" not in other_secret.output
    assert writes(fake) == []
    assert run("apply", saved, "--yes", env=ENV).exit_code == 0
    assert writes(fake) == ["PUT"]


def test_plan_output_is_not_overwritten_without_force(
    fake: FakeSimServer, saved: Path, exported: Path
) -> None:
    before = saved.read_text()
    refused = run("plan", exported, "-o", saved, env=ENV)
    assert refused.exit_code == 1 and "exists; pass --force" in refused.stderr
    assert saved.read_text() == before
    assert run("plan", exported, "-o", saved, "--force", env=ENV).exit_code == 2
    dash = run("plan", exported, "-o", "-", env=ENV)
    assert dash.exit_code == 1 and "plan -o takes a file name" in dash.stderr


def only(exported: Path, tmp_path: Path, *names: str) -> Path:
    data = yaml.safe_load(exported.read_text())
    path = tmp_path / "some.yaml"
    path.write_text(yaml.safe_dump([d for d in data["integrations"] if d["name"] in names]))
    return path


def test_prune_limits_are_options(fake: FakeSimServer, exported: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump([{"name": "Brand new", "description": "x"}]))
    everything = run("plan", new, "--prune")
    assert everything.exit_code == 1
    assert (
        "delete every integration of the tenant (2); pass --allow-delete-all" in everything.stderr
    )
    too_many = run(
        "plan", only(exported, tmp_path, "SAP"), "--prune", "--max-deletes", "0", env=ENV
    )
    assert too_many.exit_code == 1
    assert "raise --max-deletes (or pass --allow-delete-all)" in too_many.stderr
    allowed = run("plan", new, "--prune", "--allow-delete-all")
    assert allowed.exit_code == 2
    assert "Plan: 1 to create, 0 to update, 2 to delete, 0 unchanged." in allowed.stdout
    assert writes(fake) == []


def test_unmanaged_integrations_and_the_unchanged_with_verbose(
    fake: FakeSimServer, exported: Path, tmp_path: Path
) -> None:
    sap = only(exported, tmp_path, "SAP")
    result = run("plan", sap)
    assert result.exit_code == 0
    (_, sap_id) = fake.integrations
    lines = result.stdout.splitlines()
    assert lines[0] == "No changes. 1 integration(s) up to date."
    assert lines[1] == "Not in the desired state, left as they are (1):"
    assert lines[2].startswith("  ServiceNow - HR  (")
    verbose = run("plan", sap, "-v")
    assert f"= unchanged SAP  ({sap_id})" in verbose.stdout.splitlines()


def test_credential_removal_needs_its_option(fake: FakeSimServer, exported: Path) -> None:
    edit(
        exported,
        "password: ${SIM_SERVICENOW_HR_PASSWORD}",
        "pasword: ${SIM_SERVICENOW_HR_PASSWORD}",
    )
    typo = run("plan", exported, env=ENV)
    assert typo.exit_code == 1
    assert typo.stderr.splitlines()[1:] == [
        "  - 'ServiceNow - HR': the update removes credentials the tenant has: password (keep "
        "them, e.g. as placeholders, or pass --allow-credential-removal)"
    ]
    allowed = run("plan", exported, "--allow-credential-removal", env=ENV)
    assert allowed.exit_code == 2
    assert "    ! removes credentials: password" in allowed.stdout.splitlines()
    assert writes(fake) == []


def test_strict_makes_an_unused_id_map_entry_an_error(
    fake: FakeSimServer, exported: Path, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.yaml"
    ids.write_text("nobody: somebody\n")
    warned = run("plan", exported, "--id-map", ids, env=ENV)
    assert warned.exit_code == 0
    assert "Warning: id_map: 'nobody' matches no reference in the desired state" in warned.stdout
    strict = run("plan", exported, "--id-map", ids, "--strict", env=ENV)
    assert strict.exit_code == 1
    assert "--id-map: 'nobody' matches no reference in the desired state" in strict.stderr
