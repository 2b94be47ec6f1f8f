"""The retry policy: which failures are tried again, how long to wait, and the loop that does it.

- 429 is retried for every method, waiting ``Retry-After`` (seconds or an HTTP-date) when the
  server gives one; a ``Retry-After`` above :data:`RETRY_AFTER_CAP` is not waited for.
- 502, 503, 504, timeouts and broken connections are retried for GET, PUT and DELETE only:
  a POST or PATCH may already have taken effect.
- A connection that could not be opened is retried for every method: nothing was sent. So is
  a failed token fetch (429, 502/503/504, a timeout or broken connection of the token request)
  that an API request waited for: that request was not sent.
- Otherwise the wait is exponential from :data:`BACKOFF_INITIAL`, capped at
  :data:`BACKOFF_MAX`, with up to 25 % jitter taken off.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import httpx

from sim_client.errors import APIConnectionError, RateLimitError, ServerError, SimError

if TYPE_CHECKING:
    import asyncio

RETRY_AFTER_CAP = 60.0
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 8.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_SERVER_STATUSES = frozenset({502, 503, 504})
# Failures that happen before any byte of the request left: safe to repeat for every method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

T = TypeVar("T")


async def sleep(seconds: float) -> None:
    """Wait between attempts; a module function so that tests can replace it."""
    import asyncio  # here: importing sim_client does not need asyncio loaded

    await asyncio.sleep(seconds)


class RetryPolicy:
    """Decides whether a failed attempt is tried again and after how long, and runs the attempts."""

    def __init__(
        self,
        max_retries: int,
        *,
        logger: logging.Logger,
        rng: random.Random | None = None,
    ) -> None:
        self.max_retries = max_retries
        self._logger = logger
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._woken: set[asyncio.Future[None]] = set()
        self._awake = False

    def wake(self) -> None:
        """End every wait between attempts, now and from now on (the client is closing): each
        goes on to its next attempt at once, which finds the client closed."""
        self._awake = True
        for woken in self._woken:
            if not woken.done():
                woken.set_result(None)

    async def _pause(self, seconds: float) -> None:
        """:func:`sleep` for ``seconds``, or until :meth:`wake`."""
        import asyncio

        if self._awake:
            return
        woken = asyncio.get_running_loop().create_future()
        pause = asyncio.ensure_future(sleep(seconds))
        self._woken.add(woken)
        try:
            await asyncio.wait((pause, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._woken.discard(woken)
            pause.cancel()

    def should_retry(self, error: SimError, method: str) -> bool:
        """Whether ``error`` from a ``method`` request may be tried again at all."""
        if isinstance(error, RateLimitError):
            return error.retry_after is None or error.retry_after <= RETRY_AFTER_CAP
        repeatable = method in IDEMPOTENT_METHODS or error._api_request_unsent
        if isinstance(error, ServerError):
            return error.status_code in RETRYABLE_SERVER_STATUSES and repeatable
        if isinstance(error, APIConnectionError):
            return repeatable or isinstance(error.__cause__, _NOT_SENT)
        return False

    def delay(self, error: SimError, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return error.retry_after
        base = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** (attempt - 1))
        return base * (1.0 - 0.25 * self._rng.random())

    async def run(
        self,
        method: str,
        attempt: Callable[[int], Awaitable[T]],
        *,
        describe: Callable[[], str],
    ) -> T:
        """Await ``attempt(n)`` for n = 1, 2, ... until it succeeds or may not be retried.

        ``describe()`` names the request in log records (e.g. ``GET /beta/sim-integrations``);
        it is called only when a retry is logged.
        """
        number = 1
        while True:
            try:
                return await attempt(number)
            except SimError as error:
                if number > self.max_retries or not self.should_retry(error, method):
                    raise
                wait = self.delay(error, number)
                self._logger.warning(
                    "retrying %s in %.2f s (attempt %d of %d) after %s",
                    describe(),
                    wait,
                    number + 1,
                    self.max_retries + 1,
                    _describe(error),
                )
                await self._pause(wait)
                number += 1


def _describe(error: SimError) -> str:
    status = getattr(error, "status_code", None)
    return f"{status}" if status is not None else type(error).__name__
