"""Credentials in ``attributes``: which members count as secrets, their placeholders, masking.

The rule: an ``attributes`` member (at any depth) is a credential when its name, split into
words at camelCase humps, digits and ``_ - .`` or spaces and compared case-insensitively,

- contains ``password``, ``passwd``, ``passphrase``, ``secret``, ``credential``, ``apikey``,
  ``privatekey``, ``accesskey`` or ``secretkey`` anywhere (``keystorePassword``,
  ``clientsecret``), or
- has a word that is exactly ``key``, ``token``, ``pwd``, ``private``, ``pat`` or
  ``bearer`` (``api_key``, ``accessToken``; not ``keyboard``, ``monkey`` or ``tokens``),

unless its last word names something about the credential rather than the credential itself
(``url``, ``uri``, ``endpoint``, ``type``, ``name``, ``id``, ``path``, ``file``, ``format``,
``policy``, ``length``, ``expiry``, ``expiration``, ``expires``, ``enabled``,
``required``): ``tokenUrl``, ``passwordPolicy`` and ``keyId`` are not secrets. Everything
below a credential member (an object or list under ``credentials``) is secret too.

Only non-empty strings are replaced by placeholders: ``${SIM_<NAME>_<MEMBER>}``, NAME the
integration's name and MEMBER the member's path joined by ``_``, both upper-cased with every run
of characters other than ASCII letters and digits turned into one ``_``.

A placeholder is a whole string value of the form ``${VARIABLE}`` inside ``attributes``
(elsewhere, e.g. in ``request`` templates, ``${...}`` is the ticket template's own syntax and
left alone). One more ``$`` escapes: ``$${X}`` stands for the literal text ``${X}``, ``$$${X}``
for ``$${X}``; export writes such literal values escaped, so every value survives the round
trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

SENSITIVE = "(sensitive)"
"""Shown wherever a secret value would be printed or serialised."""

FieldPath = tuple[str | int, ...]
#: Chooses a placeholder's variable name from the integration's name and the member's path.
SecretNamer = Callable[[str, tuple[str, ...]], str]

_ANYWHERE = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "credential",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
)
_WORDS = frozenset({"key", "token", "pwd", "private", "pat", "bearer"})
_NOT_THE_SECRET = frozenset(
    {
        "url",
        "uri",
        "endpoint",
        "type",
        "name",
        "id",
        "path",
        "file",
        "format",
        "policy",
        "length",
        "expiry",
        "expiration",
        "expires",
        "enabled",
        "required",
    }
)
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DOLLARS = re.compile(r"\$+\{[^}]*\}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def is_credential_name(name: str) -> bool:
    """Whether an ``attributes`` member called ``name`` holds a credential (see the module)."""
    words = [word.lower() for word in _WORD.findall(name)]
    if not words or words[-1] in _NOT_THE_SECRET:
        return False
    joined = "".join(words)
    return any(part in joined for part in _ANYWHERE) or any(word in _WORDS for word in words)


def default_secret_name(integration: str, member: tuple[str, ...]) -> str:
    """``SIM_<NAME>_<MEMBER>``, upper-cased, other characters collapsed into ``_``."""
    parts = ["SIM", integration, *member]
    cleaned = (_NOT_ALNUM.sub("_", part).strip("_").upper() for part in parts)
    return "_".join(part for part in cleaned if part)


def is_sensitive(path: FieldPath) -> bool:
    """Whether the value at ``path`` of a document lies under a credential ``attributes`` member,
    or is ``attributes`` itself (a scalar there, e.g. a map sent as JSON text, may hold them)."""
    return path == ("attributes",) or (
        len(path) > 1
        and path[0] == "attributes"
        and any(isinstance(step, str) and is_credential_name(step) for step in path[1:])
    )


def hide_secrets(attributes: Any, integration: str, namer: SecretNamer, taken: set[str]) -> Any:
    """A copy of ``attributes`` with credentials replaced by placeholders, literals escaped.

    A string in place of the map (some services send it as JSON text) is a placeholder whole.
    ``taken`` holds the variable names used so far; a clash gets a numeric suffix.
    """

    def walk(value: Any, path: tuple[str, ...], secret: bool) -> Any:
        if isinstance(value, dict):
            return {
                key: walk(item, (*path, key), secret or is_credential_name(key))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [walk(item, (*path, str(i)), secret) for i, item in enumerate(value)]
        if not isinstance(value, str):
            return value
        if secret and value:
            return "${" + _fresh(namer(integration, path), taken) + "}"
        if _PLACEHOLDER.fullmatch(value) or (value.startswith("$$") and _DOLLARS.fullmatch(value)):
            return "$" + value  # a literal that would read as a placeholder or an escape
        return value

    if isinstance(attributes, str):
        return walk(attributes, ("attributes",), True)
    return walk(attributes, (), False)


def _fresh(name: str, taken: set[str]) -> str:
    if not _VARIABLE.fullmatch(name):
        raise ValueError(f"secret placeholder name {name!r} is not a valid variable name")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def placeholders(attributes: object) -> list[tuple[FieldPath, str]]:
    """Every placeholder in ``attributes``: (path below ``attributes``, variable name)."""
    found: list[tuple[FieldPath, str]] = []

    def walk(value: object, path: FieldPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*path, i))
        elif isinstance(value, str) and (match := _PLACEHOLDER.fullmatch(value)):
            found.append((path, match.group(1)))

    walk(attributes, ())
    return found


def resolve(attributes: Any, values: Mapping[str, str]) -> Any:
    """A copy of ``attributes`` with placeholders replaced from ``values`` and escapes undone.

    Every placeholder must have a value (check with :func:`placeholders` first).
    """
    if isinstance(attributes, dict):
        return {key: resolve(item, values) for key, item in attributes.items()}
    if isinstance(attributes, list):
        return [resolve(item, values) for item in attributes]
    if isinstance(attributes, str):
        if match := _PLACEHOLDER.fullmatch(attributes):
            return values[match.group(1)]
        if attributes.startswith("$$") and _DOLLARS.fullmatch(attributes):
            return attributes[1:]
    return attributes


def mask(value: Any, path: FieldPath, secret_paths: frozenset[FieldPath]) -> Any:
    """``value`` (found at ``path``) with every secret inside it shown as ``(sensitive)``."""
    if path in secret_paths or (is_sensitive(path) and not isinstance(value, dict | list)):
        return SENSITIVE
    if isinstance(value, dict):
        return {key: mask(item, (*path, key), secret_paths) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item, (*path, i), secret_paths) for i, item in enumerate(value)]
    return value


def masked(document: Any) -> Any:
    """``document`` with the values of credential-like ``attributes`` members as ``(sensitive)``."""
    return mask(document, (), frozenset())
