"""Filter ``uv export`` output (stdin) for ``make test-lowest``: drop the pins of the packages
whose ranges pyproject.toml declares for the core and its extras, so that ``uv pip install
--resolution lowest-direct`` picks the lowest version of each; every other pin is kept."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def ranged_packages() -> set[str]:
    """The normalised names of the core's and the extras' requirements."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names = set()
    for requirement in requirements:
        match = _NAME.match(requirement)
        if match and _normal(match.group()) != _normal(project["name"]):
            names.add(_normal(match.group()))
    return names


def main() -> None:
    dropped = ranged_packages()
    for line in sys.stdin:
        match = _NAME.match(line)
        if match and _normal(match.group()) in dropped:
            continue
        sys.stdout.write(line)


if __name__ == "__main__":
    main()
