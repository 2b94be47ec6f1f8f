"""``RateLimit``: how many requests a client may send per period (the service's is 100 per 10 s)."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["RateLimit"]


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` API requests in any ``per`` seconds, for every client of a process
    with the same tenant and client id (or token)."""

    requests: int
    per: float = 10.0
    store: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.requests, bool) or not isinstance(self.requests, int):
            raise TypeError("RateLimit requests must be an int")
        if self.requests < 1:
            raise ValueError("RateLimit requests must be at least 1")
        if isinstance(self.per, bool) or not isinstance(self.per, int | float):
            raise TypeError("RateLimit per must be a number of seconds")
        if not math.isfinite(self.per) or self.per <= 0:
            raise ValueError("RateLimit per must be finite seconds > 0")
