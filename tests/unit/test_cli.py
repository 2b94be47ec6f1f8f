"""The ``sim-client`` command line: click's runner against the fake in-process, and the real
command as a subprocess against ``python -m sim_client.testing`` over loopback."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from sim_client import SimClient
from sim_client.cli import _prompt, cli
from sim_client.testing import FakeSimServer
from tests.loopback_helpers import PROXY_VARIABLES

SECRET = "hunter2-do-not-print"
HR: dict[str, Any] = {
    "name": "ServiceNow - HR",
    "description": "Tickets for HR",
    "attributes": {"instance": "acme.service-now.com", "password": SECRET},
    "ownerRef": {"type": "IDENTITY", "id": "owner-a", "name": "Ada"},
}
SAP: dict[str, Any] = {"name": "SAP", "description": "Tickets for SAP", "type": "ServiceNow"}
ENV = {"SIM_SERVICENOW_HR_PASSWORD": SECRET}


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No controlling terminal to ask on, whatever runs the tests."""
    monkeypatch.setattr(_prompt, "TTY", str(tmp_path / "no-tty"))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSimServer:
    """A fake tenant with two integrations, which ``SimClient.from_env()`` connects to."""
    fake = FakeSimServer()
    fake.add_integration(HR)
    fake.add_integration(SAP)

    def from_env(cls: type[SimClient], /, environ: Any = None, **options: Any) -> SimClient:
        return fake.client(**options)

    monkeypatch.setattr(SimClient, "from_env", classmethod(from_env))
    return fake


def run(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env=env)
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    return result


def writes(fake: FakeSimServer) -> list[str]:
    return [
        r.method
        for r in fake.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and "/oauth/" not in r.path
    ]


def test_list_prints_a_plain_table_when_piped_and_json_on_request(fake: FakeSimServer) -> None:
    result = run("list")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "name", "type", "description"]
    assert [row.split("  ")[1:2] for row in rows] != []
    assert "ServiceNow - HR" in rows[0] and "SAP" in rows[1]
    listed = json.loads(run("list", "--json").stdout)
    assert [item["name"] for item in listed] == ["ServiceNow - HR", "SAP"]
    assert set(listed[0]) == {"id", "name", "type", "description"}


def test_a_table_shows_control_characters_of_the_service_escaped(fake: FakeSimServer) -> None:
    fake.add_integration({"name": "evil\x1b]0;retitled\x07\x1b[2J", "description": "a\tb"})
    result = run("list")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "evil\\x1b]0;retitled\\x07\\x1b[2J" in result.stdout
    assert "a\\tb" in result.stdout


def test_get_masks_credentials(fake: FakeSimServer) -> None:
    (hr_id, _) = fake.integrations
    result = run("get", hr_id)
    assert result.exit_code == 0
    shown = yaml.safe_load(result.stdout)
    assert shown["id"] == hr_id
    assert shown["attributes"] == {"instance": "acme.service-now.com", "password": "(sensitive)"}
    assert json.loads(run("get", hr_id, "--json").stdout)["attributes"]["password"] == (
        "(sensitive)"
    )


def test_an_api_error_is_one_line_with_its_tracking_id_and_exit_code_1(
    fake: FakeSimServer,
) -> None:
    result = run("get", "does-not-exist")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: NotFoundError: GET /beta/sim-integrations/does-not")
    assert "tracking id " in result.stderr


def test_export_is_yaml_byte_identical_run_after_run(fake: FakeSimServer, tmp_path: Path) -> None:
    first = run("export")
    assert first.exit_code == 0
    assert run("export").stdout == first.stdout
    data = yaml.safe_load(first.stdout)
    assert [d["name"] for d in data["integrations"]] == ["SAP", "ServiceNow - HR"]
    assert data["integrations"][1]["attributes"]["password"] == "${SIM_SERVICENOW_HR_PASSWORD}"
    out = tmp_path / "tenant.yaml"
    written = run("export", "-o", out)
    assert written.stdout == ""
    assert written.stderr == f"exported 2 integration(s) to {out}\n"
    assert out.read_text() == first.stdout
    as_json = tmp_path / "tenant.json"
    run("export", "-o", as_json)
    assert json.loads(as_json.read_text()) == data


@pytest.fixture
def exported(fake: FakeSimServer, tmp_path: Path) -> Path:
    path = tmp_path / "tenant.yaml"
    assert run("export", "-o", path).exit_code == 0
    fake.requests.clear()
    return path


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new, 1))


