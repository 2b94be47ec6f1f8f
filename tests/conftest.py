"""Shared fixtures: the retry wait recorder, the suite-wide guard that no known credential
reaches any log record while DEBUG logging is on, and ``--strict-reading``, which the client
tests against the fake pass to their clients as ``strict=`` (``make test`` runs them once that
way: the fake answers what the fragment says)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator

import pytest

from sim_client import _budget, _clock, _masking
from sim_client.testing import DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN
from tests.loopback_helpers import TRANSPORTS
from tests.mock_api import CLIENT_SECRET, ISSUED_TOKEN, TOKEN
from tests.redis_server import redis_server  # noqa: F401  # a fixture

KNOWN_SECRETS = (TOKEN, CLIENT_SECRET, ISSUED_TOKEN, DEFAULT_TOKEN, DEFAULT_CLIENT_SECRET)
ISSUED_BY_THE_FAKE = re.compile(r"fake-[0-9a-f]{48}")
WATCHED_LOGGERS = ("sim_client", "httpx", "uvicorn")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--strict-reading",
        action="store_true",
        help="SimClient defaults to strict=True: any answer that misfits the fragment fails",
    )


@pytest.fixture
def strict_reading(request: pytest.FixtureRequest) -> bool:
    """Whether the run reads strictly (``--strict-reading``): the tests that run twice pass it
    to the clients they build as ``strict=``."""
    return bool(request.config.getoption("--strict-reading"))


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Log everything at DEBUG during each test, then check no record carries a credential."""
    previous = {name: logging.getLogger(name).level for name in WATCHED_LOGGERS}
    for name in WATCHED_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield
    finally:
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        text = f"{record.getMessage()} {record.args!r}"
        leaked = [secret for secret in KNOWN_SECRETS if secret in text]
        leaked += ISSUED_BY_THE_FAKE.findall(text)
        assert not leaked, f"a credential reached the log record {record.name}:{record.lineno}"


@pytest.fixture(autouse=True)
def fresh_rate_limit_budgets() -> Iterator[None]:
    """Each test starts with empty rate-limit budgets: the process-wide ones of earlier tests
    (same fake tenant, same token) would otherwise hold its calls."""
    _budget._BUDGETS.clear()
    yield
    _budget._BUDGETS.clear()


@pytest.fixture(autouse=True)
def fresh_secret_patterns() -> None:
    """Each test builds the masking patterns it uses: one cached by an earlier test would hide
    from mutation testing which tests check how a secret is masked."""
    _masking._secrets_pattern.cache_clear()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records each wait of the library (between attempts, for a rate-limit slot or pause)
    and waits only a moment instead. The rate-limit budgets' clock is virtual: it stands
    still but for the waits, so that a wait is measured exactly, however slow the machine."""
    recorded: list[float] = []
    skipped = [time.monotonic()]

    async def record(seconds: float) -> None:
        # To the millisecond: a float sum of waits is not always the wait it adds up to.
        recorded.append(round(seconds, 3))
        skipped[0] += max(0.0, seconds)
        # No test schedules this many (the soak about 200): a retry loop that does not end
        # fails instead of spinning.
        assert len(recorded) < 10_000, "the retry loop does not end"
        await asyncio.sleep(0)

    monkeypatch.setattr(_clock, "sleep", record)
    monkeypatch.setattr(_clock, "clock", lambda: skipped[0])
    return recorded


@pytest.fixture(params=TRANSPORTS)
def transport_name(request: pytest.FixtureRequest) -> str:
    """Each transport a loopback test runs on, by name (see ``tests.loopback_helpers``)."""
    name: str = request.param
    return name
