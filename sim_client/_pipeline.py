"""The life of one call as one loop: rate-limit slot, token, send, classify, retry or return.

:func:`send` is where every API request of :class:`~sim_client.SimClient` goes:

1. **slot**: wait for a place in the rate-limit budget (not counted against ``timeout``);
2. **token**: the bearer of this attempt (cached, or the one fetch in flight);
3. **send**: one exchange under the attempt's deadline, its body read up to the limit
   (:func:`sim_client._transfer.exchange`);
4. **classify**: a 2xx is returned; a 401 with a token the source drops is replayed once;
   anything else becomes its typed error, and then:
5. **retry or raise**: a 429 pauses the whole budget for its ``Retry-After`` and goes again
   without using up ``max_retries`` (bounded by ``max_rate_limit_wait`` in all); 502/503/504,
   timeouts and broken connections go again, with exponential back-off and jitter, for
   idempotent methods, and for any method whose request was never sent
   (:attr:`~sim_client.APIConnectionError.request_sent`, or a failed token fetch).

Every error is built with the secrets of :meth:`Connection.secrets` masked.
"""

from __future__ import annotations

import inspect
import logging
import random
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from sim_client import _clock
from sim_client._failures import runtime_error
from sim_client._masking import redact
from sim_client._notices import notice_deprecation
from sim_client._status import make_status_error
from sim_client._transfer import Transfer, exchange
from sim_client.errors import (
    APIConnectionError,
    APIStatusError,
    ClientClosedError,
    RateLimitError,
    ServerError,
    SimError,
    describe_request,
)

if TYPE_CHECKING:
    import asyncio

    from sim_client._api_versions import ApiVersion
    from sim_client._budget import Budget
    from sim_client._generated.operations import Operation
    from sim_client.auth import ClientCredentialsAuth, StaticTokenAuth

logger = logging.getLogger("sim_client")

BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 8.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_SERVER_STATUSES = frozenset({502, 503, 504})
#: The longest a 429 pauses a shared budget, whatever its Retry-After says.
MAX_PAUSE = 3600.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Options:
    """The settings of one view of a client (:meth:`SimClient.with_options` makes another):
    ``headers`` are the view's own, ``request_headers`` all that an API request carries."""

    transfer: Transfer
    max_retries: int
    max_rate_limit_wait: float
    headers: Mapping[str, str]
    request_headers: Mapping[str | None, httpx.Headers]
    """By the content type of the body (None: no body)."""


