"""The benchmark's verdicts and tables: the terminal table and ``BENCHMARKS.md``'s results."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contenders import RAW, RAW_AIOHTTP, SDK, SHORT_NAMES, SIM, SIM_AIOHTTP
from .plot import Ratio
from .redis_store import describe as describe_redis_store

MET, NOT_MET, NOT_AVAILABLE = "met", "not met", "n/a"
BEGIN = "<!-- bench results: begin (written by `make bench`) -->"
END = "<!-- bench results: end -->"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    at_most: bool  # True: measured <= limit is met; False: measured >= limit
    anchor: str  # what the issue measured when it was filed
    unit: str = "x"  # "x": a ratio; "%": a percentage; "": a count


def evaluate(
    targets: Sequence[Target], measured: Mapping[str, float | None]
) -> dict[str, dict[str, Any]]:
    """Each target with its measured figure and whether it is met (``n/a`` if not measured)."""
    verdicts: dict[str, dict[str, Any]] = {}
    for target in targets:
        value = measured.get(target.key)
        if value is None:
            status = NOT_AVAILABLE
        elif target.at_most:
            status = MET if value <= target.limit else NOT_MET
        else:
            status = MET if value >= target.limit else NOT_MET
        verdicts[target.key] = {
            "label": target.label,
            "target": f"{'<=' if target.at_most else '>='} {target.limit:g}{target.unit}",
            "limit": target.limit,
            "at_most": target.at_most,
            "anchor": target.anchor,
            "measured": value,
            "unit": target.unit,
            "status": status,
        }
    return verdicts


def shown(verdict: Mapping[str, Any]) -> str:
    value = verdict["measured"]
    if value is None:
        return NOT_AVAILABLE
    if verdict["unit"] == "x":
        return f"{value:.2f}x"
    if verdict["unit"] == "%":
        return f"{value:+.1f}%"
    return f"{value:.0f}"


def plot_ratios(verdicts: Mapping[str, Mapping[str, Any]]) -> list[Ratio]:
    """The measured ratios for the plot; a percentage is shown as the ratio 1 + p/100."""
    ratios = []
    for verdict in verdicts.values():
        value = verdict["measured"]
        if value is None or verdict["unit"] == "":
            continue
        limit, label = verdict["limit"], verdict["label"]
        if verdict["unit"] == "%":
            value, limit = 1 + value / 100, 1 + limit / 100
            label += " (time with/without)"
        ratios.append(Ratio(label, value, limit, verdict["at_most"]))
    return ratios


# The terminal.


def render(results: Mapping[str, Any]) -> str:
    info = results["machine"]
    packages = info["packages"]
    lines = [
        f"sim_client benchmark ({'quick' if results['config']['quick'] else 'full'}), "
        f"{results['generated_at']}",
        f"{info['cpu_model']}, {info['cpus_usable']} CPUs usable, load {info['load_average']}, "
        f"{info['platform']}",
        f"{info['python']}, "
        + ", ".join(f"{name} {version}" for name, version in packages.items()),
        f"rate limit: {results['rate_limit']}",
        "",
    ]
    per_call = results["per_call"]
    sizes = per_call["response_bytes"]
    for key, title in (
        ("get_integration", f"get_integration ({sizes['get']} B)"),
        ("list_integrations", f"list_integrations (100 items, {sizes['list']} B)"),
    ):
        lines.append(f"Per call, in-process transport: {title}")
        lines.append(f"  {'contender':<36}{'median us':>12}{'vs raw':>9}")
        for name, row in per_call[key].items():
            label = name if name in (RAW, SIM) else f"({name})"
            lines.append(f"  {label:<36}{row['median_us']:>12.1f}{row['ratio']:>8.2f}x")
        lines.append("")
    lines.append("  (rows in parentheses are references for the cost of decoding, not contenders)")
    lines.append("")
    throughput = results["throughput"]
    for key, title in (
        ("get", "GET one integration"),
        ("list_100", "GET the list of 100"),
        ("list_1000", "GET the list of 1,000"),
    ):
        lines.append(f"Throughput over loopback (server in its own process): {title}")
        lines.extend(_levels(throughput[key]))
        lines.append("")
    sdk = results.get("sdk")
    if sdk:
        lines.append(f"{SDK}: {sdk['contender']}, {_sdk_versions(sdk)}; as many threads as tasks")
        lines.append("")
    memory = results["memory"]
    lines.append(
        f"Memory: decoding {memory['items']:,} integrations ({memory['body_bytes'] / 1e6:.1f} MB)"
    )
    lines.append(f"  json.loads peak          {memory['json_loads_peak_bytes'] / 1e6:8.1f} MB")
    lines.append(
        f"  list_integrations peak   {memory['list_integrations_peak_bytes'] / 1e6:8.1f} MB"
        f"  ({memory['ratio']:.2f}x)"
    )
    lines.append("")
    limiter = results["rate_limiter"]
    lines.append("Rate limiter's cost per call, 64 tasks in-process")
    if limiter["available"]:
        for name, row in limiter["rows"].items():
            lines.append(f"  {name:<40}{row['rps']:>10.0f} req/s")
        lines.append(f"  cost per call {limiter['cost_percent']:+.1f}%")
    else:
        lines.append(f"  n/a: {limiter['reason']}")
    lines.append("")
    store = results["redis_store"]
    lines.append("Redis store's cost per call, 64 tasks in-process (informational)")
    if store["measured"]:
        for name, row in store["rows"].items():
            lines.append(
                f"  {name:<54}{row['rps']:>8.0f} req/s{store['us_per_call'][name]:>9.1f} us/call"
            )
    lines.append(f"  Redis store: {describe_redis_store(store)}")
    lines.append("")
    imp = results["import_time"]
    lines.append(f"Import time, median of {imp['runs']} fresh interpreters")
    lines.append(f"  import httpx, attrs  {imp['httpx_attrs_ms']:8.1f} ms")
    lines.append(f"  import sim_client    {imp['sim_client_ms']:8.1f} ms  ({imp['ratio']:.2f}x)")
    lines.append("")
    token = results["token_single_flight"]
    lines.append(
        f"Token single flight: {token['calls']} concurrent calls on a cold client -> "
        f"{token['token_requests']} token request(s)  {'OK' if token['ok'] else 'FAILED'}"
    )
    lines.append("")
    lines.append(f"Targets    {'figure':<62}{'target':>9}{'when filed':>18}{'now':>9}")
    for verdict in results["targets"].values():
        lines.append(
            f"  {verdict['status']:<9}{verdict['label']:<62}{verdict['target']:>9}"
            f"{verdict['anchor']:>18}{shown(verdict):>9}"
        )
    return "\n".join(lines)


def _sdk_versions(sdk: Mapping[str, Any]) -> str:
    return f"{sdk['interpreter']}, " + ", ".join(
        f"{name} {version}" for name, version in sdk["packages"].items()
    )


def _levels(levels: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """req/s and client CPU us per request of each contender at each level; failures if any."""
    names = list(next(iter(levels.values())))
    lines = [f"  {'tasks':>5}" + "".join(f"{SHORT_NAMES.get(n, n):>23}" for n in names)]
    lines.append(f"  {'':>5}" + f"{'req/s':>12}{'CPU us/req':>11}" * len(names))
    for level, rows in levels.items():
        cells = "".join(
            f"{rows[n]['rps']:>12.0f}{rows[n]['cpu_us_per_request']:>11.0f}" for n in names
        )
        failed = {SHORT_NAMES.get(n, n): rows[n]["failures"] for n in names if rows[n]["failures"]}
        lines.append(f"  {level:>5}{cells}" + (f"  FAILED CALLS {failed}" if failed else ""))
    return lines


# BENCHMARKS.md.


def render_markdown(results: Mapping[str, Any], plot: Path, markdown: Path) -> str:
    """The results section: the plot, the targets, the figures and the machine."""
    info = results["machine"]
    image = Path(os.path.relpath(plot.resolve(), markdown.resolve().parent)).as_posix()
    lines = [
        f"Run of {results['generated_at']} on commit `{info['git_commit']}`"
        + (" (with local changes)" if info["git_dirty"] else "")
        + f", {results['duration_s'] / 60:.1f} minutes.",
        "",
        f"![Throughput against concurrency, and the ratios against their targets]({image})",
        "",
        "| figure | target | when filed | now | |",
        "|---|---|---|---|---|",
    ]
    for verdict in results["targets"].values():
        lines.append(
            f"| {verdict['label']} | {verdict['target']} | {verdict['anchor']} "
            f"| {shown(verdict)} | {verdict['status']} |"
        )
    get = results["throughput"]["get"]
    names = [RAW_AIOHTTP, RAW, SIM_AIOHTTP, SIM] + ([SDK] if results.get("sdk") else [])
    header = ["tasks", *(SHORT_NAMES.get(name, name) for name in names)]
    for key, what in (
        ("rps", "requests per second"),
        ("cpu_us_per_request", "CPU microseconds of the client's process per request"),
    ):
        lines += [
            "",
            f"GET one integration over loopback, {what} (median of "
            f"{results['throughput']['passes']} passes):",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---:|" * len(header),
        ]
        for level, rows in get.items():
            cells = [level, *(f"{rows[name][key]:.0f}" for name in names)]
            lines.append("| " + " | ".join(cells) + " |")
    per_call = results["per_call"]
    memory = results["memory"]
    limiter = results["rate_limiter"]
    lines += [
        "",
        "In-process (canned transport), median microseconds per call:",
        "",
        "| | raw httpx + json.loads | SimClient | ratio |",
        "|---|---:|---:|---:|",
    ]
    for key in ("get_integration", "list_integrations"):
        rows = per_call[key]
        lines.append(
            f"| {key} | {rows[RAW]['median_us']:.1f} | {rows[SIM]['median_us']:.1f} "
            f"| {rows[SIM]['ratio']:.2f}x |"
        )
    lines += [
        "",
        f"- Memory: decoding {memory['items']:,} integrations "
        f"({memory['body_bytes'] / 1e6:.1f} MB of JSON) peaks at "
        f"{memory['list_integrations_peak_bytes'] / 1e6:.1f} MB against "
        f"{memory['json_loads_peak_bytes'] / 1e6:.1f} MB for `json.loads` "
        f"({memory['ratio']:.2f}x).",
        "- Rate limiter: "
        + (
            f"{limiter['cost_percent']:+.1f}% time per call at 64 tasks "
            "(`RateLimit(10**9, per=1.0)` against `rate_limit=None`)."
            if limiter["available"]
            else f"n/a ({limiter['reason']})."
        ),
        f"- Redis store (informational; 64 tasks in-process, `store=` a private `redis-server`): "
        f"{describe_redis_store(results['redis_store'])}.",
        f"- SimClient's rate limit in this run: {results['rate_limit']}.",
        f"- Import: `import sim_client` {results['import_time']['sim_client_ms']:.0f} ms, "
        f"`import httpx, attrs` {results['import_time']['httpx_attrs_ms']:.0f} ms.",
        "",
        f"Machine: {info['cpu_model']}, `nproc` {info['cpus_usable']}, load average "
        f"{' / '.join(str(value) for value in info['load_average'])} at the start; "
        f"{info['python']} on {info['platform']}; "
        + ", ".join(f"{name} {version}" for name, version in info["packages"].items())
        + ".",
    ]
    if results.get("sdk"):
        sdk = results["sdk"]
        lines[-1] += f" The SDK: {sdk['contender']}; {_sdk_versions(sdk)}."
    return "\n".join(lines)


def update_markdown(path: Path, section: str) -> None:
    """Replace what lies between the results markers of ``path`` (appended if absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text + ("\n" if text and not text.endswith("\n") else "") + block + "\n"
    path.write_text(text, encoding="utf-8")
