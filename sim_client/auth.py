"""Bearer tokens: a static token, or OAuth2 client credentials (both ``httpx.Auth`` flows too).

``SimClient`` asks its token source for each attempt's bearer (``bearer``), says when the
service answered 401 (``refused``: whether to replay once) and masks its ``secrets()``.

The client-credentials flow caches its token and fetches a new one shortly before
``expires_in`` runs out. It sends the token request itself through the same httpx client, not
from an httpx auth flow (whose request would belong to one call: its timeout, cancellation and
redirects). One fetch is a task shared by every caller that needs a token meanwhile: each waits
within its own deadline and gets the outcome; the next call after a failure asks again. The
token request carries only the headers it needs, and never follows a redirect.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING

import httpx

from sim_client._settings import check_credential, check_url, is_header_safe
from sim_client._status import make_status_error
from sim_client._transfer import Transfer, attempt_deadline, exchange
from sim_client.errors import (
    APITimeoutError,
    AuthenticationError,
    ResponseDecodeError,
    SimError,
    describe_request,
)

if TYPE_CHECKING:
    import asyncio

__all__ = ["ClientCredentialsAuth", "StaticTokenAuth", "make_auth"]

#: Refresh this long before expiry at most; a short-lived token is refreshed at 90 % of its life.
REFRESH_MARGIN = 60.0
#: Assumed lifetime when the token answer has no ``expires_in`` (RFC 6749 makes it optional).
DEFAULT_EXPIRES_IN = 300.0
# Default headers of the httpx client that the token request does not take over: credentials
# and cookies meant for the API, and the headers that describe the token request's own body.
_NOT_COPIED = frozenset(
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "host",
        "accept",
        "content-type",
        "content-length",
        "transfer-encoding",
    ]
)


class StaticTokenAuth(httpx.Auth):
    """Sends a ready bearer token with every request."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticTokenAuth(token=***)"

    async def bearer(self, transfer: Transfer) -> str:
        """The token to send."""
        return self._token

    def budget_identity(self) -> str:
        """Whose rate-limit budget this is (hashed before use, never shown)."""
        return f"token:{self._token}"

    def refused(self, token: str) -> bool:
        """A 401 answered ``token``: nothing else to send, so no replay."""
        return False

    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message or a log record."""
        return (self._token,)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class ClientCredentialsAuth(httpx.Auth):
    """OAuth2 client credentials with a cached, single-flight, early-refreshed token (as an
    ``httpx.Auth`` of its own, it sends token requests through ``http_client``)."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._token_url = token_url
        self._secret = client_secret
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._clock = clock
        self._http = http_client
        self._token: str | None = None
        self._refresh_at = 0.0
        self._fetch: asyncio.Future[str] | None = None
        self.token_requests = 0
        """How many token requests this flow has sent (for tests and metrics)."""

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={self._token_url!r}, client_secret=***)"

    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message or a log record."""
        return (self._secret,) if self._token is None else (self._secret, self._token)

    def budget_identity(self) -> str:
        """Whose rate-limit budget this is: the service counts per client id."""
        return f"client:{self._form['client_id']}"

    def _cached(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def bearer(self, transfer: Transfer) -> str:
        """The cached token, or the outcome of the one fetch in flight (started if none is, and
        bounded by its starter's deadline); a caller that joins it waits its own deadline."""
        token = self._cached()
        if token is not None:
            return token
        import asyncio  # here: importing sim_client does not need asyncio loaded

        fetch = self._fetch
        if fetch is None or fetch.done() or fetch.get_loop() is not asyncio.get_running_loop():
            # The fetch is bounded by this caller's deadline: its outcome is this caller's.
            fetch = self._fetch = asyncio.ensure_future(self._fetch_token(transfer))
            fetch.add_done_callback(_consume)
            return await asyncio.shield(fetch)
        try:
            async with asyncio.timeout(transfer.deadline):
                return await asyncio.shield(fetch)
        except SimError as error:
            raise _fresh(error) from error.__cause__  # each waiter its own error object
        except TimeoutError:
            request = httpx.Request("POST", self._token_url)
            raise APITimeoutError(
                f"{describe_request(request, 'token request')} timed out: no token within "
                f"{transfer.deadline:g} s"
            ) from None

    def refused(self, token: str) -> bool:
        """A 401 answered a request sent with ``token``: drop it (if still cached); replay once."""
        if self._token == token:
            self._token = None
        return True

    async def _fetch_token(self, transfer: Transfer) -> str:
        """Ask the token endpoint; cache and return its token, or raise what went wrong."""
        request = self._token_request(transfer)
        self.token_requests += 1
        try:
            response = await exchange(
                transfer,
                request,
                context="token request",
                secrets=(self._secret,),
                follow_redirects=False,
            )
        except ResponseDecodeError as error:
            error.body = ""  # a 2xx token answer: its text holds the token
            raise
        token, expires_in = self._decode(response)
        self._token = token
        self._refresh_at = self._clock() + expires_in - min(REFRESH_MARGIN, expires_in * 0.1)
        return token

    def _token_request(self, transfer: Transfer) -> httpx.Request:
        """The token request: the httpx client's own default headers (User-Agent among them)
        but credentials, cookies and body headers, and the timeout of the calling request."""
        headers = [
            (name, value)
            for name, value in transfer.http.headers.multi_items()
            if name.lower() not in _NOT_COPIED
        ]
        headers.append(("Accept", "application/json"))
        # Always set: httpx before 0.28 sends a request without one with no timeout at all.
        timeout = transfer.timeout or transfer.http.timeout
        return httpx.Request(
            "POST",
            self._token_url,
            data=self._form,
            headers=headers,
            extensions={"timeout": timeout.as_dict()},
        )

    def _decode(self, response: httpx.Response) -> tuple[str, float]:
        """The access token and its lifetime from a token-endpoint answer, else the error."""
        if not response.is_success:
            # Refused credentials are an AuthenticationError whatever the 4xx; 429 and 5xx keep
            # their own classes so that the retry policy treats them as it does any answer.
            refused = 400 <= response.status_code < 500 and response.status_code != 429
            raise make_status_error(
                response,
                context="token request",
                error_class=AuthenticationError if refused else None,
                secrets=(self._secret,),
            )
        try:
            payload = json.loads(response.content)
            token = payload["access_token"]
            expires_in = _lifetime(payload.get("expires_in"))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            token, expires_in = None, None
        # The token travels in a header: anything but visible ASCII would break (and echo) it.
        if not isinstance(token, str) or not is_header_safe(token) or expires_in is None:
            raise AuthenticationError(
                f"{describe_request(response.request, 'token request')} -> {response.status_code}: "
                "the answer carries no usable access_token/expires_in",
                response=response,
                body=None,
            )
        return token, expires_in

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ClientCredentialsAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._http is None:
            raise RuntimeError("ClientCredentialsAuth needs http_client= to act as an httpx.Auth")
        timeout = httpx.Timeout(**request.extensions["timeout"])
        transfer = Transfer(self._http, timeout, attempt_deadline(timeout))
        token = await self.bearer(transfer)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and self.refused(token):
            request.headers["Authorization"] = f"Bearer {await self.bearer(transfer)}"
            yield request


def _lifetime(expires_in: object) -> float | None:
    """``expires_in`` in seconds: absent or null is :data:`DEFAULT_EXPIRES_IN`; a positive,
    finite number (or a string of one) is itself; anything else (a boolean, 0, < 0) is None."""
    if expires_in is None:
        return DEFAULT_EXPIRES_IN
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float | str):
        return None
    try:
        seconds = float(expires_in)
    except (ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _fresh(error: SimError) -> SimError:
    """A copy of ``error`` for one more waiter: a raised error collects its raiser's traceback
    and context, which must not mix between the calls that shared one token fetch."""
    copy = error.__class__.__new__(error.__class__)
    copy.__dict__.update(error.__dict__)
    copy.args = error.args
    return copy


def _consume(fetch: asyncio.Future[str]) -> None:
    """Mark a fetch's error as seen: every waiter may have given up before it came."""
    if not fetch.cancelled():
        fetch.exception()


def make_auth(
    token: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_url: str | None,
    tenant_root: str,
) -> StaticTokenAuth | ClientCredentialsAuth:
    """The token flow for exactly one credential source."""
    has_pair = client_id is not None or client_secret is not None
    if token is not None and has_pair:
        raise ValueError("give either token or client_id and client_secret, not both")
    if token is not None:
        if token_url is not None:
            raise ValueError("token_url goes with client_id and client_secret, not with token")
        return StaticTokenAuth(check_credential(token, "token"))
    if not has_pair:
        raise ValueError("credentials are missing: give token, or client_id and client_secret")
    if client_id is None or client_secret is None:
        raise ValueError("client_id and client_secret go together: give both")
    url = check_url(token_url, "token_url") if token_url is not None else None
    return ClientCredentialsAuth(
        url or f"{tenant_root}/oauth/token",
        check_credential(client_id, "client_id"),
        check_credential(client_secret, "client_secret"),
    )