@dataclass(eq=False)
class Connection:
    """What every view of one client shares: the HTTP client, the token source, the rate-limit
    budget, the API version, and whether the client is closed."""

    http: httpx.AsyncClient
    auth: StaticTokenAuth | ClientCredentialsAuth
    api: ApiVersion
    tenant_root: str
    budget: Budget | None
    owns_http: bool
    rng: random.Random = field(default_factory=random.Random)
    closed: bool = False
    _waiting: set[asyncio.Task[Any]] = field(default_factory=set)  # in until_closed
    _ended: set[asyncio.Task[Any]] = field(default_factory=set)  # cancelled by close()

    def secrets(self, token: str | None = None) -> tuple[str, ...]:
        """What no message, log record or kept text may show."""
        known = self.auth.secrets()
        return known if token is None else (token, *known)

    def ensure_open(self) -> None:
        """Raise :class:`ClientClosedError` once the client is closed."""
        if self.closed:
            raise ClientClosedError("this SimClient is closed; create a new one")

    async def close(self) -> None:
        """Refuse new attempts, end every wait now, and close the HTTP client if it is ours."""
        if self.closed:
            return
        self.closed = True
        for task in self._waiting:
            self._ended.add(task)
            task.cancel()
        if self.owns_http:
            await self.http.aclose()

    async def until_closed(self, awaitable: Awaitable[T]) -> T:
        """``awaitable``'s outcome, or :class:`ClientClosedError` as soon as the client closes:
        closing cancels it (a rate-limit place it held is freed), as ``asyncio.timeout`` does,
        and the cancellation becomes the error unless the task was cancelled besides."""
        import asyncio

        if self.closed:
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # never started: no "never awaited" warning
            self.ensure_open()
        task = asyncio.current_task()
        assert task is not None, "a SimClient call runs in an asyncio task"
        self._waiting.add(task)
        try:
            return await awaitable
        except asyncio.CancelledError:
            if task not in self._ended or task.uncancel() > 0:
                raise
            raise ClientClosedError("the client was closed while the call waited") from None
        finally:
            self._waiting.discard(task)
            self._ended.discard(task)

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (:func:`sim_client._clock.sleep`), or until the client closes."""
        self.ensure_open()
        await self.until_closed(_clock.wait(seconds))


async def send(
    connection: Connection,
    options: Options,
    operation: Operation,
    request: httpx.Request,
) -> httpx.Response:
    """Send ``request`` until it succeeds or may not be tried again; the 2xx answer, or the
    typed error of the last attempt."""
    auth = connection.auth
    budget = connection.budget
    retries = 0  # attempts after the first, not counting rate-limit waits
    waited = 0.0  # seconds waited for the rate limit, in all
    refusals = 0  # 429s in a row
    replayed = False
    attempt = 0
    limited: RateLimitError | None = None  # the last 429, while its pause is waited for
    while True:
        attempt += 1
        connection.ensure_open()
        if budget is not None:
            if not budget.try_acquire():
                from sim_client._budget import take_slot  # here: asyncio only when a call waits

                left = options.max_rate_limit_wait - waited
                waited += await connection.until_closed(take_slot(budget, left, request, limited))
            limited = None
        started = time.perf_counter()
        sent = False
        try:
            token = await auth.bearer(options.transfer)
            connection.ensure_open()  # closed during the token fetch: a direct send would reopen
            request.headers["Authorization"] = f"Bearer {token}"
            sent = True
            secrets = connection.secrets(token)
            if connection.owns_http:  # closing the client ends the exchange
                response = await exchange(options.transfer, request, secrets=secrets)
            else:  # the caller's client stays open: end the exchange on our own close
                response = await connection.until_closed(
                    exchange(options.transfer, request, secrets=secrets)
                )
        except SimError as error:
            failure = error
        except RuntimeError as error:  # httpx's or asyncio's, not ours
            closed = connection.closed or connection.http.is_closed
            typed = runtime_error(request, error, closed)
            if typed is None:
                raise
            raise typed from error
        else:
            if response.status_code == 401 and not replayed and auth.refused(token):
                replayed = True  # a token the source has dropped: once more with a new one
                _log_attempt(request, attempt, started, response)
                continue
            notice_deprecation(response, operation.name, connection.api.name, secrets)
            if response.is_success:
                _log_attempt(request, attempt, started, response)
                return response
            failure = make_status_error(response, secrets=secrets)
        _log_attempt(request, attempt, started, failure)
        if isinstance(failure, RateLimitError):
            refusals += 1
            pause = rate_limit_wait(failure, refusals, connection.rng)
            if budget is not None:
                # Every call of the budget holds, this one too (in take_slot, for what it may wait).
                await budget.pause(min(pause, MAX_PAUSE))
            if waited + pause > options.max_rate_limit_wait:
                from sim_client._budget import not_retried

                raise not_retried(failure, pause, options.max_rate_limit_wait - waited)
            limited = failure
            if budget is None:
                if pause > 1.0:
                    logger.info(
                        "rate limited: %s answered 429; waiting %.1f s for the rate limit",
                        describe_request(request),
                        pause,
                    )
                await connection.pause(pause)
                waited += pause
            continue
        refusals = 0
        if retries >= options.max_retries or not should_retry(failure, request.method, sent):
            raise failure
        retries += 1
        delay = backoff(retries, connection.rng)
        logger.warning(
            "retrying %s in %.2f s (attempt %d of %d) after %s",
            describe_request(request),
            delay,
            retries + 1,
            options.max_retries + 1,
            getattr(failure, "status_code", None) or type(failure).__name__,
        )
        await connection.pause(delay)


def should_retry(error: SimError, method: str, sent: bool) -> bool:
    """Whether ``error`` of a ``method`` request may be tried again (429 aside: see :func:`send`).

    ``sent`` is False when the request never left: its token could not be had.
    """
    repeatable = method in IDEMPOTENT_METHODS or not sent
    if isinstance(error, ServerError):
        return error.status_code in RETRYABLE_SERVER_STATUSES and repeatable
    if isinstance(error, APIConnectionError):
        return error.retryable and (repeatable or not error.request_sent)
    return False


def backoff(retry: int, rng: random.Random) -> float:
    """Seconds before retry number ``retry`` (1-based): exponential, capped, up to 25 % less."""
    base = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** (retry - 1))
    return base * (1.0 - 0.25 * rng.random())


def rate_limit_wait(error: RateLimitError, refusals: int, rng: random.Random) -> float:
    """How long the ``refusals``-th 429 in a row holds its budget: its ``Retry-After``, and
    from the second in a row at least a back-off step, so that a service answering
    ``Retry-After: 0`` for ever is not asked again at once, for ever."""
    floor = backoff(refusals - 1, rng) if refusals > 1 else 0.0
    if error.retry_after is not None:
        return max(error.retry_after, floor)
    return max(backoff(refusals, rng), floor)


def _log_attempt(
    request: httpx.Request, attempt: int, started: float, outcome: httpx.Response | SimError
) -> None:
    """DEBUG: method, path, status (or error class), elapsed ms, attempt, tracking id."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    tracking_id: str | None = None
    if isinstance(outcome, httpx.Response):
        result = str(outcome.status_code)
    elif isinstance(outcome, APIStatusError):
        result, tracking_id = str(outcome.status_code), outcome.tracking_id
    else:
        result = type(outcome).__name__
    logger.debug(
        "%s -> %s in %.1f ms (attempt %d)%s",
        describe_request(request),
        result,
        (time.perf_counter() - started) * 1000,
        attempt,
        f" tracking id {redact(tracking_id)}" if tracking_id else "",
    )