def test_plan_exit_codes_and_diff(fake: FakeSimServer, exported: Path) -> None:
    unchanged = run("plan", exported, env=ENV)
    assert unchanged.exit_code == 0
    assert unchanged.stdout == "No changes. 2 integration(s) up to date.\n"
    edit(exported, "Tickets for SAP", "Tickets for SAP ERP")
    changed = run("plan", exported, env=ENV)
    assert changed.exit_code == 2
    lines = changed.stdout.splitlines()
    assert lines[0].startswith("~ update SAP  (")
    assert lines[1:] == [
        '    ~ description: "Tickets for SAP" -> "Tickets for SAP ERP"',
        "Plan: 0 to create, 1 to update, 0 to delete, 1 unchanged.",
    ]
    as_json = run("plan", exported, "--json", env=ENV)
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["summary"]["update"] == 1
    other_secret = run("plan", exported, "--json", env={"SIM_SERVICENOW_HR_PASSWORD": "x-new"})
    assert "x-new" not in other_secret.output
    assert json.loads(other_secret.stdout)["actions"][1]["changes"] == [
        {
            "path": "attributes.password",
            "op": "change",
            "before": "(sensitive)",
            "after": "(sensitive)",
        }
    ]
    assert writes(fake) == []


def test_plan_with_prune_and_an_id_map(fake: FakeSimServer, exported: Path, tmp_path: Path) -> None:
    only_hr = tmp_path / "hr.yaml"
    data = yaml.safe_load(exported.read_text())
    only_hr.write_text(yaml.safe_dump({"integrations": data["integrations"][1:]}))
    ids = tmp_path / "ids.yaml"
    ids.write_text("owner-a: owner-b\n")
    result = run("plan", only_hr, "--prune", "--id-map", ids, env=ENV)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0].startswith("- delete SAP  (")
    assert '    ~ ownerRef.id: "owner-a" -> "owner-b"' in result.stdout


def test_input_problems_are_all_reported_before_any_request(
    fake: FakeSimServer, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: A\n  description: 1\n- description: no name\n- name: A\n")
    result = run("plan", bad)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: 3 problems in the desired state:",
        f"  - {bad}:2:3: description: must be a string, not an integer",
        f"  - {bad}:3:3: name: is required",
        f"  - {bad}:4:3: name: 'A' is also the name of {bad}:1:3",
    ]
    assert fake.requests == []


def test_a_missing_placeholder_is_an_error(fake: FakeSimServer, exported: Path) -> None:
    result = run("plan", exported, env={"SIM_SERVICENOW_HR_PASSWORD": None})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        f"  - {exported}:11:5: attributes.password: ${{SIM_SERVICENOW_HR_PASSWORD}} is not set"
    )
    assert fake.requests == []


def test_file_problems_are_printed_with_file_line_and_column(
    fake: FakeSimServer, tmp_path: Path
) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text("integrations:\n  - name: SAP\n    atributes: {password: hunter3}\n")
    for command in (["plan"], ["apply", "--yes"]):
        result = run(*command, typo)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[1] == (
            f"  - {typo}:3:5: atributes: unknown field `atributes`; did you mean `attributes`?"
        )
        assert "hunter3" not in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("- name: [A\n")
    result = run("plan", broken)
    assert result.stderr.splitlines()[1].startswith(f"  - {broken}:2:1: not valid YAML: ")
    assert fake.requests == []


def test_usage_errors_exit_1_not_2(fake: FakeSimServer) -> None:
    result = run("plan")
    assert result.exit_code == 1
    assert "Missing argument" in result.stderr
    assert run("apply", "x.yaml", "--concurrency", "0").exit_code == 1


def test_apply_asks_first_and_refuses_without_a_terminal(
    fake: FakeSimServer, exported: Path
) -> None:
    edit(exported, "Tickets for SAP", "Tickets for SAP ERP")
    refused = run("apply", exported, env=ENV)
    assert refused.exit_code == 1
    assert "~ update SAP" in refused.stdout
    assert "there is no terminal to ask on" in refused.stderr
    assert refused.stderr.rstrip().endswith("pass --yes to go ahead")
    assert writes(fake) == []
    applied = run("apply", exported, "--yes", env=ENV)
    assert applied.exit_code == 0
    assert applied.stdout.splitlines()[-2:] == [
        "updated SAP",
        "Apply complete: 1 updated, 1 unchanged.",
    ]
    assert writes(fake) == ["PUT"]
    again = run("apply", exported, "--yes", env=ENV)
    assert again.exit_code == 0
    assert again.stdout == "No changes. 2 integration(s) up to date.\n"
    assert run("plan", exported, env=ENV).exit_code == 0


def test_apply_reports_failures_with_exit_code_1(fake: FakeSimServer, exported: Path) -> None:
    edit(exported, "Tickets for SAP", "Tickets for SAP ERP")
    fake.fail(400, method="PUT", body={"trackingId": "t-123", "messages": [{"text": "no"}]})
    result = run("apply", exported, "--yes", "--json", env=ENV)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    (failed,) = [o for o in data["result"]["outcomes"] if o["status"] == "failed"]
    assert failed["name"] == "SAP"
    assert failed["tracking_id"] == "t-123"
    assert failed["error"].startswith("BadRequestError: ")


