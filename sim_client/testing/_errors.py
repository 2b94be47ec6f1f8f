"""Error bodies in the shapes the real service answers with."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

JsonObject = dict[str, Any]

BAD_REQUEST = "400.1 Bad Request Content"
NOT_FOUND = "404 Not found"


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
    """A 400 with the upstream detail code for invalid content."""
    return ApiError(400, text, detail_code=BAD_REQUEST)


def not_found(integration_id: str) -> ApiError:
    """A 404 for an integration id that is not stored."""
    return ApiError(
        404,
        f"The referenced object 'SIM integration' with id '{integration_id}' was not found.",
        detail_code=NOT_FOUND,
    )


def default_detail_code(status: int) -> str:
    """A detail code such as ``503 Service Unavailable`` for a bare status."""
    return f"{status} {_phrase(status)}"


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
        return {"message": "Rate Limit Exceeded"}
    if status == 401:
        return {"error": "JWT validation failed: JWT is invalid"}
    if status >= 400:
        return error_response(default_detail_code(status), _phrase(status))
    return None
