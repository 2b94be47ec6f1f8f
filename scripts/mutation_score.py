"""Print the mutation score of each module from the results ``mutmut run`` left in ``mutants/``.

A mutant counts as killed when a test failed, timed out or crashed on it; one that no test
reaches counts as a survivor; one not run yet (``unchecked``, e.g. after its function changed)
is left out of the score. ``--survivors`` lists the surviving mutants' names as well.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = frozenset({"killed", "timeout", "segfault", "caught by type check"})


def main(argv: list[str]) -> int:
    metas = sorted(Path("mutants").glob("sim_client/**/*.py.meta"))
    if not metas:
        print("no mutation results: run `make mutation` first", file=sys.stderr)
        return 1
    print(f"{'module':<32} {'killed':>7} {'total':>6} {'score':>7} {'unchecked':>10}")
    survivors: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        checked = {key: status_by_exit_code[c] for key, c in codes.items() if c is not None}
        if not checked:
            continue
        killed = sum(status in KILLED for status in checked.values())
        survivors += sorted(key for key, status in checked.items() if status not in KILLED)
        module = str(meta.relative_to("mutants")).removesuffix(".py.meta").replace("/", ".")
        unchecked = len(codes) - len(checked)
        print(
            f"{module:<32} {killed:>7} {len(checked):>6} {killed / len(checked):>7.1%}"
            f" {unchecked:>10}"
        )
    if "--survivors" in argv:
        print("\nsurvivors:", *survivors, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
