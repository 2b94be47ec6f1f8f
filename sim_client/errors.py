"""The errors ``sim_client`` raises, and the single mapping from an HTTP status to an error.

::

    SimError
    ├── ClientClosedError        a call on a client after aclose() (also a RuntimeError)
    ├── APIStatusError           a non-2xx answer: status_code, response, body, tracking_id,
    │   │                        detail_code, messages, method, url
    │   ├── BadRequestError          400
    │   ├── AuthenticationError      401, and a failed token request
    │   ├── PermissionDeniedError    403
    │   ├── NotFoundError            404
    │   ├── ConflictError            409
    │   ├── RateLimitError           429, with retry_after (seconds) when the server said
    │   └── ServerError              5xx
    ├── APIConnectionError       the request could not be completed; the httpx error is __cause__
    │   └── APITimeoutError
    └── ResponseDecodeError      a 2xx whose body is not JSON or does not fit the model

Messages carry the method, the URL, the status and the server's own error texts; never a
header value, a token, a secret or a response body that could hold credentials.
"""

from __future__ import annotations

import json
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ServerError",
    "SimError",
    "describe_request",
    "make_status_error",
    "parse_retry_after",
]


class SimError(Exception):
    """The base of every error this library raises on purpose."""


def describe_request(request: httpx.Request) -> str:
    """``METHOD /path`` as sent (ids stay percent-encoded; no host, no query)."""
    return f"{request.method} {request.url.raw_path.decode('ascii').split('?', 1)[0]}"


class ClientClosedError(SimError, RuntimeError):
    """The client was closed with ``aclose()`` (or left its ``async with``) and takes no calls."""


class APIStatusError(SimError):
    """The service answered with a status that is not 2xx."""

    status_code: int
    """The HTTP status of the answer."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: Any,
        tracking_id: str | None = None,
        detail_code: str | None = None,
        messages: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.tracking_id = tracking_id
        self.detail_code = detail_code
        self.messages: list[str] = messages or []
        self.method = response.request.method
        self.url = str(response.request.url)


class BadRequestError(APIStatusError):
    """400: the request or its content was refused."""


class AuthenticationError(APIStatusError):
    """401, or the token endpoint refused the client credentials."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not use this operation."""


class NotFoundError(APIStatusError):
    """404: no such integration."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class RateLimitError(APIStatusError):
    """429: rate limited. ``retry_after`` is the wait the server asked for, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the service failed."""


class APIConnectionError(SimError):
    """The request could not be completed: no connection, or it broke before an answer."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, writing, waiting for or reading the answer)."""


class ResponseDecodeError(SimError):
    """A 2xx answer whose body is not JSON or does not fit the expected model.

    ``body`` is the raw text of the answer; it is kept off the message because an
    integration's attributes hold credentials.
    """

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = response.text
        self.method = response.request.method
        self.url = str(response.request.url)


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

    def __init__(self, response: httpx.Response) -> None:
        self.tracking_id: str | None = None
        self.detail_code: str | None = None
        self.messages: list[str] = []
        try:
            self.body: Any = json.loads(response.content) if response.content else None
        except (ValueError, RecursionError):
            self.body = response.text
            return
        if not isinstance(self.body, dict):
            return
        # ErrorResponseDto: {"detailCode", "trackingId", "messages": [{"text", ...}], "causes"}
        self.tracking_id = _text(self.body.get("trackingId"))
        self.detail_code = _text(self.body.get("detailCode"))
        messages = self.body.get("messages")
        for item in messages if isinstance(messages, list) else ():
            text = _text(item.get("text")) if isinstance(item, dict) else None
            if text:
                self.messages.append(text)
        # 401 {"error": ...}, 429 {"message": ...}, OAuth {"error_description": ...}
        if not self.messages:
            for key in self._TEXT_KEYS:
                text = _text(self.body.get(key))
                if text:
                    self.messages.append(text)
                    break


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), else None.

    Fractional seconds are accepted; a date in the past means 0; anything unparsable is None.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
        return max(0.0, seconds)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def make_status_error(
    response: httpx.Response,
    *,
    context: str = "",
    error_class: type[APIStatusError] | None = None,
) -> APIStatusError:
    """The error for a non-2xx ``response``: the one place a status becomes an error class.

    ``context`` prefixes the message (e.g. ``"token request"``); ``error_class`` overrides the
    class the status would choose.
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
    details = _ErrorDetails(response)
    request = response.request
    reason = response.reason_phrase or "HTTP error"
    prefix = f"{context}: " if context else ""
    message = f"{prefix}{describe_request(request)} -> {status} {reason}"
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
