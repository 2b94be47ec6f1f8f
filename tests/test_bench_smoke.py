"""``scripts/bench.py --quick`` runs end to end and writes every section (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scripts" / "bench.py"


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_the_quick_benchmark_writes_every_section(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Targets" in result.stdout
    results = json.loads(output.read_text(encoding="utf-8"))

    machine = results["machine"]
    for key in ("platform", "cpu_model", "cpu_count", "python", "httpx"):
        assert machine[key], key

    per_call = results["per_call"]
    for operation in ("get_integration", "list_integrations"):
        rows = per_call[operation]
        for contender in (
            "raw httpx + json.loads",
            "generated asyncio_detailed",
            "SimClient",
        ):
            assert positive(rows[contender]["median_us"]), (operation, contender)
            assert positive(rows[contender]["ratio"]), (operation, contender)

    throughput = results["throughput"]
    for operation in ("get", "list_100", "list_1000"):
        levels = throughput[operation]
        assert levels, operation
        for level in levels.values():
            assert set(level) == {
                "raw httpx + json.loads",
                "raw aiohttp + json.loads",
                "SimClient",
                "SimClient + AiohttpTransport",
            }
            for row in level.values():
                assert positive(row["rps"]), operation
                assert positive(row["cpu_us_per_request"]), operation
                assert row["failures"] == 0, operation

    imports = results["import_time"]
    assert positive(imports["httpx_attrs_ms"])
    assert positive(imports["sim_client_ms"])
    assert positive(imports["ratio"])

    token = results["token_single_flight"]
    assert token["calls"] == 1000
    assert token["token_requests"] == 1

    targets = results["targets"]
    assert set(targets) == {
        "get_integration",
        "list_integrations",
        "throughput_c64",
        "aiohttp_throughput_c64",
        "failures_c256",
        "import_time",
    }
    assert all(target["status"] in {"PASS", "MISS", "SKIP"} for target in targets.values())
