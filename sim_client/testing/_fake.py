"""FakeSimServer: the in-memory SIM Integrations service and its two plug-ins."""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from starlette.types import ASGIApp

from sim_client.rate_limit import RateLimit

from ._app import SimApp
from ._auth import Credentials
from ._errors import ApiError, JsonObject
from ._faults import (
    TOKEN_PATH,
    Body,
    Delays,
    Fault,
    FaultMiddleware,
    FaultQueue,
    RecordedRequest,
)
from ._rate_limit import FixedWindowLimiter
from ._serve import serve as _serve
from ._store import IntegrationStore
from ._transport import FakeTransport

if TYPE_CHECKING:
    from sim_client.client import SimClient

DEFAULT_TOKEN = "fake-static-token"  # noqa: S105  # a well-known test value
"""The static bearer token a FakeSimServer accepts unless given ``tokens``."""
DEFAULT_CLIENT_ID = "fake-client-id"
"""The client id a FakeSimServer's ``/oauth/token`` accepts unless given ``clients``."""
DEFAULT_CLIENT_SECRET = "fake-client-secret"  # noqa: S105  # a well-known test value
"""The secret that goes with :data:`DEFAULT_CLIENT_ID`."""
DEFAULT_RETRY_AFTER = "1"
"""The ``Retry-After`` of a queued 429 unless the test gives another (or None)."""


class _Default(enum.Enum):
    DEFAULT = "DEFAULT"


DEFAULT = _Default.DEFAULT


