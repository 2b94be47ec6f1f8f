"""Carrying out a plan from the command line: outcomes on stdout as they come, a progress bar
on stderr when it is a terminal, and Ctrl-C that stops new writes, lets those in flight end,
and says how far the apply got."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator

from rich.console import Console
from rich.progress import Progress

from sim_client.client import SimClient
from sim_client.desired import ApplyInterrupted, ApplyResult, Outcome, Plan, apply

from . import _logs
from ._output import console, line


class Interrupted(Exception):
    """Ctrl-C during an apply, once the writes in flight have ended: how far it got."""

    def __init__(self, result: ApplyResult) -> None:
        failed = len(result.failed)
        failures = f", {failed} failed" if failed else ""
        super().__init__(
            f"interrupted: {result.done} done{failures}, {result.not_started} not started; "
            "plan again"
        )


async def apply_plan(
    sim: SimClient, plan: Plan, *, concurrency: int, fail_fast: bool, show_outcomes: bool
) -> ApplyResult:
    """Apply ``plan``, printing each outcome (unless ``show_outcomes`` is false); raises
    :class:`Interrupted` after Ctrl-C, once the writes in flight have ended."""
    with _display(len(plan.changes)) as (progress, outcomes_on):

        def report(outcome: Outcome) -> None:
            if outcome.status == "unchanged":  # counted in the summary, no line of its own
                return
            if progress is not None:
                progress.advance(progress.task_ids[0])
            if show_outcomes:
                style = "red" if outcome.status in ("failed", "skipped") else "green"
                line(outcome.render(), style, to=outcomes_on)

        work = asyncio.ensure_future(
            apply(sim, plan, concurrency=concurrency, fail_fast=fail_fast, on_outcome=report)
        )
        with _stop_on_interrupt(work, to=progress.console if progress else console(stderr=True)):
            try:
                return await work
            except ApplyInterrupted as stopped:
                raise Interrupted(stopped.result) from None
            except asyncio.CancelledError:
                if not work.cancelled():
                    raise
                raise KeyboardInterrupt from None  # stopped before it began: nothing done


@contextlib.contextmanager
def _stop_on_interrupt(work: asyncio.Future[ApplyResult], *, to: Console) -> Iterator[None]:
    """Ctrl-C cancels ``work`` (the apply stops starting writes, waits for those in flight
    and raises ApplyInterrupted) instead of raising KeyboardInterrupt somewhere in the loop;
    the operator is told on stderr (or above the progress bar, ``to``)."""
    loop = asyncio.get_running_loop()

    told: list[bool] = []

    def stop() -> None:
        if not work.done() and not told:
            told.append(True)
            line("stopping: no new writes; waiting for those under way", "yellow", to=to)
        work.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


@contextlib.contextmanager
def _display(total: int) -> Iterator[tuple[Progress | None, Console]]:
    """A transient progress bar on stderr when it is a terminal (log records print above
    it); yields it and the console outcomes go to: stdout, or the bar's console when stdout
    is the very same terminal (so that lines print above the bar, not through it)."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield None, console()
        return
    with Progress(
        console=err, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as progress:
        progress.add_task("applying", total=total)
        with _logs.above(progress.console):
            yield progress, progress.console if _same_terminal() else console()


def _same_terminal() -> bool:
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno()))
    except (AttributeError, OSError, ValueError):
        return False
