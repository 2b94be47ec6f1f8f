"""Which tenant, with which credentials: the ``SAIL_*`` variables, an ``--env`` file, or an
environment of the SailPoint ``sail`` CLI's configuration (``--tenant NAME``).

- The environment: ``SAIL_BASE_URL``, ``SAIL_CLIENT_ID`` + ``SAIL_CLIENT_SECRET`` (or
  ``SAIL_ACCESS_TOKEN``), ``SAIL_API``.
- ``--env FILE``: lines ``SAIL_NAME=value`` (``export`` in front, quotes, ``#`` comments and
  blank lines allowed); what the file sets wins, the environment fills in the rest (a secret
  kept out of the file, say).
- ``--tenant NAME``: ``environments.NAME.baseurl`` of ``~/.sailpoint/config.yaml`` (or
  ``--sail-config FILE``); the client id and secret from its ``pat`` entry if it has them,
  else from ``SAIL_CLIENT_ID`` / ``SAIL_CLIENT_SECRET``. ``sail`` keeps them in the system
  keychain, which this command does not read.

A file that holds a secret must not be readable by group or others (mode 0600): such a file
is refused. Problems name the flag, the variable or the file's line, never a Python argument.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import yaml

VARIABLES = (
    "SAIL_BASE_URL",
    "SAIL_CLIENT_ID",
    "SAIL_CLIENT_SECRET",
    "SAIL_ACCESS_TOKEN",
    "SAIL_API",
)
SECRETS = ("SAIL_CLIENT_SECRET", "SAIL_ACCESS_TOKEN")
API_CHOICES = ("beta", "v2024", "v2025", "v2026", "v1")
SAIL_CONFIG = Path("~/.sailpoint/config.yaml")

# What the client's messages call its arguments, and what the operator knows them as.
_NAMES = {
    "base_url": "SAIL_BASE_URL",
    "client_id": "SAIL_CLIENT_ID",
    "client_secret": "SAIL_CLIENT_SECRET",
    "token": "SAIL_ACCESS_TOKEN",
    "api": "--api/SAIL_API",
    "timeout": "--timeout",
    "max_retries": "--max-retries",
}
_ARGUMENT = re.compile(r"\b(" + "|".join(_NAMES) + r")\b=?")
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


class SettingsError(click.ClickException):
    """A problem with the tenant's settings (exit code 1, one message)."""


@dataclass(frozen=True)
class Connection:
    """The variables a client is made from, where they came from, and the client options."""

    variables: Mapping[str, str]
    source: str
    options: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        base_url = self.variables.get("SAIL_BASE_URL", "(no SAIL_BASE_URL)")
        api = self.options.get("api") or self.variables.get("SAIL_API") or "beta"
        return f"tenant {base_url} (api {api.lower()}) from {self.source}"


def connection(
    *,
    env_file: Path | None,
    tenant: str | None,
    sail_config: Path | None,
    api: str | None,
    timeout: float | None,
    max_retries: int | None,
    environ: Mapping[str, str] | None = None,
) -> Connection:
    """The settings for this run; SettingsError names what is wrong."""
    environ = os.environ if environ is None else environ
    variables = {name: environ[name] for name in VARIABLES if environ.get(name)}
    source = "the environment"
    if env_file is not None and tenant is not None:
        raise SettingsError("give --env or --tenant, not both")
    if sail_config is not None and tenant is None:
        raise SettingsError("--sail-config needs --tenant NAME")
    if env_file is not None:
        variables.update(read_env_file(env_file))
        source = f"--env {env_file}"
    elif tenant is not None:
        path = sail_config or SAIL_CONFIG
        variables.update(read_sail_environment(path.expanduser(), tenant))
        source = f"--tenant {tenant} ({path})"
    options: dict[str, Any] = {}
    if api is not None:
        options["api"] = api.lower()
    elif variables.get("SAIL_API", "").strip():
        value = variables["SAIL_API"].strip()
        if value.lower() not in API_CHOICES:
            raise SettingsError(
                f"SAIL_API: unknown API {value!r}; use one of {', '.join(API_CHOICES)}"
            )
        options["api"] = value.lower()
    if timeout is not None:
        options["timeout"] = timeout
    if max_retries is not None:
        options["max_retries"] = max_retries
    return Connection(variables, source, options)


def operator_names(message: str) -> str:
    """``message`` with the client's argument names (``api=``) as the flags and variables
    the operator sets (``--api/SAIL_API``)."""
    return _ARGUMENT.sub(lambda match: _NAMES[match.group(1)], message)


def read_env_file(path: Path) -> dict[str, str]:
    """The ``SAIL_*`` settings of a dotenv-like file; every problem at once, by line."""
    text = _read_private(path, holds_secret=lambda t: any(s in t for s in SECRETS))
    values: dict[str, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(stripped)
        if match is None:
            problems.append(f"{path}:{number}: expected NAME=value")
            continue
        name, value = match.groups()
        if name not in VARIABLES:
            problems.append(f"{path}:{number}: {name} is not one of {', '.join(VARIABLES)}")
            continue
        values[name] = _unquote(value)
    if problems:
        raise SettingsError("\n".join(problems))
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].strip()


def read_sail_environment(path: Path, name: str) -> dict[str, str]:
    """The base URL (and client id and secret, if stored there) of environment ``name``."""
    text = _read_private(path, holds_secret=lambda t: "clientsecret" in t.lower())
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SettingsError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None
    environments = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(environments, dict):
        raise SettingsError(f"{path} has no environments")
    # sail keeps environment names (and every key) in lower case
    found = {str(key).lower(): value for key, value in environments.items()}
    entry = found.get(name.lower())
    if not isinstance(entry, dict):
        known = ", ".join(sorted(found)) or "none"
        raise SettingsError(f"--tenant: no environment {name!r} in {path} (known: {known})")
    entry = {str(key).lower(): value for key, value in entry.items()}
    base_url = entry.get("baseurl")
    if not isinstance(base_url, str) or not base_url.strip():
        raise SettingsError(f"{path}: environments.{name}.baseurl is not set")
    values = {"SAIL_BASE_URL": base_url.strip()}
    pat = entry.get("pat")
    if isinstance(pat, dict):
        pat = {str(key).lower(): value for key, value in pat.items()}
        for key, variable in (
            ("clientid", "SAIL_CLIENT_ID"),
            ("clientsecret", "SAIL_CLIENT_SECRET"),
        ):
            if isinstance(pat.get(key), str) and pat[key]:
                values[variable] = pat[key]
    return values


def _read_private(path: Path, holds_secret: Callable[[str], bool]) -> str:
    """The file's text; refused if it holds a secret and others may read it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read: {error}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO) and holds_secret(text):
        raise SettingsError(
            f"{path} holds a secret but its mode is {stat.S_IMODE(mode):04o}: others may read "
            f"it; run chmod 600 {path} (or keep the secret in the environment)"
        )
    return text
