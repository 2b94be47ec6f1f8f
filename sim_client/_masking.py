"""What no message, log record or kept text may show: secrets, raw control characters, length.

Every text taken from an answer or an exception goes through :func:`redact` with the secrets
the caller knows (the token sent, the client secret) and is cut with :func:`excerpt`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable

#: Each server-provided text (a message, a tracking id, a detail code) is cut to this length.
MAX_TEXT = 1000
_MASK = "***"
# C0 and C1 controls, DEL and the Unicode line and paragraph separators: never raw in a message.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each secret masked (:func:`hide`) and control characters escaped
    (``\\xNN``/``\\uNNNN``)."""
    return _CONTROL.sub(_escape, hide(text, secrets))


def hide(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret masked: as it is, percent-encoded (as a form or a URL carries
    it) or JSON-escaped, whichever way each of its characters came."""
    if not text:
        return text
    pattern = _secrets_pattern(tuple(secret for secret in secrets if secret))
    return text if pattern is None else pattern.sub(_MASK, text)


def excerpt(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@functools.lru_cache(maxsize=64)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    if not secrets:
        return None
    # Longest first, so that no shorter secret leaves part of a longer one visible.
    ordered = sorted(set(secrets), key=len, reverse=True)
    return re.compile("|".join("".join(map(_char_forms, secret)) for secret in ordered))


def _char_forms(char: str) -> str:
    """A pattern for ``char`` as it is, percent-encoded (either case of hex, ``+`` for a
    space) or JSON-escaped."""
    forms = [re.escape(char), re.escape(json.dumps(char)[1:-1])]
    if char == "/":
        forms.append(re.escape("\\/"))
    if char == " ":
        forms.append(re.escape("+"))
    forms.extend("%" + _hex(f"{byte:02X}") for byte in char.encode())
    if ord(char) < 0x10000:
        forms.append(re.escape("\\u") + _hex(f"{ord(char):04X}"))
    return "(?:" + "|".join(dict.fromkeys(forms)) + ")"


def _hex(digits: str) -> str:
    return "".join(d if d.isdigit() else f"[{d}{d.lower()}]" for d in digits)


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]
