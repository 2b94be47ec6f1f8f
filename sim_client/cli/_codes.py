"""The exit codes of ``sim-client``: what a script can rely on."""

EXIT_OK = 0
"""Success; ``plan``: no changes."""
EXIT_ERROR = 1
"""Any error, a usage error, a refused or declined confirmation, or a failed action."""
EXIT_CHANGES = 2
"""``plan`` found changes."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT, as a shell reports it)."""
