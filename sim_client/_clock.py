"""Every wait of the library and the clock of its rate-limit budgets, in one place.

Tests replace :func:`sleep` and :func:`clock` here to run in virtual time; :func:`wait` and
:func:`now` look them up at each call, so that a budget made before the replacement follows it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable


async def sleep(seconds: float) -> None:
    """Wait ``seconds`` (between attempts, for a rate-limit slot or pause)."""
    import asyncio  # here: importing sim_client does not need asyncio loaded

    await asyncio.sleep(seconds)


def clock() -> float:
    """Monotonic seconds, the rate-limit budgets' time."""
    return time.monotonic()


def wait(seconds: float) -> Awaitable[None]:
    """:func:`sleep`, as it is when called."""
    return sleep(seconds)


def now() -> float:
    """:func:`clock`, as it is when called."""
    return clock()
