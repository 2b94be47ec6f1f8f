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

Export replaces only non-empty strings, by placeholders ``${SIM_<NAME>_<MEMBER>}``: NAME the
integration's name and MEMBER the member's path joined by ``_``, both upper-cased with every run
of characters other than ASCII letters and digits turned into one ``_``. When two secrets of a
tenant would get the same variable name (``A-B`` and ``A B``), each of them gets a suffix of a
short hash of its integration's id and member path, ``SIM_A_B_PASSWORD_3F9A0C``: a name depends
only on the integration it belongs to and on whether another one clashes with it, so deleting
an integration never gives another the variable name that was the deleted one's.

Placeholders and ``$`` in ``attributes`` values (at any depth; elsewhere, e.g. in ``request``
templates, ``${...}`` is the ticket template's own syntax and left alone):

- ``${NAME}`` as the whole value is a placeholder. NAME is ``[A-Z][A-Z0-9_]*`` and starts with
  one of the allowed prefixes (``placeholder_prefixes``, default ``("SIM_",)``); never with
  ``SAIL_`` (the client's own settings). Its value comes from the environment (or the
  ``secrets`` mapping given to the plan).
- ``$$`` stands for one literal ``$``; a ``$`` before anything other than ``$``, ``{``, a letter
  or ``_`` is literal too (``cost $5``).
- Anything else that looks like a placeholder is an error naming the field: ``${SIM-HR}``,
  ``${X:-default}``, ``${X`` , ``"${X} "``, ``$X``, ``prefix ${X}``, ``${HOME}`` (prefix not
  allowed). The value itself is never shown, it may be a password.

Export writes every literal ``$`` as ``$$``, so every value survives the round trip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

#: Shown wherever a secret value would be printed or serialised.
SENSITIVE = "(sensitive)"

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
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
#: A ``$`` and what follows it: ``$$`` (a literal ``$``), or the start of a would-be placeholder.
_DOLLAR = re.compile(r"\$([$]|[{A-Za-z_])?")
_VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
#: The prefixes a placeholder's variable may start with, unless the caller says otherwise.
DEFAULT_PREFIXES: tuple[str, ...] = ("SIM_",)
_OWN_PREFIX = "SAIL_"


class _LookAlike(ValueError):
    """A value that looks like a placeholder but is not one."""


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


def check_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """``prefixes`` as a tuple, each an upper-case variable-name start; ValueError otherwise."""
    if isinstance(prefixes, str):
        raise TypeError("placeholder_prefixes must be a sequence of prefixes, not one string")
    checked = tuple(prefixes)
    for prefix in checked:
        if not isinstance(prefix, str) or not _VARIABLE.fullmatch(prefix):
            raise ValueError(
                f"placeholder prefix {prefix!r} must be upper-case letters, digits and _"
            )
    if not checked:
        raise ValueError("placeholder_prefixes must hold at least one prefix")
    return checked


def allowed_variable(variable: str, prefixes: Iterable[str]) -> bool:
    """Whether a placeholder may name ``variable``: an allowed prefix, never ``SAIL_``."""
    return not variable.startswith(_OWN_PREFIX) and any(
        variable.startswith(prefix) for prefix in prefixes
    )


def placeholder_values(
    secrets: Mapping[str, str] | None, prefixes: Iterable[str] = DEFAULT_PREFIXES
) -> dict[str, str]:
    """The values placeholders may take: ``secrets``, or the environment's variables, those
    with an allowed prefix only (never the client's own ``SAIL_*`` settings)."""
    allowed = tuple(prefixes)
    source = os.environ if secrets is None else secrets
    return {
        name: value
        for name, value in source.items()
        if isinstance(name, str) and isinstance(value, str) and allowed_variable(name, allowed)
    }


def check_placeholders(
    attributes: object, prefixes: Iterable[str] = DEFAULT_PREFIXES
) -> list[tuple[FieldPath, str]]:
    """Every value of ``attributes`` that looks like a placeholder but is not an allowed one:
    (path below ``attributes``, what is wrong; never the value)."""
    allowed = tuple(prefixes)
    found: list[tuple[FieldPath, str]] = []
    for path, value in _strings(attributes, ()):
        if match := _PLACEHOLDER.fullmatch(value):
            variable = match.group(1)
            if not allowed_variable(variable, allowed):
                found.append((path, _not_allowed(variable, allowed)))
            continue
        try:
            _unescape(value)
        except _LookAlike:
            found.append(
                (
                    path,
                    "looks like a placeholder but is not one: a placeholder is the whole value "
                    f"${{NAME}}, NAME of A-Z, 0-9 and _ starting with {_either(allowed)}; "
                    "write $$ for a literal $",
                )
            )
    return found


def _not_allowed(variable: str, prefixes: tuple[str, ...]) -> str:
    if variable.startswith(_OWN_PREFIX):
        return f"${{{variable}}}: SAIL_* variables are the client's own settings, never values"
    return f"${{{variable}}}: a placeholder's name must start with {_either(prefixes)}"


def _either(prefixes: tuple[str, ...]) -> str:
    return " or ".join(prefixes)


def _strings(value: object, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def _unescape(value: str) -> str:
    """``value`` with ``$$`` read as ``$``; _LookAlike if a ``$`` starts a would-be placeholder."""
    if "$" not in value:
        return value

    def one(match: re.Match[str]) -> str:
        following = match.group(1)
        if following == "$":
            return "$"
        if following:
            raise _LookAlike
        return "$"

    return _DOLLAR.sub(one, value)


def escape(value: str) -> str:
    """A literal ``value`` as written in ``attributes``: every ``$`` doubled."""
    return value.replace("$", "$$")


def hide_secrets(attributes: Any, name_for: Callable[[tuple[str, ...]], str]) -> Any:
    """A copy of ``attributes`` with credentials replaced by placeholders, literals escaped.

    ``name_for(member_path)`` gives each credential's variable name. A string in place of the
    map (some services send it as JSON text) is a placeholder whole.
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
            name = name_for(path)
            if not isinstance(name, str) or not _VARIABLE.fullmatch(name):
                raise ValueError(
                    f"secret placeholder name {name!r} is not a valid variable name "
                    "(upper-case letters, digits and _)"
                )
            return "${" + name + "}"
        return escape(value)

    if isinstance(attributes, str):
        return walk(attributes, ("attributes",), True)
    return walk(attributes, (), False)


def placeholders(attributes: object) -> list[tuple[FieldPath, str]]:
    """Every placeholder in ``attributes``: (path below ``attributes``, variable name)."""
    return [
        (path, match.group(1))
        for path, value in _strings(attributes, ())
        if (match := _PLACEHOLDER.fullmatch(value))
    ]


def resolve(attributes: Any, values: Mapping[str, str]) -> Any:
    """A copy of ``attributes`` with placeholders replaced from ``values`` and ``$$`` read as
    ``$``. Check first (:func:`check_placeholders`, every variable in ``values``)."""
    if isinstance(attributes, dict):
        return {key: resolve(item, values) for key, item in attributes.items()}
    if isinstance(attributes, list):
        return [resolve(item, values) for item in attributes]
    if isinstance(attributes, str):
        if match := _PLACEHOLDER.fullmatch(attributes):
            return values[match.group(1)]
        return _unescape(attributes)
    return attributes


def secret_values(
    attributes: object, found: Iterable[tuple[FieldPath, str]], values: Mapping[str, str]
) -> tuple[str, ...]:
    """The secrets of resolved ``attributes``, to mask wherever they might be echoed: the
    values of its placeholders (``found``, resolved from ``values``) and every non-empty string
    it holds under a credential member."""
    secrets = {values[variable] for _, variable in found if values.get(variable)}
    secrets.update(
        value
        for path, value in _strings(attributes, ())
        if value and is_sensitive(("attributes", *path))
    )
    return tuple(sorted(secrets))


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