class FakeSimServer:
    """An in-memory, stateful fake of the SIM Integrations service, with fault injection.

    Plug it in-process with :attr:`transport` (base URL :attr:`base_url`), or over a real
    loopback socket with ``async with fake.serve() as base_url``. Use it from one event loop.
    Both plug-ins serve the same state, faults and request log. One difference: a request
    that outlasts the client's read timeout is abandoned in-process (it changes nothing),
    while over loopback the server carries it out after the client has gone, as a real one
    would.

    Args:
        tokens: bearer tokens accepted as they are; they never expire.
        clients: client id -> client secret pairs ``POST /oauth/token`` accepts
            (default: ``{DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}``).
        expires_in: lifetime in seconds of the tokens ``/oauth/token`` issues.
        explicit_nulls: answer ``null`` for every field of an integration that is not set, at
            every level, as a Jackson service does (the fragment does not allow these nulls:
            this is for testing a reader that tolerates them).
        delete_status: the status of a successful DELETE: 204 (the default), or 200, which the
            published document gives; neither carries a body.
        rate_limit: enforce this limit as the service does (it allows ``RateLimit(100,
            per=10.0)``): each client's API requests (those of the tokens issued to one client
            id, or of one static token) are counted in fixed windows of ``per`` seconds of
            ``clock``; past ``requests`` the answer is the service's 429, with ``Retry-After``
            whole seconds to the window's end (at least 1) and ``{"message": " Rate Limit
            Exceeded "}``. None (the default): no limit.
        clock: monotonic seconds for the rate limit's windows.
        max_body: a request body longer than this many bytes is answered 413 unread.
        notices: headers sent with every API answer, as the service announces a retirement
            (``{"Deprecation": "true", "Sunset": "Wed, 01 Jul 2027 00:00:00 GMT"}``); change
            them later through :attr:`notices`.
    """

    base_url = "http://127.0.0.1"
    """The conventional base URL for :attr:`transport`; any host reaches the fake in-process."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        clients: Mapping[str, str] | None = None,
        expires_in: int = 749,
        explicit_nulls: bool = False,
        delete_status: int = 204,
        rate_limit: RateLimit | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_body: int | None = None,
        notices: Mapping[str, str] | None = None,
    ) -> None:
        if clients is None:
            clients = {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise TypeError("rate_limit must be a RateLimit or None")
        if rate_limit is not None and rate_limit.store is not None:
            raise ValueError("the fake keeps its rate limit in memory: give it no store")
        if max_body is not None and max_body < 0:
            raise ValueError("max_body cannot be negative")
        self._limiter = None if rate_limit is None else FixedWindowLimiter(rate_limit, clock)
        self._store = IntegrationStore()
        self._credentials = Credentials(tokens, clients, expires_in=expires_in)
        self._faults = FaultQueue()
        self._delays = Delays()
        self._requests: list[RecordedRequest] = []
        self.token_requests = 0
        """How many requests reached ``/oauth/token``, failed or injected ones included."""
        self._app = SimApp(
            self._store,
            self._credentials,
            explicit_nulls=explicit_nulls,
            delete_status=delete_status,
            limiter=self._limiter,
            notices=notices,
        )
        self.app: ASGIApp = FaultMiddleware(
            self._app,
            faults=self._faults,
            log=self._requests,
            delays=self._delays,
            on_request=self._count_token_request,
            max_body=max_body,
        )
        """The ASGI app both plug-ins run; a dropped connection raises out of it."""
        self._transport = FakeTransport(self.app)

    @property
    def notices(self) -> dict[str, str]:
        """The headers sent with every API answer (a dict to change in place)."""
        return self._app.notices

    def __repr__(self) -> str:
        return (
            f"<FakeSimServer {len(self._store)} integration(s), "
            f"{len(self._requests)} request(s), {self._faults.pending} pending fault(s)>"
        )

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (``.clear()`` it to start afresh)."""
        return self._requests

    # --- plugging it in ---

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """An in-process httpx transport to the fake (``httpx.AsyncClient(transport=...)``)."""
        return self._transport

    def serve(self, *, port: int = 0) -> contextlib.AbstractAsyncContextManager[str]:
        """Serve the fake with uvicorn on 127.0.0.1 (``port``, or a free one when 0); yields
        ``http://127.0.0.1:PORT``.

        The server runs as a task in the current event loop and is shut down on exit.
        """
        return _serve(self.app, before_shutdown=self._delays.wake_all, port=port)

    def client(self, **kwargs: Any) -> SimClient:
        """A :class:`sim_client.SimClient` wired to :attr:`transport`.

        Defaults: ``base_url=fake.base_url``, the first client-credential pair (or, if there is
        none, the first static token), and the in-process transport (the client's own
        ``httpx.AsyncClient``, closed with it; pass ``http_client`` to use another).
        """
        from sim_client.client import SimClient

        kwargs.setdefault("base_url", self.base_url)
        if not {"token", "client_id", "client_secret"} & kwargs.keys():
            if self._credentials.clients:
                kwargs["client_id"] = self.client_id
                kwargs["client_secret"] = self.client_secret
            else:
                kwargs["token"] = self.token
        if "http_client" not in kwargs:
            kwargs.setdefault("transport", self.transport)
        return SimClient(**kwargs)

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate limit the fake enforces, if any."""
        return None if self._limiter is None else self._limiter.limit

    @property
    def rate_limited(self) -> int:
        """How many requests the rate limit refused with 429 (injected 429s not included)."""
        return 0 if self._limiter is None else self._limiter.refused

    # --- credentials ---

    @property
    def token(self) -> str:
        """The first static token, ready for ``Authorization: Bearer ...``."""
        if not self._credentials.static_tokens:
            raise LookupError("the fake has no static token")
        return self._credentials.static_tokens[0]

    @property
    def client_id(self) -> str:
        """The id of the first client-credential pair."""
        return self._first_client()[0]

    @property
    def client_secret(self) -> str:
        """The secret of the first client-credential pair."""
        return self._first_client()[1]

    @property
    def expires_in(self) -> int:
        """Lifetime in seconds of the tokens issued from now on."""
        return self._credentials.expires_in

    @expires_in.setter
    def expires_in(self, seconds: int) -> None:
        self._credentials.expires_in = seconds

    def add_token(self, token: str) -> None:
        """Accept ``token`` as a static bearer token too."""
        self._credentials.static_tokens.append(token)

    def add_client(self, client_id: str, client_secret: str) -> None:
        """Accept this client-credential pair at ``/oauth/token`` too."""
        self._credentials.clients[client_id] = client_secret

    def expire_tokens(self) -> None:
        """Let every token issued so far expire now (static tokens stay valid)."""
        self._credentials.expire_issued()

    # --- state ---

    @property
    def integrations(self) -> dict[str, JsonObject]:
        """A copy of the stored integrations by id, in creation order."""
        return self._store.snapshot()

    def add_integration(self, details: Mapping[str, Any]) -> JsonObject:
        """Store an integration directly, as a POST would; returns it as the fake answers it.

        Raises ValueError where the service would answer 400.
        """
        try:
            return self._app.shown(self._store.create(dict(details)))
        except ApiError as exc:
            raise ValueError(exc.text) from None

    # --- faults ---

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: str | float | _Default | None = DEFAULT,
        body: Body = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead of serving them.

        ``method`` and ``path`` (a prefix of the raw path) narrow the match; None matches any.
        ``retry_after`` is sent as the ``Retry-After`` header as given (None sends none); by
        default a 429 carries ``Retry-After: 1``, as the service sends one, and other statuses
        none. ``body`` replaces the default body: bytes or str are sent raw (e.g. invalid JSON
        with a 200), a dict or list as JSON. Without it, 429 carries
        ``{"message": " Rate Limit Exceeded "}``, 401 ``{"error": ...}``, other 4xx/5xx an
        ``ErrorResponseDto``, and 1xx-3xx no body.
        ``delay`` seconds pass before the answer.
        """
        self._faults.add(
            Fault(
                "respond",
                times,
                method=method,
                path=path,
                delay=delay,
                status=status,
                retry_after=_retry_after(status, retry_after),
                body=body,
                headers=dict(headers or {}),
            )
        )

    def drop(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        handled: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Close the connection of the next ``times`` matching requests without an answer.

        With ``handled=True`` the request is carried out first (a POST creates), so the
        caller cannot tell whether it took effect. In-process the client gets
        :class:`httpx.RemoteProtocolError`; over loopback the socket is closed.
        """
        self._faults.add(
            Fault("drop", times, method=method, path=path, delay=delay, handled=handled)
        )

    def delay(
        self,
        seconds: float,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Wait ``seconds`` before serving the next ``times`` matching requests normally."""
        self._faults.add(Fault("delay", times, method=method, path=path, delay=seconds))

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many requests the queued faults will still apply to."""
        return self._faults.pending

    # --- internals ---

    def _first_client(self) -> tuple[str, str]:
        if not self._credentials.clients:
            raise LookupError("the fake has no client-credential pair")
        return next(iter(self._credentials.clients.items()))

    def _count_token_request(self, record: RecordedRequest) -> None:
        if record.path == TOKEN_PATH:
            self.token_requests += 1


def _retry_after(status: int, given: str | float | _Default | None) -> str | None:
    if given is DEFAULT:
        return DEFAULT_RETRY_AFTER if status == 429 else None
    return None if given is None else str(given)
