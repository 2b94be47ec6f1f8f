"""The errors ``sim_client`` raises (a status becomes one in :mod:`sim_client._status`).

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
        └── ResponseTooLargeError    a 2xx larger than the client's max_response_bytes

Messages carry the method, the path, the status and the server's own error texts; never a
header value, a query string, a token, a secret or a response body that could hold
credentials. Every server-provided text is masked and cut (:mod:`sim_client._masking`) before
it is kept or shown; ``body`` keeps at most :data:`MAX_BODY_EXCERPT` characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from sim_client._masking import excerpt, hide, redact

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
    "ResponseTooLargeError",
    "ServerError",
    "SimError",
    "describe_request",
    "redact",
]

#: ``body`` of an error keeps the parsed JSON of an answer up to this many characters long,
#: and of a longer (or non-JSON) answer its first this many characters as text.
MAX_BODY_EXCERPT = 8192
#: At most this many of the server's texts are kept in ``messages``.
MAX_MESSAGES = 20


class SimError(Exception):
    """The base of every error this library raises on purpose."""


def describe_request(request: httpx.Request, context: str = "") -> str:
    """``METHOD /path`` as sent (ids stay percent-encoded; no host, no query), after
    ``context`` if there is one (``token request: POST /oauth/token``)."""
    described = f"{request.method} {request.url.raw_path.decode('ascii').split('?', 1)[0]}"
    return f"{context}: {described}" if context else described


def response_text(response: httpx.Response) -> str:
    """The body of ``response`` as text; as UTF-8 (errors replaced) when the charset it names
    cannot decode it (``charset=rot13``, ``hex``, an unknown or a broken one)."""
    try:
        return response.text
    except Exception:  # a codec of any kind may fail in any way
        return response.content.decode("utf-8", errors="replace")


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
    """The request could not be completed: no connection, or it broke before an answer.

    ``request_sent`` says whether any of the request may have reached the server (False when
    no connection could be opened: repeating it is safe for every method); ``retryable`` is
    False where trying again cannot help (a host name that does not resolve).
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        request_sent: bool = True,
        retryable: bool = True,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.request_sent = request_sent
        self.retryable = retryable


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, writing, waiting for or reading the answer)."""


class ResponseDecodeError(SimError):
    """A 2xx answer whose body is not JSON or does not fit the expected model.

    ``body`` is the raw text of the answer (at most :data:`MAX_BODY_EXCERPT` characters; the
    known secrets masked); it is kept off the message because an integration's attributes hold
    credentials.
    """

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = excerpt(response_text(response), MAX_BODY_EXCERPT)
        self.method = response.request.method
        self.url = str(response.request.url)

    def hide(self, secrets: Iterable[str]) -> None:
        """Mask ``secrets`` in the message and the body (they are known only to the caller)."""
        self.args = tuple(redact(str(arg), secrets) for arg in self.args)
        self.body = hide(self.body, secrets)


class ResponseTooLargeError(ResponseDecodeError):
    """A 2xx answer longer than ``max_response_bytes`` (decoded); the rest was not read."""
