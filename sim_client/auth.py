"""Bearer tokens as ``httpx.Auth`` flows: a static token, or OAuth2 client credentials.

The client-credentials flow fetches a token on first use, caches it, fetches a new one shortly
before ``expires_in`` runs out, and makes one token request however many calls wait for it at
the same time. A 401 on a request made with a cached token drops that token, fetches a new one
and replays the request once. The token request goes out through the same ``httpx.AsyncClient``
as the request it serves (its transport, hooks and proxies apply).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from sim_client._arguments import check_credential, check_url, is_header_safe
from sim_client.errors import (
    APIStatusError,
    AuthenticationError,
    describe_request,
    make_status_error,
)

__all__ = ["ClientCredentialsAuth", "StaticTokenAuth", "make_auth"]

#: Refresh this long before expiry at most; a short-lived token is refreshed at 90 % of its life.
REFRESH_MARGIN = 60.0
#: Assumed lifetime when the token endpoint does not say.
DEFAULT_EXPIRES_IN = 300.0
# Headers of the served request that the token request sets for itself (or must not carry).
_OWN_HEADERS = frozenset(
    {"authorization", "content-type", "content-length", "transfer-encoding", "host", "accept"}
    | {"x-sailpoint-experimental"}  # an API header, never sent to /oauth/token
)


class StaticTokenAuth(httpx.Auth):
    """Sends a ready bearer token with every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        return "StaticTokenAuth(token=***)"

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = self._header
        yield request


class ClientCredentialsAuth(httpx.Auth):
    """OAuth2 client credentials with a cached, single-flight, early-refreshed token."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        import asyncio  # here: importing sim_client does not need asyncio loaded

        self._lock = asyncio.Lock()
        self.token_requests = 0
        """How many token requests this flow has sent (for tests and metrics)."""
        # Answered fetches so far, and the last refused one with its number: callers that
        # queued while it was in flight share its error instead of each asking again.
        self._answered = 0
        self._failure: tuple[int, APIStatusError] | None = None

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={self._token_url!r}, client_secret=***)"

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ClientCredentialsAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover - makes this a generator

    def _cached(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._cached()
        if token is None:
            queued_at = self._answered
            async with self._lock:
                token = self._cached()
                if token is None:
                    self._raise_failure_since(queued_at)
                    answer = yield self._token_request(request)
                    token = await self._store(answer)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        queued_at = self._answered
        async with self._lock:
            if self._token == token:
                self._token = None  # rejected: drop it so that every caller fetches anew
            fresh = self._cached()
            if fresh is None:
                self._raise_failure_since(queued_at)
                answer = yield self._token_request(request)
                fresh = await self._store(answer)
        request.headers["Authorization"] = f"Bearer {fresh}"
        yield request

    def _raise_failure_since(self, queued_at: int) -> None:
        """Re-raise the refusal of a fetch made while this caller waited, if there was one."""
        if self._failure is not None and self._failure[0] > queued_at:
            raise self._failure[1].with_traceback(None)

    def _token_request(self, served: httpx.Request) -> httpx.Request:
        """The token request, with the headers (but for its own) and timeout of ``served``."""
        self.token_requests += 1
        headers = {
            name: value
            for name, value in served.headers.multi_items()
            if name.lower() not in _OWN_HEADERS
        }
        headers["Accept"] = "application/json"
        return httpx.Request(
            "POST",
            self._token_url,
            data=self._form,
            headers=headers,
            extensions={"timeout": served.extensions.get("timeout", {})},
        )

    async def _store(self, response: httpx.Response) -> str:
        """Cache the token from a token-endpoint answer, or raise AuthenticationError."""
        await response.aread()
        self._answered += 1
        try:
            token, expires_in = self._decode(response)
        except APIStatusError as error:
            self._failure = (self._answered, error)
            raise
        self._failure = None
        margin = min(REFRESH_MARGIN, expires_in * 0.1)
        self._token = token
        self._refresh_at = self._clock() + expires_in - margin
        return token

    @staticmethod
    def _decode(response: httpx.Response) -> tuple[str, float]:
        """The access token and its lifetime from a token-endpoint answer, else the error."""
        if not response.is_success:
            # Refused credentials are an AuthenticationError whatever the 4xx; 429 and 5xx keep
            # their own classes so that the retry policy treats them as it does any answer.
            refused = 400 <= response.status_code < 500 and response.status_code != 429
            raise make_status_error(
                response,
                context="token request",
                error_class=AuthenticationError if refused else None,
            )
        try:
            payload = json.loads(response.content)
            token = payload["access_token"]
            expires_in = float(payload.get("expires_in", DEFAULT_EXPIRES_IN))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            token, expires_in = None, 0.0
        # The token travels in a header: anything but visible ASCII would break (and echo) it.
        usable = isinstance(token, str) and is_header_safe(token)
        if not usable or not expires_in > 0:
            raise AuthenticationError(
                f"token request: {describe_request(response.request)} -> {response.status_code}: "
                "the answer carries no usable access_token/expires_in",
                response=response,
                body=None,
            )
        return token, expires_in


def make_auth(
    token: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_url: str | None,
    tenant_root: str,
) -> httpx.Auth:
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
