"""The ``sim-client`` command line: argument parsing and printing over :mod:`sim_client.desired`.

Credentials come from ``SAIL_BASE_URL`` and ``SAIL_CLIENT_ID`` + ``SAIL_CLIENT_SECRET`` (or
``SAIL_ACCESS_TOKEN``). Exit codes: 0 success (``plan``: no changes), 2 ``plan`` found changes,
1 any error, reported as one message (with the tracking id of a failed API call), never a
traceback. Tables and colours only on a terminal; plain text when piped; ``--json`` for machines.
Needs the ``cli`` extra: ``pip install 'sim-client[cli]'``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

try:
    import click
    import yaml
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table
    from rich.text import Text
except ImportError as missing:  # pragma: no cover - the cli extra is installed wherever tests run
    raise SystemExit(
        f"sim-client needs the cli extra ({missing.name} is missing): pip install 'sim-client[cli]'"
    ) from None

from sim_client._version import __version__
from sim_client.client import SimClient
from sim_client.desired import (
    ApplyResult,
    DesiredStateError,
    Outcome,
    Plan,
    load_documents,
    load_id_map,
    masked,
)
from sim_client.errors import SimError

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
T = TypeVar("T")
_GET_ORDER = ("id", "name", "description", "type", "created", "modified")
_STYLES = {"+": "green", "-": "red", "~": "yellow", "=": "dim"}


class _Cli(click.Group):
    """A group whose every error ends as one message on stderr and exit code 1 (click's own
    usage errors included, whose code 2 would read as "the plan has changes")."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            error.show()
            code = EXIT_ERROR
        except (click.Abort, KeyboardInterrupt):
            _fail("aborted")
            code = EXIT_ERROR
        except DesiredStateError as error:
            _fail(str(error))
            code = EXIT_ERROR
        except SimError as error:
            _fail(f"{type(error).__name__}: {error}")
            code = EXIT_ERROR
        except (ValueError, TypeError, OSError) as error:
            _fail(str(error))
            code = EXIT_ERROR
        code = code if isinstance(code, int) else EXIT_OK
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str) -> None:
    _console(stderr=True).print(Text(f"error: {message}", style="red"))


