"""The fenced code blocks of the README, CONTRIBUTING.md and docs/, for the tests that run them.

Blocks in ``python`` run against the fake; ``console`` blocks (``$ command`` lines, each
followed by its shown output) run in bash against the fake. A block that is not runnable by
design carries the marker ``<!-- not run: REASON -->`` on the line before its fence; every
``sh``/``bash`` block must carry it (the tests count them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = frozenset({"python", "console"})
"""The languages whose blocks are run."""
SHELL = frozenset({"sh", "bash", "shell"})
"""Languages that look runnable: such a block must be run (write it as console) or marked."""

_FENCE = re.compile(r"^(?P<indent> *)```(?P<language>[\w-]*)\s*$")
_NOT_RUN = re.compile(r"^\s*<!-- not run: (?P<reason>.+?) -->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text, why it is not run (if not)."""

    path: str
    line: int
    language: str
    code: str
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def documents() -> list[Path]:
    """Every Markdown page whose blocks are checked."""
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
    return pages + sorted((ROOT / "docs").rglob("*.md"))


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of one page, dedented to their fence."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening or not opening["language"]:
            index += 1
            continue
        indent = opening["indent"]
        end = index + 1
        while end < len(lines) and lines[end] != f"{indent}```":
            end += 1
        if end == len(lines):
            raise ValueError(f"{path}:{index + 1}: the fence is never closed")
        body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
        previous = next((line for line in reversed(lines[:index]) if line.strip()), "")
        marker = _NOT_RUN.match(previous)
        found.append(
            Block(
                path=path.relative_to(ROOT).as_posix(),
                line=index + 1,
                language=opening["language"],
                code="\n".join(body) + "\n",
                not_run=marker["reason"] if marker else None,
            )
        )
        index = end + 1
    return found


def all_blocks() -> list[Block]:
    return [block for page in documents() for block in blocks(page)]


@dataclass(frozen=True)
class Command:
    """One ``$ command`` of a console block and the output shown under it."""

    block: Block
    line: int
    command: str
    expected: str


def commands(block: Block) -> list[Command]:
    """The commands of a console block; a line ending in ``\\`` continues the command."""
    found: list[Command] = []
    lines = block.code.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("$ "):
            raise ValueError(f"{block.where}: output before the first command")
        start = index
        command = lines[index][2:]
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command = command[:-1] + "\n" + lines[index]
        index += 1
        output: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        text = "\n".join(output)
        found.append(Command(block, block.line + 1 + start, command, text + "\n" if text else ""))
    return found
