"""``export``, ``plan`` and ``apply``: the tenant as desired-state files, and back."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sim_client.desired import (
    DEFAULT_MAX_DELETES,
    DEFAULT_PREFIXES,
    DesiredStateError,
    Plan,
    load_documents,
    load_id_map,
    load_saved_plan,
)
from sim_client.desired import plan as plan_for

from ._apply import apply_plan
from ._codes import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from ._files import STDIN, desired_files, readable, refuse_existing, write_private
from ._output import console, fail, line, message, reader_gone, to_json, to_yaml, write
from ._prompt import confirm
from ._session import Session, json_option, session_options

# What a plan's refusals call their way out, and the option that is that way here.
_FLAGS = (
    ("allow credential removal", "pass --allow-credential-removal"),
    ("allow deleting them all", "pass --allow-delete-all"),
    ("raise max_deletes", "raise --max-deletes"),
    ("id_map: ", "--id-map: "),
)
_STYLES = {"+": "green", "-": "red", "~": "yellow", "=": "dim", "!": "red bold", "W": "yellow"}


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
    target = None if output is None or str(output) == STDIN else output
    if target is not None:
        refuse_existing(target, force=force)  # before the tenant is read
    documents = session.run(lambda sim: sim.export_integrations())
    data = {"integrations": documents}
    as_json = as_json or (target is not None and target.suffix.lower() == ".json")
    text = to_json(data) + "\n" if as_json else to_yaml(data)
    if target is None:
        write(text)
    else:
        write_private(target, text, force=force)
        message(f"exported {len(documents)} integration(s) to {target}")
    return EXIT_OK


@dataclass(frozen=True)
class Rules:
    """How desired files become a plan: the options ``plan`` and ``apply`` share."""

    prune: bool
    id_map: Path | None
    allow_delete_all: bool
    max_deletes: int
    allow_credential_removal: bool
    strict: bool
    placeholder_prefixes: tuple[str, ...]

    def given(self) -> list[str]:
        """The options given that a saved plan fixed already."""
        return [
            flag
            for flag, value in (
                ("--prune", self.prune),
                ("--id-map", self.id_map is not None),
                ("--allow-delete-all", self.allow_delete_all),
                ("--max-deletes", self.max_deletes != DEFAULT_MAX_DELETES),
                ("--allow-credential-removal", self.allow_credential_removal),
                ("--strict", self.strict),
            )
            if value
        ]


def state_options(function: Callable[..., int]) -> Callable[..., int]:
    """FILES and the options that say how they become a plan, passed on as ``rules``."""

    @functools.wraps(function)
    def command(
        *,
        prune: bool,
        id_map: Path | None,
        allow_delete_all: bool,
        max_deletes: int,
        allow_credential_removal: bool,
        strict: bool,
        placeholder_prefix: tuple[str, ...],
        **arguments: Any,
    ) -> int:
        rules = Rules(
            prune,
            id_map,
            allow_delete_all,
            max_deletes,
            allow_credential_removal,
            strict,
            placeholder_prefix or DEFAULT_PREFIXES,
        )
        return function(rules=rules, **arguments)

    options = [
        click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True)),
        click.option(
            "--prune", is_flag=True, help="Delete integrations of the tenant that FILES leave out."
        ),
        click.option(
            "--max-deletes",
            type=click.IntRange(min=0),
            metavar="N",
            default=DEFAULT_MAX_DELETES,
            show_default=True,
            help="--prune deletes at most this many integrations.",
        ),
        click.option(
            "--allow-delete-all",
            is_flag=True,
            help="Let --prune delete every integration of the tenant, or more than --max-deletes.",
        ),
        click.option(
            "--allow-credential-removal",
            is_flag=True,
            help="Let an update drop credential attributes the tenant has.",
        ),
        click.option(
            "--id-map",
            type=click.Path(dir_okay=False, path_type=Path),
            help="YAML/JSON mapping of ids in FILES to ids of this tenant (promotion).",
        ),
        click.option(
            "--strict", is_flag=True, help="Id-map entries that match nothing are errors."
        ),
        click.option(
            "--placeholder-prefix",
            multiple=True,
            metavar="PREFIX",
            help="Variables ${PREFIX...} may fill credentials [default: SIM_]; repeatable.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("plan")
@state_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan to this file (JSON, mode 0600) for apply to carry out later.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@json_option
@session_options
def plan_command(
    session: Session,
    files: Sequence[str],
    rules: Rules,
    output: Path | None,
    force: bool,
    as_json: bool,
) -> int:
    """Show what apply would change; exit code 2 when there are changes.

    FILES: YAML or JSON files, directories of them, or - for stdin. With -o, the plan is
    saved as reviewed: "apply FILE" carries out exactly that, on this tenant only, and
    refuses it if any target changed meanwhile."""
    if output is not None:
        if str(output) == STDIN:
            raise click.UsageError("plan -o takes a file name; --json prints the plan on stdout")
        refuse_existing(output, force=force)
    plan = make_plan(session, files, rules)
    if output is not None:
        write_private(output, to_json(plan.to_saved()) + "\n", force=force)
        message(f"saved the plan to {output}; apply it with: sim-client apply {output}")
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
    metavar="N",
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
    rules: Rules,
    yes: bool,
    concurrency: int,
    fail_fast: bool,
    as_json: bool,
) -> int:
    """Bring the tenant to the state in FILES (shows the plan, asks unless --yes).

    FILES: YAML or JSON files, directories of them, or - for stdin; or one plan saved by
    "plan -o", carried out exactly as saved. Outcomes go to stdout, the question and progress
    to stderr (or the terminal). Ctrl-C stops starting new writes, waits for those under way
    and exits with 130."""
    plan = saved_plan(files, rules) or make_plan(session, files, rules)
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
    if not result.ok and reader_gone():  # the failures went nowhere: say so where it is seen
        fail(f"apply incomplete: {len(result.failed)} failed; stdout was closed, plan again")
    return EXIT_OK if result.ok else EXIT_ERROR


def make_plan(session: Session, sources: Sequence[str], rules: Rules) -> Plan:
    """Read the files (every problem at once, before any request), then plan."""
    with readable(desired_files(sources)) as (paths, stdin_copy):
        try:
            documents = load_documents(paths, placeholder_prefixes=rules.placeholder_prefixes)
            ids = load_id_map(rules.id_map) if rules.id_map is not None else None
            return _plan(session, documents, ids, rules)
        except DesiredStateError as error:
            problems = [_for_operator(problem, stdin_copy) for problem in error.problems]
            raise DesiredStateError(problems) from None


def _for_operator(problem: str, stdin_copy: str | None) -> str:
    """A problem as the operator knows the things it names: stdin's copy as ``<stdin>``, the
    way out of a plan's refusal as the option that takes it."""
    if stdin_copy is not None:
        problem = problem.replace(stdin_copy, "<stdin>")
    for phrase, flag in _FLAGS:
        problem = problem.replace(phrase, flag)
    return problem


