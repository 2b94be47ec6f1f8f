"""`make demo` keeps working: the script runs its whole session against the fake and exits 0,
then its second act drives the real `sim-client` command against a served sample tenant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = [sys.executable, "-m", "scripts.demo"]


def test_the_demo_runs_its_session_and_cleans_up() -> None:
    result = subprocess.run(
        DEMO, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("created ") == 3
    assert "the service answered 429: holding every request for 2 s" in out
    assert "waiting 2.0 s for the rate limit (20 requests per 2 s)" in out
    assert ": 0 failed, 0 answered 429" in out
    assert "NotFoundError: status 404" in out
    assert "Disable becomes Modify" in out
    assert "0 integrations left" in out
    assert "token requests: 1" in out
    assert "fake-client-secret" not in out + result.stderr
    act_two = out[out.index("== act two") :]
    assert "$ sim-client export -o tenant.yaml\n  exported 2 integration(s)" in act_two
    assert "  |     password: ${SIM_SERVICENOW_HR_PASSWORD}\n" in act_two
    plan, apply, again = act_two.split("$ sim-client ")[2:]
    assert plan.startswith("plan tenant.yaml\n  ~ update ServiceNow - SAP  (")
    assert "unchanged.\n  (exit code 2)\n" in plan
    assert "  updated ServiceNow - SAP\n" in apply
    assert "Apply complete: 1 updated, 1 unchanged.\n  (exit code 0)\n" in apply
    assert "No changes. 2 integration(s) up to date.\n  (exit code 0)" in again
    assert "s4mple-Passw0rd" not in out + result.stderr


def test_live_mode_needs_the_environment() -> None:
    result = subprocess.run(
        [*DEMO, "--live"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "SAIL_BASE_URL is not set" in result.stderr
