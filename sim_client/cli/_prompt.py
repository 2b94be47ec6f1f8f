"""Asking before a change: on stderr when stdin and stderr are a terminal, else on the
controlling terminal (``/dev/tty``); without any terminal, refused (pass ``--yes``).

stdout never carries a question: ``apply f.yaml > log`` still asks where the operator sees it.
"""

from __future__ import annotations

import sys
from typing import TextIO

import click

from ._output import printable

TTY = "/dev/tty"


class NoTerminal(click.ClickException):
    """There is nobody to ask (exit code 1)."""

    def __init__(self) -> None:
        super().__init__(
            "refusing to make changes without confirmation: there is no terminal to ask on "
            "(stdin and stderr are not one and /dev/tty cannot be opened); pass --yes to go ahead"
        )


def confirm(question: str) -> bool:
    """Whether the operator answers yes to ``question``; NoTerminal if nobody can answer."""
    question = f"{printable(question)} [y/N]: "
    if _is_terminal(sys.stdin) and _is_terminal(sys.stderr):
        return _ask(question, sys.stdin, sys.stderr)
    try:
        with open(TTY, encoding="utf-8") as answers, open(TTY, "w", encoding="utf-8") as out:
            return _ask(question, answers, out)
    except OSError:  # no controlling terminal (ENXIO), or none at all
        raise NoTerminal from None


def _ask(question: str, answers: TextIO, questions: TextIO) -> bool:
    questions.write(question)
    questions.flush()
    return answers.readline().strip().lower() in ("y", "yes")


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False
