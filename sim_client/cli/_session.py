"""The options every command takes (tenant, API, timeouts, verbosity) and running a
command's work with a client made from them."""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from sim_client.client import SimClient

from . import _logs
from ._output import message
from ._settings import API_CHOICES, Connection, SettingsError, connection, operator_names

T = TypeVar("T")
FC = TypeVar("FC", bound=Callable[..., Any])


@dataclass(frozen=True)
class Session:
    """What a command needs besides its own arguments."""

    connection: Connection
    verbose: bool

    def run(self, work: Callable[[SimClient], Awaitable[T]]) -> T:
        """Run ``work`` with a client for the tenant, in a fresh event loop."""

        async def main() -> T:
            try:
                sim = SimClient.from_env(self.connection.variables, **self.connection.options)
            except (ValueError, TypeError) as error:
                source = self.connection.source
                where = "" if source == "the environment" else f" (settings from {source})"
                raise SettingsError(operator_names(str(error)) + where) from None
            async with sim:
                return await work(sim)

        return asyncio.run(main())


def json_option(function: click.decorators.FC) -> click.decorators.FC:
    """``--json``: print JSON for machines."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")(
        function
    )


def _a_number(context: click.Context, parameter: click.Parameter, value: float | None) -> Any:
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is not a number of seconds", context, parameter)
    return value


def session_options(function: Callable[..., int]) -> Callable[..., int]:
    """Add the common options to a command, which receives them as a :class:`Session`. Each
    may also be given before the command (``sim-client --tenant prod plan ...``); given in
    both places, the command's wins."""

    @functools.wraps(function)
    def command(**arguments: Any) -> int:
        given = {name: arguments.pop(name) for name in COMMON}
        before = click.get_current_context().find_root().params
        common = {name: value or before.get(name) for name, value in given.items()}
        _logs.configure(debug=bool(common["debug"]))
        settings = connection(
            env_file=common["env_file"],
            tenant=common["tenant"],
            sail_config=common["sail_config"],
            api=common["api"],
            timeout=common["timeout"],
            max_retries=_first(given["max_retries"], before.get("max_retries")),
        )
        if common["verbose"] or common["debug"]:
            message(settings.describe(), "dim")
        return function(Session(settings, bool(common["verbose"])), **arguments)

    return common_options(command)


def _first(*values: Any) -> Any:
    """The first value given (``0`` is one)."""
    return next((value for value in values if value is not None), None)


COMMON = (
    "env_file",
    "tenant",
    "sail_config",
    "api",
    "timeout",
    "max_retries",
    "verbose",
    "debug",
)


def common_options(function: FC) -> FC:
    """The options of :func:`session_options`, on a command or on the group."""
    options = [
        click.option(
            "--env",
            "env_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Read SAIL_* settings from this file (mode 0600 if it holds a secret).",
        ),
        click.option(
            "--tenant", metavar="NAME", help="An environment of the sail CLI's config.yaml."
        ),
        click.option(
            "--sail-config",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The sail CLI's config file [default: ~/.sailpoint/config.yaml].",
        ),
        click.option(
            "--api",
            type=click.Choice(API_CHOICES, case_sensitive=False),
            help="API version (else SAIL_API, else beta).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True, max=3600),
            metavar="SECONDS",
            callback=_a_number,
            help="Seconds one request may take [default: 30].",
        ),
        click.option(
            "--max-retries",
            type=click.IntRange(min=0, max=20),
            metavar="N",
            help="Extra attempts for a failed request [default: 2].",
        ),
        click.option("-v", "--verbose", is_flag=True, help="Say more (tenant, unchanged ones)."),
        click.option("--debug", is_flag=True, help="Log each request on stderr (no secrets)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function
