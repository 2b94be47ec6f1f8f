"""Files in and out: the desired-state sources (files, directories, ``-`` for stdin) and the
atomic, private write of an export or a saved plan."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"


class FileProblem(click.ClickException):
    """A source or target that cannot be used (exit code 1)."""


def desired_files(sources: Sequence[str]) -> list[str]:
    """The files ``sources`` name, in order: a directory stands for its ``.yaml``, ``.yml``
    and ``.json`` files (sorted; hidden ones left out); ``-`` for stdin, at most once."""
    files: list[str] = []
    if list(sources).count(STDIN) > 1:
        raise FileProblem("- (stdin) can be given once")
    for source in sources:
        path = Path(source)
        if source != STDIN and path.is_dir():
            found = sorted(
                str(child)
                for child in path.iterdir()
                if child.suffix.lower() in SUFFIXES
                and not child.name.startswith(".")
                and child.is_file()
            )
            if not found:
                raise FileProblem(f"{source}: a directory without .yaml, .yml or .json files")
            files += found
        else:
            files.append(source)
    return files


@contextlib.contextmanager
def readable(files: Sequence[str]) -> Iterator[tuple[list[str], str | None]]:
    """The files as paths the loader reads, with stdin's text in a private temporary file;
    yields (paths, that file's path or None) so that messages can name it ``-``."""
    if STDIN not in files:
        yield list(files), None
        return
    text = sys.stdin.read()
    with tempfile.TemporaryDirectory(prefix="sim-client-") as directory:
        path = Path(directory) / "stdin.yaml"
        path.write_text(text, encoding="utf-8")
        yield [str(path) if name == STDIN else name for name in files], str(path)


def refuse_existing(path: Path, *, force: bool) -> None:
    """FileProblem if ``path`` exists (as anything, a dangling symlink too) and not ``force``."""
    if not force and os.path.lexists(path):
        raise FileProblem(f"{path} exists; pass --force to overwrite it")


def write_private(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file in the same directory, then a
    rename) with mode 0600. An existing ``path`` (a symlink included, which is replaced, never
    followed) is refused unless ``force``."""
    refuse_existing(path, force=force)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise FileProblem(f"{path}: cannot write there: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if force:
            os.replace(temporary, path)
        else:
            _link(temporary, path)
    except OSError as error:
        raise FileProblem(f"{path}: cannot write: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _link(temporary: str, path: Path) -> None:
    """Give the written file its name unless the name was taken meanwhile."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileProblem(f"{path} exists; pass --force to overwrite it") from None
    except OSError:  # a file system without hard links
        if os.path.lexists(path):
            raise FileProblem(f"{path} exists; pass --force to overwrite it") from None
        os.replace(temporary, path)
