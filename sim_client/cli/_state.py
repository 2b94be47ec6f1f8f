"""``export``, ``plan`` and ``apply``: the tenant as desired-state files, and back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from sim_client.desired import DesiredStateError, Plan, load_documents, load_id_map

from ._apply import apply_plan
from ._files import STDIN, desired_files, readable, write_private
from ._inspect import EXIT_ERROR, EXIT_OK, json_option
from ._output import console, line, message, to_json, to_yaml, write
from ._prompt import confirm
from ._session import Session, session_options

EXIT_CHANGES = 2
_STYLES = {"+": "green", "-": "red", "~": "yellow", "=": "dim"}


@click.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to this file (JSON if it ends in .json; mode 0600); - for stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@json_option
@session_options
def export_command(session: Session, output: Path | None, force: bool, as_json: bool) -> int:
    """Export every integration as desired-state YAML (credentials as ${SIM_...} placeholders)."""
    to_stdout = output is None or str(output) == STDIN
    if output is not None and not to_stdout and not force and output.is_symlink():
        raise click.ClickException(f"{output} exists; pass --force to overwrite it")
    documents = session.run(lambda sim: sim.export_integrations())
    data = {"integrations": documents}
    as_json = as_json or (not to_stdout and output is not None and output.suffix == ".json")
    text = to_json(data) + "\n" if as_json else to_yaml(data)
    if to_stdout or output is None:
        write(text)
    else:
        write_private(output, text, force=force)
        message(f"exported {len(documents)} integration(s) to {output}")
    return EXIT_OK


def state_options(function: Callable[..., int]) -> Callable[..., int]:
    function = click.option(
        "--id-map",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML/JSON mapping of ids in FILES to ids of this tenant (promotion).",
    )(function)
    function = click.option(
        "--prune", is_flag=True, help="Delete integrations of the tenant that FILES leave out."
    )(function)
    return click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))(
        function
    )


@click.command("plan")
@state_options
@json_option
@session_options
def plan_command(
    session: Session, files: Sequence[str], prune: bool, id_map: Path | None, as_json: bool
) -> int:
    """Show what apply would change; exit code 2 when there are changes.

    FILES: YAML or JSON files, directories of them, or - for stdin."""
    plan = make_plan(session, files, prune, id_map)
    if as_json:
        write(to_json(plan.to_dict()) + "\n")
    else:
        show_plan(plan, verbose=session.verbose)
    return EXIT_CHANGES if plan.has_changes else EXIT_OK


@click.command("apply")
@state_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=64),
    default=4,
    show_default=True,
    help="Actions run at the same time.",
)
@click.option("--fail-fast", is_flag=True, help="Start no further action after a failure.")
@json_option
@session_options
def apply_command(
    session: Session,
    files: Sequence[str],
    prune: bool,
    id_map: Path | None,
    yes: bool,
    concurrency: int,
    fail_fast: bool,
    as_json: bool,
) -> int:
    """Bring the tenant to the state in FILES (shows the plan, asks unless --yes).

    FILES: YAML or JSON files, directories of them, or - for stdin. Outcomes go to stdout,
    the question and progress to stderr (or the terminal). Ctrl-C stops starting new writes,
    waits for those under way and exits with 130."""
    plan = make_plan(session, files, prune, id_map)
    if not as_json:
        show_plan(plan, verbose=session.verbose)
    if not plan.has_changes:
        if as_json:
            write(to_json({"plan": plan.to_dict(), "result": None}) + "\n")
        return EXIT_OK
    if not yes and not confirm(f"Apply these {len(plan.changes)} change(s)?"):
        raise click.ClickException("not confirmed; nothing applied")
    result = session.run(
        lambda sim: apply_plan(
            sim, plan, concurrency=concurrency, fail_fast=fail_fast, show_outcomes=not as_json
        )
    )
    if as_json:
        write(to_json({"plan": plan.to_dict(), "result": result.to_dict()}) + "\n")
    else:
        counts = ", ".join(f"{count} {status}" for status, count in result.summary().items())
        line(f"Apply {'complete' if result.ok else 'incomplete'}: {counts}.")
    return EXIT_OK if result.ok else EXIT_ERROR


def make_plan(session: Session, sources: Sequence[str], prune: bool, id_map: Path | None) -> Plan:
    """Read the files (every problem at once, before any request), then plan."""
    with readable(desired_files(sources)) as (paths, stdin_copy):
        try:
            documents = load_documents(paths)
        except DesiredStateError as error:
            if stdin_copy is None:
                raise
            problems = [problem.replace(stdin_copy, "<stdin>") for problem in error.problems]
            raise DesiredStateError(problems) from None
    ids = load_id_map(id_map) if id_map is not None else None
    return session.run(lambda sim: sim.plan(documents, prune=prune, id_map=ids))


def show_plan(plan: Plan, *, verbose: bool = False) -> None:
    """The plan as a readable diff, each line escaped (a name cannot forge a line)."""
    out = console()
    if not plan.has_changes:
        line(f"No changes. {len(plan.actions)} integration(s) up to date.", to=out)
        if not verbose:
            return
    for action in plan.actions if verbose else plan.changes:
        headline = action.headline()
        line(headline, _STYLES.get(headline[:1], ""), to=out)
        for change in action.changes:
            text = change.render()
            line(f"    {text}", _STYLES.get(text[:1], ""), to=out)
    if plan.has_changes:
        line(plan.render().splitlines()[-1], "bold", to=out)
