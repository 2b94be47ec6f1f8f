"""``python -m scripts.bench.main --quick`` runs end to end and writes every section, the plot and
the results section of a Markdown file (no timing asserted); the report's pieces on their own."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.bench import contenders, redis_store
from scripts.bench import main as bench_main
from scripts.bench.contenders import SDK, has_rate_limit
from scripts.bench.main import TARGETS, figures
from scripts.bench.report import BEGIN, END, evaluate, plot_ratios, update_markdown
from sim_client import SimClient, SimIntegration

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = {
    "raw httpx + json.loads",
    "raw aiohttp + json.loads",
    "SimClient",
    "SimClient + AiohttpTransport",
}


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_the_quick_benchmark_writes_every_section(tmp_path: Path) -> None:
    output, plot, markdown = tmp_path / "bench.json", tmp_path / "img" / "b.png", tmp_path / "B.md"
    markdown.write_text(f"# Benchmarks\n\nprose\n\n{BEGIN}\nold\n{END}\n\nmore prose\n")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scripts.bench.main", "--quick"),
            *("--output", str(output), "--plot", str(plot), "--markdown", str(markdown)),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Targets" in result.stdout
    assert "[bench " in result.stderr  # progress
    results = json.loads(output.read_text(encoding="utf-8"))

    machine = results["machine"]
    for key in ("platform", "cpu_model", "cpu_count", "python", "packages"):
        assert machine[key], key
    assert machine["packages"]["httpx"] != "not installed"

    per_call = results["per_call"]
    for operation in ("get_integration", "list_integrations"):
        for contender in ("raw httpx + json.loads", "SimClient"):
            assert positive(per_call[operation][contender]["median_us"]), (operation, contender)
            assert positive(per_call[operation][contender]["ratio"]), (operation, contender)

    throughput = results["throughput"]
    assert list(throughput["get"]) == ["1", "4"]
    for operation in ("get", "list_100", "list_1000"):
        for level in throughput[operation].values():
            assert set(level) == CONTENDERS
            for row in level.values():
                assert positive(row["rps"]), operation
                assert positive(row["cpu_us_per_request"]), operation
                assert row["failures"] == 0, operation
    assert "sdk" not in results  # no --peer-python

    memory = results["memory"]
    assert memory["items"] == 50
    assert positive(memory["json_loads_peak_bytes"])
    assert positive(memory["list_integrations_peak_bytes"])

    limiter = results["rate_limiter"]
    assert limiter["available"] is has_rate_limit()
    if limiter["available"]:
        assert isinstance(limiter["cost_percent"], float)
        assert all(positive(row["rps"]) for row in limiter["rows"].values())

    store = results["redis_store"]
    if store["measured"]:
        assert all(positive(row["rps"]) and row["failures"] == 0 for row in store["rows"].values())
        assert positive(store["round_trip_us"]) and isinstance(store["store_extra_us"], float)
    else:
        assert store["reason"], store
    assert f"Redis store: {redis_store.describe(store)}" in result.stdout

    imports = results["import_time"]
    assert positive(imports["httpx_attrs_ms"]) and positive(imports["sim_client_ms"])
    assert results["token_single_flight"]["token_requests"] == 1

    targets = results["targets"]
    assert set(targets) == {target.key for target in TARGETS}
    assert all(target["status"] in {"met", "not met", "n/a"} for target in targets.values())
    assert targets["sdk_c64"]["status"] == "n/a"
    assert (targets["limiter_cost"]["status"] == "n/a") is not has_rate_limit()
    assert targets["memory"]["measured"] == memory["ratio"]

    assert plot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nprose\n\n" + BEGIN)
    assert text.endswith(END + "\n\nmore prose\n")
    assert "old" not in text
    assert "](img/b.png)" in text
    assert "| get_integration in-process vs raw httpx + json.loads | <= 1.15x | 1.08-1.29x" in text


async def test_without_redis_server_the_redis_store_is_not_measured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(redis_store, "has_rate_limit", lambda: True)
    result = await redis_store.bench_redis_store(64, 1)
    assert result["measured"] is False
    assert redis_store.describe(result).startswith("not measured: redis-server not found")


def test_the_peer_benchmark_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.bench.peer", "--peer-python", "/nonexistent/python"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "no interpreter at /nonexistent/python" in result.stderr


def test_verdicts_compare_in_the_right_direction() -> None:
    verdicts = evaluate(
        TARGETS,
        {"aiohttp_c64": 0.49, "get_integration": 1.15, "memory": 2.6, "limiter_cost": 1.0},
    )
    assert verdicts["aiohttp_c64"]["status"] == "not met"  # at least 0.5
    assert verdicts["get_integration"]["status"] == "met"  # at most 1.15
    assert verdicts["memory"]["status"] == "not met"
    assert verdicts["limiter_cost"]["status"] == "met"
    assert verdicts["sdk_c16"]["status"] == "n/a"
    limiter = next(ratio for ratio in plot_ratios(verdicts) if "limiter" in ratio.label)
    assert (limiter.measured, limiter.target, limiter.met) == (1.01, 1.03, True)


def test_the_sdk_figures_come_from_the_same_levels() -> None:
    def level(rps: float, sdk: float | None = None) -> dict[str, Any]:
        rows = {name: {"rps": rps, "failures": 0} for name in CONTENDERS}
        if sdk is not None:
            rows[SDK] = {"rps": sdk, "failures": 0}
        return rows

    results: dict[str, Any] = {
        "per_call": {
            "get_integration": {"SimClient": {"ratio": 1.1}},
            "list_integrations": {"SimClient": {"ratio": 2.0}},
        },
        "throughput": {
            "get": {"16": level(900.0, 300.0), "64": level(1000.0, 400.0), "256": level(800.0)}
        },
        "import_time": {"ratio": 1.2},
        "memory": {"ratio": 2.0},
        "rate_limiter": {"available": False},
    }
    values = figures(results)
    assert values["sdk_c16"] == 3.0
    assert values["sdk_c64"] == 2.5
    assert values["sdk_c256"] is None
    assert values["limiter_cost"] is None
    assert values["failures_c256"] == 0


def test_update_markdown_appends_the_section_when_the_markers_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "B.md"
    path.write_text("# Benchmarks")
    update_markdown(path, "figures")
    assert path.read_text() == f"# Benchmarks\n{BEGIN}\nfigures\n{END}\n"
    update_markdown(path, "new figures")
    assert path.read_text() == f"# Benchmarks\n{BEGIN}\nnew figures\n{END}\n"


class _Throttled:
    """Stands in for a default rate limit far below the benchmark's load."""

    def __repr__(self) -> str:
        return "RateLimit(1, per=60.0)"


