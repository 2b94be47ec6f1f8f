"""The benchmark's picture: requests per second against concurrency, and the measured ratios
against their targets (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ratio:
    """One bar: a measured ratio, its target, and whether the target is a ceiling."""

    label: str
    measured: float
    target: float
    at_most: bool

    @property
    def met(self) -> bool:
        return self.measured <= self.target if self.at_most else self.measured >= self.target


def write_plot(
    path: Path,
    title: str,
    series: Mapping[str, Mapping[int, float]],
    ratios: Sequence[Ratio] = (),
) -> None:
    """``series`` maps each contender to its req/s at each concurrency level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if ratios:
        figure, (left, right) = plt.subplots(
            1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]}
        )
    else:
        figure, left = plt.subplots(figsize=(8, 5))
    levels = sorted({level for points in series.values() for level in points})
    for name, points in series.items():
        xs = sorted(points)
        left.plot(xs, [points[x] for x in xs], marker="o", label=name)
    left.set_xscale("log", base=2)
    left.set_xticks(levels, [str(level) for level in levels])
    left.set_xlabel("concurrency (asyncio tasks; threads for the SDK)")
    left.set_ylabel("GET one integration, requests per second")
    left.set_ylim(bottom=0)
    left.grid(True, alpha=0.3)
    left.legend(fontsize="small")
    left.set_title("Throughput over loopback (server in its own process)", fontsize="medium")
    if ratios:
        rows = list(reversed(ratios))
        positions = range(len(rows))
        right.barh(
            positions,
            [ratio.measured for ratio in rows],
            color=["tab:green" if ratio.met else "tab:red" for ratio in rows],
        )
        right.scatter(
            [ratio.target for ratio in rows],
            positions,
            marker="|",
            s=400,
            color="black",
            label="target",
            zorder=3,
        )
        right.set_yticks(list(positions), [ratio.label for ratio in rows], fontsize="small")
        right.set_xlabel("measured ratio (green: target met)")
        right.legend(fontsize="small", loc="lower right")
        right.grid(True, axis="x", alpha=0.3)
        right.set_title("Ratios against their targets", fontsize="medium")
    figure.suptitle(title, fontsize="medium")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
