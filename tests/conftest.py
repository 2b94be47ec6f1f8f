"""Shared fixtures: the retry wait recorder, the suite-wide guard that no known credential
reaches any log record while DEBUG logging is on, and ``--strict-reading``, which makes every
SimClient that a test builds without an explicit ``strict=`` read answers strictly (``make
test`` runs the client tests against the fake once that way: the fake answers what the fragment
says)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator

import pytest

from sim_client import SimClient, _retry
from sim_client.testing import DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN
from tests.loopback import TRANSPORTS
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


@pytest.fixture(autouse=True)
def strict_reading_by_default(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``--strict-reading``, a SimClient built without ``strict=`` reads strictly."""
    if request.config.getoption("--strict-reading"):
        defaults = dict(SimClient.__init__.__kwdefaults__ or {}, strict=True)
        monkeypatch.setattr(SimClient.__init__, "__kwdefaults__", defaults)


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


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records each wait between attempts and waits only a moment instead."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)
        # No test schedules this many (the soak about 200): a retry loop that does not end
        # fails instead of spinning.
        assert len(recorded) < 10_000, "the retry loop does not end"
        await asyncio.sleep(0)

    monkeypatch.setattr(_retry, "sleep", record)
    return recorded


@pytest.fixture(params=TRANSPORTS)
def transport_name(request: pytest.FixtureRequest) -> str:
    """Each transport a loopback test runs on, by name (see ``tests.loopback``)."""
    name: str = request.param
    return name
