"""Error bodies in the shapes the real service answers with."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

JsonObject = dict[str, Any]

# The service's detail codes and English texts for the statuses its document gives examples
# of; any other status gets "<status> <reason phrase>" and the reason phrase as its text.
BAD_REQUEST = "400.1 Bad Request Content"
FORBIDDEN = "403 Forbidden"
NOT_FOUND = "404 Not found"
INTERNAL_FAULT = "500.0 Internal Fault"
RATE_LIMITED = {"message": " Rate Limit Exceeded "}
"""The body of the service's 429, spaces included."""
_DETAIL_CODES = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 500: INTERNAL_FAULT}
_TEXTS = {
    400: "The request was syntactically correct but its content is semantically invalid.",
    403: "The server understood the request but refuses to authorize it.",
    404: "The server did not find a current representation for the target resource.",
    500: "An internal fault occurred.",
}


class ApiError(Exception):
    """A failed request, answered with ``status`` and an ``ErrorResponseDto`` body."""

    def __init__(
        self,
        status: int,
        text: str,
        *,
        detail_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.detail_code = detail_code or default_detail_code(status)
        self.headers = headers or {}

    def body(self) -> JsonObject:
        """The upstream ``ErrorResponseDto`` for this error."""
        return error_response(self.detail_code, self.text)


def bad_request(text: str) -> ApiError:
    """A 400 for invalid content."""
    return ApiError(400, text)


def not_found(integration_id: str) -> ApiError:
    """A 404 for an integration id that is not stored."""
    return ApiError(
        404, f"The referenced object 'SIM integration' with id '{integration_id}' was not found."
    )


def default_detail_code(status: int) -> str:
    """The detail code the service sends with ``status``, e.g. ``404 Not found``; for a status
    it gives no example of, ``<status> <reason phrase>`` such as ``503 Service Unavailable``."""
    return _DETAIL_CODES.get(status) or f"{status} {_phrase(status)}"


def default_text(status: int) -> str:
    """The message text of an error answer with ``status`` when nothing more precise is known."""
    return _TEXTS.get(status) or _phrase(status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_response(detail_code: str, text: str) -> JsonObject:
    """An ``ErrorResponseDto`` body with one English message and a fresh tracking id."""
    return {
        "detailCode": detail_code,
        "trackingId": uuid.uuid4().hex,
        "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": text}],
        "causes": [],
    }


def default_body(status: int) -> JsonObject | None:
    """The body a canned answer with ``status`` carries when the test gives none."""
    if status == 429:
        return dict(RATE_LIMITED)
    if status == 401:
        return {"error": "JWT validation failed: JWT is invalid"}
    if status >= 400:
        return error_response(default_detail_code(status), default_text(status))
    return None
