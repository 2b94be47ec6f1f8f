"""``python -m scripts.bench.burst`` runs end to end on a tiny configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.loopback
def test_the_burst_benchmark_runs_and_counts_the_429s(tmp_path: Path) -> None:
    out = tmp_path / "burst.json"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scripts.bench.burst", "--limit", "5/1"),
            *("--gets", "12", "--creates", "4", "--json", str(out)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "burst under the limit: the fake allows 5 requests per 1 s per client" in result.stdout
    phases = json.loads(out.read_text())["phases"]
    assert [p["calls"] for p in phases] == [12, 5]
    gets = phases[0]
    assert gets["floor"] == 2.0  # three windows of five
    assert gets["target"] == pytest.approx(1.15 * 2 + 2)
    assert gets["sent"] >= gets["calls"] >= 1
    assert 0 <= gets["rate_limited"] <= gets["sent"]
    assert gets["pass"] == (
        gets["failures"] == 0
        and gets["seconds"] <= gets["target"]
        and gets["rate_limited_share"] <= 0.05
    )
