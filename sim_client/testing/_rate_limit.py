"""The service's rate limit, as the fake enforces it: fixed windows per client."""

from __future__ import annotations

import math
from collections.abc import Callable

from starlette.responses import JSONResponse, Response

from sim_client.rate_limit import RateLimit

from ._errors import RATE_LIMITED


class FixedWindowLimiter:
    """Counts each client's API requests in fixed windows of ``limit.per`` seconds of
    ``clock`` (aligned on multiples of ``per``); past ``limit.requests`` in a window, a request
    is refused until the window ends. Refused requests are not counted."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.clock = clock
        self.refused = 0
        """How many requests were refused so far."""
        self._windows: dict[str, tuple[int, int]] = {}  # client -> (window number, count)

    def __repr__(self) -> str:
        return f"<FixedWindowLimiter {self.limit.describe()}, {self.refused} refused>"

    def admit(self, client: str) -> Response | None:
        """Count a request of ``client``; None when it may be served, else the service's 429
        (``Retry-After``: whole seconds to the window's end, at least 1)."""
        now = self.clock()
        window = math.floor(now / self.limit.per)
        current, count = self._windows.get(client, (window, 0))
        if current != window:
            count = 0
        if count >= self.limit.requests:
            self.refused += 1
            retry_after = max(1, math.ceil((window + 1) * self.limit.per - now))
            return JSONResponse(
                dict(RATE_LIMITED), status_code=429, headers={"Retry-After": str(retry_after)}
            )
        self._windows[client] = (window, count + 1)
        return None