def _plan(session: Session, documents: list[Any], ids: dict[str, str] | None, rules: Rules) -> Plan:
    return session.run(
        lambda sim: plan_for(
            sim,
            documents,
            prune=rules.prune,
            id_map=ids,
            placeholder_prefixes=rules.placeholder_prefixes,
            allow_credential_removal=rules.allow_credential_removal,
            max_deletes=rules.max_deletes,
            allow_delete_all=rules.allow_delete_all,
            strict=rules.strict,
        )
    )


def saved_plan(files: Sequence[str], rules: Rules) -> Plan | None:
    """The plan in FILES if it is one saved by ``plan -o`` (alone, without the options that
    saved plan fixed already), else None."""
    saved = [name for name in files if _is_saved_plan(name)]
    if not saved:
        return None
    if len(files) > 1:
        raise click.UsageError(f"{saved[0]} is a saved plan: apply it alone")
    if rules.given():
        raise click.UsageError(
            f"{', '.join(rules.given())}: a saved plan was made with its options already"
        )
    return load_saved_plan(Path(saved[0]), placeholder_prefixes=rules.placeholder_prefixes)


def _is_saved_plan(name: str) -> bool:
    if name == STDIN or not name.lower().endswith(".json") or not Path(name).is_file():
        return False
    try:
        data = json.loads(Path(name).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return False  # the loader reports what is wrong with it
    return isinstance(data, dict) and "format_version" in data


def show_plan(plan: Plan, *, verbose: bool = False) -> None:
    """The plan as a readable diff (each line escaped by the plan), coloured on a terminal;
    "No changes." when there is nothing to do; with ``verbose``, the unchanged ones too."""
    out = console()
    lines = plan.render().splitlines()
    if not plan.has_changes:
        lines[-1:] = []
        line(f"No changes. {len(plan.actions)} integration(s) up to date.", to=out)
    if verbose:
        lines[:0] = [a.headline() for a in plan.actions if a.kind == "unchanged"]
    for text in lines:
        style = "bold" if text.startswith("Plan:") else _STYLES.get(text.lstrip()[:1], "")
        line(text, style, to=out)