def test_delete_asks_unless_yes(fake: FakeSimServer) -> None:
    (_, sap_id) = fake.integrations
    refused = run("delete", sap_id)
    assert refused.exit_code == 1
    assert writes(fake) == []
    deleted = run("delete", sap_id, "--yes")
    assert deleted.exit_code == 0
    assert deleted.stdout == f"deleted {sap_id}\n"
    assert list(fake.integrations) != [] and sap_id not in fake.integrations


def test_credentials_come_from_the_environment() -> None:
    result = run(
        "list",
        env={"SAIL_BASE_URL": None, "SAIL_CLIENT_ID": None, "SAIL_ACCESS_TOKEN": None},
    )
    assert result.exit_code == 1
    assert result.stderr == "error: SAIL_BASE_URL is not set\n"


# --- the real command, over loopback ---


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    """``python -m sim_client.testing --sample`` in its own process; its SAIL_* variables."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    server = subprocess.Popen(
        [sys.executable, "-m", "sim_client.testing", "--sample"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline().strip() for _ in range(3)]
        variables = dict(line.split("=", 1) for line in lines)
        assert sorted(variables) == ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET"]
        assert variables["SAIL_BASE_URL"].startswith("http://127.0.0.1:")
        yield {**env, **variables}
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0


SIM_CLIENT = str(Path(sys.executable).with_name("sim-client"))


def command(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [SIM_CLIENT, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text
        assert "s4mple-Passw0rd" not in text  # the sample tenant's password
        assert env["SAIL_CLIENT_SECRET"] not in text
    return result


@pytest.mark.loopback
def test_backup_drift_restore_with_the_real_command(served: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "backup.yaml"
    assert command(served, "export", "-o", backup).returncode == 0
    env = {**served, "SIM_SERVICENOW_HR_PASSWORD": "s4mple-Passw0rd"}
    assert command(env, "plan", backup).returncode == 0
    (hr,) = [i for i in json.loads(command(env, "list", "--json").stdout) if "HR" in i["name"]]
    assert command(env, "delete", hr["id"], "--yes").returncode == 0
    drift = command(env, "plan", backup)
    assert drift.returncode == 2
    assert "+ create ServiceNow - HR" in drift.stdout
    assert (
        '    + attributes: {"instance": "acme-dev.service-now.com", "password": "(sensitive)"'
        in (drift.stdout)
    )
    refused = command(env, "apply", backup)
    assert refused.returncode == 1
    restored = command(env, "apply", backup, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "created ServiceNow - HR" in restored.stdout
    assert command(env, "plan", backup).returncode == 0
    module = subprocess.run(
        [sys.executable, "-m", "sim_client", "plan", str(backup)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert module.returncode == 0
    assert module.stdout.startswith("No changes.")


def test_on_a_terminal_tables_colours_and_progress(fake: FakeSimServer, exported: Path) -> None:
    terminal = {"TTY_COMPATIBLE": "1", "COLUMNS": "120"}
    listed = run("list", env=terminal)
    assert listed.stdout.startswith("┏━")  # a rich table, not plain columns
    edit(exported, "Tickets for SAP", "Tickets for SAP ERP")
    applied = run("apply", exported, "--yes", env={**ENV, **terminal})
    assert applied.exit_code == 0
    assert "\x1b[33m~ update SAP" in applied.stdout  # the diff in colour
    assert "updated SAP" in applied.stdout  # outcomes on stdout, as in a pipe
    assert "applying" in applied.stderr and "100%" in applied.stderr  # the progress bar
    assert "updated SAP" not in applied.stderr
    assert "Apply complete: 1 updated, 1 unchanged." in applied.stdout


@pytest.mark.parametrize("answer", ["y", "n", ""])
def test_with_stdin_taken_the_question_goes_to_the_controlling_terminal(
    fake: FakeSimServer, exported: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    controller, terminal = os.openpty()
    try:
        monkeypatch.setattr(_prompt, "TTY", os.ttyname(terminal))
        os.write(controller, f"{answer}\n".encode())  # typed ahead
        edit(exported, "Tickets for SAP", "Tickets for SAP ERP")
        desired = exported.read_text()
        applied = CliRunner().invoke(cli, ["apply", "-"], input=desired, env=ENV)
        asked = ""
        while "[y/N]: " not in asked and select.select([controller], [], [], 5)[0]:
            asked += os.read(controller, 4096).decode()
    finally:
        os.close(terminal)
        os.close(controller)
    assert "Apply these 1 change(s)? [y/N]: " in asked
    assert "Apply these" not in applied.stdout + applied.stderr
    if answer == "y":
        assert applied.exit_code == 0, applied.output
        assert writes(fake) == ["PUT"]
    else:
        assert applied.exit_code == 1
        assert applied.stderr == "error: not confirmed; nothing applied\n"
        assert writes(fake) == []