def _console(*, stderr: bool = False) -> Console:
    """A console on the current stdout/stderr; colour and markup only on a terminal."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def _echo(text: str) -> None:
    click.echo(text)


def _run(work: Callable[[SimClient], Awaitable[T]]) -> T:
    """Run ``work`` with a client from the environment, in a fresh event loop."""

    async def main() -> T:
        async with SimClient.from_env() as sim:
            return await work(sim)

    return asyncio.run(main())


def _json_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")(
        function
    )


def _state_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--id-map",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML/JSON mapping of ids in FILE to ids of this tenant (promotion).",
    )(function)
    function = click.option(
        "--prune", is_flag=True, help="Delete integrations of the tenant that FILE leaves out."
    )(function)
    return click.argument(
        "files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
    )(function)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sim-client")
def cli() -> None:
    """Manage the SIM integrations of an Identity Security Cloud tenant, as code.

    Credentials: SAIL_BASE_URL and SAIL_CLIENT_ID + SAIL_CLIENT_SECRET (or SAIL_ACCESS_TOKEN).
    Exit codes: 0 ok / no changes, 2 plan found changes, 1 error.
    """


@cli.command("list")
@_json_option
def list_command(as_json: bool) -> int:
    """List the integrations: id, name, type, description."""
    integrations = _run(lambda sim: sim.list_integrations())
    rows = []
    for integration in integrations:
        wire = integration.to_dict()
        rows.append({key: wire.get(key) for key in ("id", "name", "type", "description")})
    if as_json:
        _echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _table(["id", "name", "type", "description"], rows)
    return EXIT_OK


@cli.command("get")
@click.argument("integration_id", metavar="ID")
@_json_option
def get_command(integration_id: str, as_json: bool) -> int:
    """Show one integration (credential values as "(sensitive)")."""
    integration = _run(lambda sim: sim.get_integration(integration_id))
    wire = integration.to_dict()
    first = [key for key in _GET_ORDER if key in wire]
    document = masked({key: wire[key] for key in [*first, *sorted(wire.keys() - set(first))]})
    _echo(json.dumps(document, indent=2, ensure_ascii=False) if as_json else _yaml(document))
    return EXIT_OK


@cli.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout (JSON if it ends in .json).",
)
@_json_option
def export_command(output: Path | None, as_json: bool) -> int:
    """Export every integration as desired-state YAML (credentials as ${SIM_...} placeholders)."""
    documents = _run(lambda sim: sim.export_integrations())
    data = {"integrations": documents}
    as_json = as_json or (output is not None and output.suffix.lower() == ".json")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n" if as_json else _yaml(data)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"exported {len(documents)} integration(s) to {output}", err=True)
    return EXIT_OK


@cli.command("plan")
@_state_options
@_json_option
def plan_command(files: Sequence[Path], prune: bool, id_map: Path | None, as_json: bool) -> int:
    """Show what apply would change; exit code 2 when there are changes."""
    plan = _plan(files, prune, id_map)
    if as_json:
        _echo(plan.to_json())
    else:
        _show_plan(plan)
    return EXIT_CHANGES if plan.has_changes else EXIT_OK


@cli.command("apply")
@_state_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=64),
    default=4,
    show_default=True,
    help="Actions run at the same time.",
)
@click.option("--fail-fast", is_flag=True, help="Start no further action after a failure.")
@_json_option
def apply_command(
    files: Sequence[Path],
    prune: bool,
    id_map: Path | None,
    yes: bool,
    concurrency: int,
    fail_fast: bool,
    as_json: bool,
) -> int:
    """Bring the tenant to the state in FILE (shows the plan, asks unless --yes)."""
    plan = _plan(files, prune, id_map)
    if not as_json:
        _show_plan(plan)
    if not plan.has_changes:
        if as_json:
            _echo(json.dumps({"plan": plan.to_dict(), "result": None}, indent=2))
        return EXIT_OK
    if not yes:
        _confirm(f"Apply these {len(plan.changes)} change(s)?")
    result = _run(lambda sim: _apply_with_progress(sim, plan, concurrency, fail_fast, as_json))
    if as_json:
        _echo(json.dumps({"plan": plan.to_dict(), "result": result.to_dict()}, indent=2))
    else:
        counts = ", ".join(f"{count} {status}" for status, count in result.summary().items())
        _echo(f"Apply {'complete' if result.ok else 'incomplete'}: {counts}.")
    return EXIT_OK if result.ok else EXIT_ERROR


@cli.command("delete")
@click.argument("integration_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking for confirmation.")
def delete_command(integration_id: str, yes: bool) -> int:
    """Delete one integration."""
    if not yes:
        integration = _run(lambda sim: sim.get_integration(integration_id))
        name = integration.to_dict().get("name")
        _confirm(f"Delete integration {_printable(integration_id)} ({_printable(str(name))})?")
    _run(lambda sim: sim.delete_integration(integration_id))
    click.echo(f"deleted {integration_id}")
    return EXIT_OK


def _plan(files: Sequence[Path], prune: bool, id_map_file: Path | None) -> Plan:
    """Read the files (every problem at once), then plan against the tenant."""
    documents = load_documents(files)
    id_map = load_id_map(id_map_file) if id_map_file is not None else None
    return _run(lambda sim: sim.plan(documents, prune=prune, id_map=id_map))


def _confirm(question: str) -> None:
    if sys.stdin is None or not sys.stdin.isatty():
        _fail(
            "refusing to make changes without confirmation: stdin is not a terminal; "
            "pass --yes to go ahead"
        )
        raise click.exceptions.Exit(EXIT_ERROR)
    if not click.confirm(question, default=False):
        raise click.Abort


async def _apply_with_progress(
    sim: SimClient, plan: Plan, concurrency: int, fail_fast: bool, quiet: bool
) -> ApplyResult:
    err = _console(stderr=True)
    out = _console()
    if quiet or not err.is_terminal:

        def report(outcome: Outcome) -> None:
            if not quiet:
                _print_outcome(out, outcome)

        return await sim.apply(
            plan, concurrency=concurrency, fail_fast=fail_fast, on_outcome=report
        )
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("applying", total=len(plan.changes))

        def advance(outcome: Outcome) -> None:
            progress.advance(task)
            _print_outcome(progress.console, outcome)

        return await sim.apply(
            plan, concurrency=concurrency, fail_fast=fail_fast, on_outcome=advance
        )


def _print_outcome(console: Console, outcome: Outcome) -> None:
    style = "red" if outcome.status in ("failed", "skipped") else "green"
    console.print(Text(outcome.render(), style=style))


def _show_plan(plan: Plan) -> None:
    console = _console()
    if not plan.has_changes:
        console.print(Text(f"No changes. {len(plan.actions)} integration(s) up to date."))
        return
    for line in plan.render().splitlines():
        marker = line.lstrip()[:1]
        style = "bold" if line.startswith("Plan:") else _STYLES.get(marker, "")
        console.print(Text(line, style=style))


def _table(columns: list[str], rows: list[dict[str, Any]]) -> None:
    console = _console()
    cells = [
        ["" if row.get(c) is None else _printable(str(row[c])) for c in columns] for row in rows
    ]
    if console.is_terminal:
        table = Table(*columns)
        for line in cells:
            table.add_row(*(Text(cell) for cell in line))
        console.print(table)
        return
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    for line in [columns, *cells]:
        _echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def _printable(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``): the service's text must not drive
    the terminal it is shown on, or a file's reader later."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def _yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def main(argv: Sequence[str] | None = None) -> None:
    """The ``sim-client`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="sim-client")
