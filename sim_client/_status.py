"""Reading an error answer: the one mapping from an HTTP status to its error class.

The service's error bodies come in three shapes (``ErrorResponseDto``, the token endpoint's
OAuth error, and the 429 ``{"message"}``); :func:`make_status_error` takes the texts, the
tracking id and the detail code from whichever came, masked and cut (:mod:`sim_client._masking`),
and a 429's ``Retry-After`` (:func:`parse_retry_after`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

from sim_client._masking import MAX_TEXT, excerpt, hide, redact
from sim_client.errors import (
    MAX_BODY_EXCERPT,
    MAX_MESSAGES,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    describe_request,
    response_text,
)

_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


class _ErrorDetails:
    """What an error body says, in whichever of the service's three shapes it came."""

    __slots__ = ("body", "detail_code", "messages", "tracking_id")
    _TEXT_KEYS: ClassVar[tuple[str, ...]] = ("error_description", "error", "message")

    def __init__(self, response: httpx.Response, secrets: tuple[str, ...]) -> None:
        self.tracking_id: str | None = None
        self.detail_code: str | None = None
        self.messages: list[str] = []
        # Masked before parsing: the secrets then stay out of every text taken from it.
        text = hide(response_text(response), secrets)
        self.body: Any = None
        if not text:
            return
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            self.body = excerpt(text, MAX_BODY_EXCERPT)
            return
        self.body = document if len(text) <= MAX_BODY_EXCERPT else excerpt(text, MAX_BODY_EXCERPT)
        if not isinstance(document, dict):
            return
        # ErrorResponseDto: {"detailCode", "trackingId", "messages": [{"text", ...}], "causes"}
        self.tracking_id = _text(document.get("trackingId"), secrets)
        self.detail_code = _text(document.get("detailCode"), secrets)
        messages = document.get("messages")
        for item in messages if isinstance(messages, list) else ():
            said = _text(item.get("text"), secrets) if isinstance(item, dict) else None
            if said:
                self.messages.append(said)
        # 401 {"error": ...}, 429 {"message": ...}, OAuth {"error_description": ...}
        if not self.messages:
            for key in self._TEXT_KEYS:
                said = _text(document.get(key), secrets)
                if said:
                    self.messages.append(said)
                    break
        del self.messages[MAX_MESSAGES:]


def _text(value: object, secrets: tuple[str, ...]) -> str | None:
    """A non-blank server string, redacted and cut to :data:`MAX_TEXT`; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return excerpt(redact(value.strip(), secrets), MAX_TEXT)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), else None.

    Fractional seconds are accepted; a date in the past means 0; an overflowing number is
    infinite; anything unparsable is None.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:
                return None
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return max(0.0, seconds)
    if math.isnan(seconds) or seconds < 0:
        return None
    return seconds  # an infinite wait is one: longer than any caller will wait


def make_status_error(
    response: httpx.Response,
    *,
    context: str = "",
    error_class: type[APIStatusError] | None = None,
    secrets: Iterable[str] = (),
) -> APIStatusError:
    """The error for a non-2xx ``response``: the one place a status becomes an error class.

    ``context`` prefixes the message (e.g. ``"token request"``); ``error_class`` overrides the
    class the status would choose; ``secrets`` are masked in every text taken from the answer.
    """
    status = response.status_code
    if error_class is not None:
        cls = error_class
    elif status in _STATUS_CLASSES:
        cls = _STATUS_CLASSES[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIStatusError
    known = tuple(secrets)
    details = _ErrorDetails(response, known)
    request = response.request
    reason = excerpt(redact(response.reason_phrase, known), MAX_TEXT) or "HTTP error"
    message = f"{describe_request(request, context)} -> {status} {reason}"
    if details.messages:
        message += ": " + "; ".join(details.messages)
    if details.tracking_id:
        message += f" (tracking id {details.tracking_id})"
    fields: dict[str, Any] = {
        "response": response,
        "body": details.body,
        "tracking_id": details.tracking_id,
        "detail_code": details.detail_code,
        "messages": details.messages,
    }
    if cls is RateLimitError:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            message += f" (retry after {retry_after:g} s)"
        return RateLimitError(message, retry_after=retry_after, **fields)
    return cls(message, **fields)
