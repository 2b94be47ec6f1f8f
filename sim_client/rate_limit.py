"""RateLimit: how many requests a client may send per window, and where the budget is kept.

The service allows 100 API requests per 10 s per OAuth client, across every process that uses
the client id. ``RateLimit(100, per=10.0)`` keeps that budget in the process;
``RateLimit(100, per=10.0, store="redis://host:6379/0")`` keeps it in Redis so that every
process sharing the client id shares it (extra ``sim-client[redis]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

STORE_SCHEMES = ("redis", "rediss")
"""The URL schemes ``store`` accepts."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` requests in any ``per`` seconds.

    Args:
        requests: how many requests a window allows, an int > 0.
        per: the window in seconds, finite and > 0.
        store: None keeps the budget in the process; a ``redis://host:port/db`` (or
            ``rediss://``) URL keeps it in Redis, shared by every process that uses the URL.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: a count or window out of range, or a store URL that is not Redis's.

    ``repr()`` never shows a password of the store URL.
    """

    requests: int
    per: float = 10.0
    store: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.requests, bool) or not isinstance(self.requests, int):
            raise TypeError(f"requests must be an int, not {type(self.requests).__name__}")
        if self.requests <= 0:
            raise ValueError(f"requests must be > 0, not {self.requests}")
        if isinstance(self.per, bool) or not isinstance(self.per, int | float):
            raise TypeError(f"per must be a number of seconds, not {type(self.per).__name__}")
        if not math.isfinite(self.per) or self.per <= 0:
            raise ValueError(f"per must be a finite number of seconds > 0, not {self.per}")
        object.__setattr__(self, "per", float(self.per))
        if self.store is not None:
            _check_store(self.store)

    def __repr__(self) -> str:
        store = "" if self.store is None else f", store={redacted(self.store)!r}"
        return f"RateLimit({self.requests}, per={self.per:g}{store})"

    def describe(self) -> str:
        """The limit in words, e.g. ``100 requests per 10 s``."""
        return f"{self.requests} request{'s' if self.requests > 1 else ''} per {self.per:g} s"


def redacted(url: str) -> str:
    """``url`` without its password (``redis://user:***@host:6379/0``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def _check_store(store: object) -> None:
    if not isinstance(store, str):
        raise TypeError(f"store must be None or a redis:// URL, not {type(store).__name__}")
    try:
        parts = urlsplit(store)
        port = parts.port
    except ValueError:
        raise ValueError(f"store is not a valid URL: {_shown(store)}") from None
    if parts.scheme not in STORE_SCHEMES:
        raise ValueError(f"store must be a redis:// or rediss:// URL, not {_shown(store)}")
    if not parts.hostname:
        raise ValueError(f"store names no host: {redacted(store)}")
    del port
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"store's database must be a number: {redacted(store)}")


def _shown(url: str) -> str:
    """``url`` without its password, or only its scheme when it does not even parse."""
    try:
        return repr(redacted(url))
    except ValueError:
        return f"a URL of scheme {url.partition(':')[0]!r}"
