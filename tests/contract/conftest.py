"""Fixtures for the contract tests: Prism servers on a free loopback port, one per mode.

Each server starts on first use, at most once per session, and is stopped when the session
ends (see ``prism.py``). Without Node.js or without ``node_modules/.bin/prism`` the tests that
use them skip, unless the environment variable ``CI`` is ``true``: then they fail. A Prism that
is installed but does not start fails them everywhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest

from tests.contract.prism import PRISM_BIN, REPO_ROOT, Mode, PrismServer


def _ci_requires_prism() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail under CI, because Prism cannot be run here."""
    if _ci_requires_prism():
        pytest.fail(f"contract tests are required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"contract tests need Stoplight Prism: {reason}")


@pytest.fixture(scope="session")
def prism_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[Mode], PrismServer]]:
    """Starts a Prism server per mode on first request; stops them all after the session."""
    servers: dict[Mode, PrismServer] = {}
    log_dir = tmp_path_factory.mktemp("prism")

    def get(mode: Mode) -> PrismServer:
        if mode in servers:
            return servers[mode]
        if shutil.which("node") is None:
            _unavailable("Node.js is not installed (`node` is not on PATH)")
        if not PRISM_BIN.exists():
            _unavailable(f"{PRISM_BIN.relative_to(REPO_ROOT)} is missing; run `make node`")
        server = PrismServer(mode, log_dir / f"prism-{mode}.log")
        servers[mode] = server
        server.start()
        return server

    try:
        yield get
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="session")
def prism(prism_factory: Callable[[Mode], PrismServer]) -> PrismServer:
    """Prism with request validation enforced and static answers built from the schemas."""
    return prism_factory("validating")


@pytest.fixture(scope="session")
def prism_dynamic(prism_factory: Callable[[Mode], PrismServer]) -> PrismServer:
    """Prism with request validation enforced and random answers that fit the schemas (-d)."""
    return prism_factory("dynamic")
