"""Operator conveniences: export's safe write, desired state from directories and stdin,
``get``/``delete`` by name, and the service's text escaped in every output."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from sim_client import SimClient, SimIntegration
from sim_client.testing import FakeSimServer
from tests.unit.test_cli import ENV, HR, SAP, fake, no_terminal, run, writes

__all__ = ["fake", "no_terminal"]  # fixtures shared with test_cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_export_dash_writes_to_stdout_and_no_file(
    fake: FakeSimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("export", "-o", "-")
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["integrations"][0]["name"] == "SAP"
    assert list(tmp_path.iterdir()) == []


def test_export_writes_a_private_file_and_never_overwrites_without_force(
    fake: FakeSimServer, tmp_path: Path
) -> None:
    out = tmp_path / "tenant.yaml"
    assert run("export", "-o", out).exit_code == 0
    assert mode(out) == 0o600
    out.write_text("kept\n")
    fake.requests.clear()
    refused = run("export", "-o", out)
    assert refused.exit_code == 1
    assert fake.requests == []  # refused before the tenant is read
    assert refused.stderr == f"error: {out} exists; pass --force to overwrite it\n"
    assert out.read_text() == "kept\n"
    out.chmod(0o644)
    forced = run("export", "-o", out, "--force")
    assert forced.exit_code == 0
    assert "SAP" in out.read_text() and mode(out) == 0o600
    assert leftovers(tmp_path) == []


def test_export_does_not_follow_a_symlink(fake: FakeSimServer, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours\n")
    link = tmp_path / "tenant.yaml"
    link.symlink_to(elsewhere)
    refused = run("export", "-o", link)
    assert refused.exit_code == 1 and "exists; pass --force" in refused.stderr
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "missing.yaml")
    assert run("export", "-o", dangling).exit_code == 1
    assert not (tmp_path / "missing.yaml").exists()
    assert run("export", "-o", link, "--force").exit_code == 0
    assert elsewhere.read_text() == "not yours\n"
    assert not link.is_symlink() and "SAP" in link.read_text()


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(
    fake: FakeSimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tenant.yaml"
    out.write_text("old\n")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run("export", "-o", out, "--force")
    assert result.exit_code == 1
    assert result.stderr == f"error: {out}: cannot write: No space left on device\n"
    assert out.read_text() == "old\n"
    assert leftovers(tmp_path) == []


@pytest.fixture
def exported(fake: FakeSimServer, tmp_path: Path) -> list[dict[str, object]]:
    documents = yaml.safe_load(run("export").stdout)["integrations"]
    fake.requests.clear()
    return list(documents)


def test_desired_state_from_a_directory(
    fake: FakeSimServer, tmp_path: Path, exported: list[dict[str, object]]
) -> None:
    folder = tmp_path / "tenant"
    folder.mkdir()
    (folder / "sap.yaml").write_text(yaml.safe_dump([exported[0]]))
    (folder / "hr.json").write_text(json.dumps([exported[1]]))
    (folder / ".draft.yaml").write_text("- name: [not, read]\n")
    (folder / "README.md").write_text("# not read\n")
    result = run("plan", folder, env=ENV)
    assert result.stdout == "No changes. 2 integration(s) up to date.\n"
    assert result.exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("plan", empty).stderr == (
        f"error: {empty}: a directory without .yaml, .yml or .json files\n"
    )


def test_desired_state_from_stdin(
    fake: FakeSimServer, tmp_path: Path, exported: list[dict[str, object]]
) -> None:
    sap = tmp_path / "sap.yaml"
    sap.write_text(yaml.safe_dump([exported[0]]))
    from click.testing import CliRunner

    from sim_client.cli import cli

    text = yaml.safe_dump({"integrations": exported[1:]})
    result = CliRunner().invoke(cli, ["plan", str(sap), "-"], input=text, env=ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout == "No changes. 2 integration(s) up to date.\n"
    bad = CliRunner().invoke(cli, ["plan", "-"], input="- name: A\n  description: 1\n")
    assert bad.exit_code == 1
    assert (
        bad.stderr.splitlines()[1]
        == "  - <stdin>:2:3: description: must be a string, not an integer"
    )
    assert "sim-client-" not in bad.stderr  # not the temporary copy's name
    twice = run("plan", "-", "-")
    assert twice.stderr == "error: - (stdin) can be given once\n"


def test_get_and_delete_by_name(fake: FakeSimServer) -> None:
    (hr_id, sap_id) = fake.integrations
    shown = run("get", HR["name"])
    assert shown.exit_code == 0
    assert yaml.safe_load(shown.stdout)["id"] == hr_id
    deleted = run("delete", SAP["name"], "--yes")
    assert deleted.stdout == f"deleted {sap_id}\n"
    assert list(fake.integrations) == [hr_id]
    missing = run("get", "no such thing")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: NotFoundError: GET /beta/sim-integrations/no")


def test_a_name_of_several_integrations_needs_the_id(
    fake: FakeSimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = SimClient.list_integrations

    async def with_a_twin(self: SimClient) -> list[SimIntegration]:
        integrations = await listed(self)
        twin = {**integrations[1].to_dict(), "id": "twin-of-sap"}
        return [*integrations, SimIntegration.from_dict(twin)]

    monkeypatch.setattr(SimClient, "list_integrations", with_a_twin)
    result = run("delete", "SAP", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 2 integrations are named 'SAP' (")
    assert result.stderr.rstrip().endswith("); give the id")
    assert writes(fake) == []


EVIL = "evil\x1b]0;owned\x07\x9b31m\x85\nPlan: 0 to create, 0 to update, 0 to delete, 9 unchanged."


def test_the_services_text_is_escaped_in_every_output(fake: FakeSimServer, tmp_path: Path) -> None:
    fake.add_integration({"name": EVIL, "description": "d\x9b\x00"})
    outputs = [
        run("list"),
        run("list", "--json"),
        run("get", EVIL),
        run("get", EVIL, "--json"),
        run("export"),
        run("export", "--json"),
    ]
    keep = tmp_path / "keep.yaml"
    keep.write_text(yaml.safe_dump([dict(SAP)]))
    outputs += [
        run("plan", keep, "--prune", "--json"),
        planned := run("plan", keep, "--prune"),
        applied := run("apply", keep, "--prune", "--yes", env=ENV),
    ]
    for result in outputs:
        for text in (result.stdout, result.stderr):
            assert not any(
                0x80 <= ord(ch) <= 0x9F or (ord(ch) < 0x20 and ch != "\n") for ch in text
            ), (
                result,
                text,
            )
    forged = EVIL.split("\n")[1]
    assert not any(
        forged in line for line in planned.stdout.splitlines()[:-1] if "evil" not in line
    )
    assert forged not in planned.stdout.splitlines()
    assert "- delete evil\\x1b]0;owned\\x07\\x9b31m\\x85\\nPlan: 0" in planned.stdout
    assert "deleted evil\\x1b]0;owned" in applied.stdout
    # escaped, yet the same text for a program that reads it
    assert EVIL in [item["name"] for item in json.loads(outputs[1].stdout)]
    assert EVIL in [item["name"] for item in yaml.safe_load(outputs[4].stdout)["integrations"]]
    assert EVIL in [item["name"] for item in json.loads(outputs[5].stdout)["integrations"]]
