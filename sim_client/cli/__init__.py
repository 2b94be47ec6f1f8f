"""The ``sim-client`` command line: argument parsing and printing over :mod:`sim_client.desired`.

Exit codes: 0 success (``plan``: no changes), 2 ``plan`` found changes, 1 any error (a
confirmation that was refused or could not be asked included), 130 interrupted by Ctrl-C;
every error is one message on stderr (with the tracking id of a failed API call), never a
traceback. Data and outcomes go to stdout, questions, progress and messages to stderr, the same
on a terminal and in a pipe. Needs the ``cli`` extra: ``pip install 'sim-client[cli]'``.

Modules: ``_app`` (the group, errors, exit codes), ``_session`` (common options),
``_codes`` (exit codes), ``_settings`` (tenant settings), ``_inspect`` (list/get/delete), ``_state``
(export/plan/apply), ``_apply`` (progress, Ctrl-C), ``_files``, ``_prompt``, ``_output``,
``_logs``.
"""

try:
    import click  # noqa: F401
    import rich  # noqa: F401
    import yaml  # noqa: F401
except ImportError as missing:  # pragma: no cover - the cli extra is installed wherever tests run
    raise SystemExit(
        f"sim-client needs the cli extra ({missing.name} is missing): pip install 'sim-client[cli]'"
    ) from None

from ._app import cli, main

__all__ = ["cli", "main"]
