"""The tolerant reader: how the generated models decode what the service sends.

The model templates (``openapi/templates/``) call these helpers from ``from_dict``/``to_dict``:

- A field whose value misfits the fragment (``null``, another JSON type or shape, a date-time
  that does not parse) reads as ``UNSET``, its raw JSON kept in ``additional_properties`` under
  its wire name (:func:`keep_raw`), so that ``to_dict()`` gives back exactly what was read.
- An enum value the fragment does not list is kept as its plain ``str`` (:func:`unknown_enum`).
- A date-time keeps the text it was read from where our own formatting would differ
  (``+00:00``, two-digit fractions: :class:`WireDateTime`), so ``to_dict()`` writes it back.
- In strict mode (:func:`strict_reading`, or ``from_dict(..., strict=True)``) every misfit
  raises the decoder's TypeError/ValueError instead, and the fields a schema lists under
  ``x-sim-client-strict-required`` must be present. Unknown new fields are kept either way.
- Each kind of misfit is logged once per process at WARNING (model, wire field, what was
  expected), never with the value, which may be a credential.
"""

from __future__ import annotations

import datetime
import logging
from contextvars import ContextVar
from typing import Any

logger = logging.getLogger("sim_client")

# The misfits already logged: one WARNING per kind per process. Bounded by the fragment (a
# kind is a model field and a JSON type), so it cannot grow with the data.
_reported: set[str] = set()
# Whether the decoding under way is strict. Read only when something misfits, so that the
# tolerant happy path pays nothing for it; decoding is synchronous, so a context is exact.
_strict: ContextVar[bool] = ContextVar("sim_client_strict_reading", default=False)


class strict_reading:
    """Decode strictly (or tolerantly, with ``False``) inside the ``with`` block."""

    __slots__ = ("_strict", "_token")

    def __init__(self, strict: bool = True) -> None:
        self._strict = strict

    def __enter__(self) -> None:
        self._token = _strict.set(self._strict)

    def __exit__(self, *exc_info: object) -> None:
        _strict.reset(self._token)


def is_strict() -> bool:
    """Whether misfits raise in the decoding under way."""
    return _strict.get()


def _report(kind: str, outcome: str = "kept raw") -> None:
    """Log the misfit ``kind`` and what was done about it, the first time only."""
    if kind in _reported:
        return
    _reported.add(kind)
    logger.warning("%s; %s", kind, outcome)


def keep_raw(raw: dict[str, Any] | None, error: Exception, key: str, value: Any) -> dict[str, Any]:
    """Remember ``value`` (the misfit JSON of wire field ``key``) and report ``error`` once.

    ``error`` is the strict decoder's TypeError/ValueError; its text names the model, the field
    and what was expected, never the value. In strict mode ``error`` is raised instead.
    """
    if _strict.get():
        raise error
    _report(str(error))
    if raw is None:
        raw = {}
    raw[key] = value
    return raw


def unknown_enum(label: str, enum_name: str, value: str) -> str:
    """``value``, an enum value not listed in the fragment, kept as a plain ``str``."""
    message = f"{label}: not a known {enum_name} value"
    if _strict.get():
        raise ValueError(message)
    _report(message, "kept as a plain string")
    return value


def require_fields(src_dict: dict[str, Any], model: str, keys: tuple[str, ...]) -> None:
    """In strict mode, raise ValueError for the first of ``keys`` missing from ``src_dict``."""
    if _strict.get():
        for key in keys:
            if key not in src_dict:
                raise ValueError(f"{model}.{key}: required field is missing")


class WireDateTime(datetime.datetime):
    """A ``datetime`` that remembers the text it was read from, for a lossless ``to_dict``.

    It is a ``datetime`` in every other way; a value derived from it (``replace``, arithmetic)
    forgets the text and is written in the client's own RFC 3339 form.
    """

    __slots__ = ("wire",)
    wire: str

    def __repr__(self) -> str:
        text = super().__repr__()
        return "datetime.datetime" + text[text.index("(") :]

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (parse_datetime, (format_datetime(self),))


_fromisoformat = datetime.datetime.fromisoformat


def parse_datetime(text: str) -> datetime.datetime:
    """The date-time in ``text`` (ISO 8601); ValueError if there is none.

    Text in the form :func:`format_datetime` writes (``2023-01-03T21:16:22.432Z``, or without a
    fraction) gives a plain ``datetime``; any other form a :class:`WireDateTime` remembering it.
    """
    value = _fromisoformat(text)
    # Characters 4, 7, 10, 13, 16 and 19: the extended form ("-" at 7 is not in a week date such
    # as 2023-W01-2, ":" is not in a basic-form time such as T211622) with "Z" after the seconds,
    # or three fraction digits, not all zero, and "Z".
    size = len(text)
    if (size == 20 and text[4:20:3] == "--T::Z") or (
        size == 24 and text[4:20:3] == "--T::." and text[23] == "Z" and value.microsecond
    ):
        return value
    wire = WireDateTime.fromisoformat(text)
    wire.wire = text
    return wire


def format_datetime(value: datetime.datetime) -> str:
    """The text ``value`` was read from; else RFC 3339 with ``Z`` and 0, 3 or 6 fraction digits."""
    wire: str | None = getattr(value, "wire", None)
    if wire is not None:
        return wire
    micro = value.microsecond
    timespec = "microseconds" if micro % 1000 else "milliseconds" if micro else "seconds"
    return value.isoformat(timespec=timespec).replace("+00:00", "Z")


def model_repr(model: Any, fields: tuple[str, ...]) -> str:
    """``Model(field=..., ...)`` with the keys, never the values, of ``additional_properties``.

    Those hold unknown fields and misfit values kept raw, either of which may be a credential.
    """
    parts = [f"{name}={getattr(model, name)!r}" for name in fields]
    extra = getattr(model, "additional_properties", None)
    if extra:
        parts.append(f"additional_keys={sorted(extra)!r}")
    return f"{type(model).__name__}({', '.join(parts)})"
