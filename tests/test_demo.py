"""`make demo` keeps working: the script runs its whole session against the fake and exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "scripts" / "demo.py"


def test_the_demo_runs_its_session_and_cleans_up() -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("created ") == 3
    assert "retrying GET /beta/sim-integrations in 1.00 s" in out
    assert "NotFoundError: status 404" in out
    assert "Disable becomes Modify" in out
    assert "0 integrations left" in out
    assert "token requests: 1" in out
    assert "fake-client-secret" not in out + result.stderr


def test_live_mode_needs_the_environment() -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO), "--live"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "SAIL_BASE_URL is not set" in result.stderr
