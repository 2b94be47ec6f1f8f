"""The ``sim-client`` group: its commands, and how every failure ends (one message on stderr,
an exit code, never a traceback for an API or input error)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from sim_client._version import __version__
from sim_client.desired import DesiredStateError
from sim_client.errors import SimError

from ._apply import Interrupted
from ._codes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from ._inspect import delete_command, get_command, list_command
from ._output import fail, message
from ._session import common_options
from ._state import apply_command, export_command, plan_command


class _Cli(click.Group):
    """A group whose every error ends as one message on stderr and exit code 1 (click's own
    usage errors included, whose code 2 would read as "the plan has changes"); Ctrl-C as 130."""

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
        except click.UsageError as error:
            error.show()
            code = EXIT_ERROR
        except click.ClickException as error:
            fail(error.format_message())
            code = EXIT_ERROR
        except Interrupted as error:
            message(str(error), "yellow")
            code = EXIT_INTERRUPTED
        except (click.Abort, KeyboardInterrupt):
            message("interrupted", "yellow")
            code = EXIT_INTERRUPTED
        except DesiredStateError as error:
            fail(str(error))
            code = EXIT_ERROR
        except SimError as error:
            fail(f"{type(error).__name__}: {error}")
            code = EXIT_ERROR
        except (ValueError, TypeError, OSError) as error:
            fail(str(error))
            code = EXIT_ERROR
        code = code if isinstance(code, int) else EXIT_OK
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sim-client")
@common_options
def cli(**common: Any) -> None:
    """Manage the SIM integrations of an Identity Security Cloud tenant, as code.

    \b
    Tenant: SAIL_BASE_URL and SAIL_CLIENT_ID + SAIL_CLIENT_SECRET (or SAIL_ACCESS_TOKEN),
    SAIL_API; or --env FILE; or --tenant NAME of the sail CLI's config.
    Streams: data and outcomes on stdout; questions, progress and messages on stderr.
    Exit codes: 0 ok / no changes, 2 plan found changes, 1 error (a refused or declined
    confirmation included), 130 interrupted (Ctrl-C).
    """


for _command in (
    list_command,
    get_command,
    export_command,
    plan_command,
    apply_command,
    delete_command,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """The ``sim-client`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="sim-client")