class _LimitedClient(SimClient):
    """A SimClient with a ``rate_limit`` argument whose default makes every call wait."""

    def __init__(self, *args: Any, rate_limit: object = _Throttled(), **options: Any) -> None:
        super().__init__(*args, rate_limit=None, **options)  # the test's own limit decides
        self.rate_limit = rate_limit

    async def get_integration(self, integration_id: str) -> SimIntegration:
        if isinstance(self.rate_limit, _Throttled):
            await asyncio.sleep(60)
        return await super().get_integration(integration_id)


async def test_a_default_rate_limit_below_the_load_is_replaced_by_one_above_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contenders, "SimClient", _LimitedClient)
    monkeypatch.setattr(contenders, "PROBE_SECONDS", 0.2)
    above = object()
    monkeypatch.setattr(contenders, "far_above_load", lambda: above)
    limiter = await contenders.choose_limiter()
    assert limiter.options == {"rate_limit": above}
    assert "RateLimit(1, per=60.0)" in limiter.description
    assert "RateLimit(10**9, per=1.0)" in limiter.description


async def test_a_default_rate_limit_that_keeps_up_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    class Roomy(_LimitedClient):
        def __init__(self, *args: Any, rate_limit: object = "roomy", **options: Any) -> None:
            super().__init__(*args, rate_limit=rate_limit, **options)

    class Off(_LimitedClient):
        def __init__(self, *args: Any, rate_limit: object = None, **options: Any) -> None:
            super().__init__(*args, rate_limit=rate_limit, **options)

    monkeypatch.setattr(contenders, "SimClient", Roomy)
    assert await contenders.choose_limiter() == contenders.Limiter({}, "the default: 'roomy'")
    monkeypatch.setattr(contenders, "SimClient", Off)
    assert await contenders.choose_limiter() == contenders.Limiter({}, "the default: off")


async def test_the_limiter_cost_compares_a_far_budget_with_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Roomy(_LimitedClient):
        def __init__(self, *args: Any, rate_limit: object = "roomy", **options: Any) -> None:
            super().__init__(*args, rate_limit=rate_limit, **options)

    made: list[object] = []

    def far() -> object:
        made.append(object())
        return made[-1]

    monkeypatch.setattr(contenders, "SimClient", Roomy)
    monkeypatch.setattr(bench_main, "has_rate_limit", lambda: True)
    monkeypatch.setattr(bench_main, "far_above_load", far)
    result = await bench_main.bench_limiter(bench_main.QUICK)
    assert result["available"] is True
    assert set(result["rows"]) == {bench_main.LIMITED, bench_main.UNLIMITED}
    assert all(positive(row["rps"]) for row in result["rows"].values())
    assert isinstance(result["cost_percent"], float)
    assert len(made) == 1  # one client with the far budget, the other with rate_limit=None
