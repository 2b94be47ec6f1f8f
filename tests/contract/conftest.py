"""Fixtures for the contract tests: Prism servers on a free loopback port, one per mode.

Each server starts on first use, at most once per session, and is stopped when the session
ends (see ``prism.py``). Without Node.js or without ``node_modules/.bin/prism`` the tests that
use them skip, unless the environment variable ``CI`` is ``true``: then they fail. A Prism that
is installed but does not start fails them everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn, Protocol

import pytest

from sim_client._api_versions import API_VERSIONS
from tests.contract.prism import PRISM_BIN, REPO_ROOT, SPEC, Mode, PrismServer

VERSIONED_COLLECTIONS = {
    version.name: version.collection for version in API_VERSIONS.values() if version.experimental
}
"""Where each versioned API serves the collection (API.md, "API versions")."""
EXPERIMENTAL = {"X-SailPoint-Experimental": "true"}


class PrismFactory(Protocol):
    def __call__(self, mode: Mode, api: str = "beta") -> PrismServer: ...


def _ci_requires_prism() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail under CI, because Prism cannot be run here."""
    if _ci_requires_prism():
        pytest.fail(f"contract tests are required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"contract tests need Stoplight Prism: {reason}")


@pytest.fixture(scope="session")
def api_variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fragment's variant for each versioned API (``python -m scripts.api_variants``)."""
    out = tmp_path_factory.mktemp("openapi")
    result = subprocess.run(
        [sys.executable, "-m", "scripts.api_variants", "--out", str(out)],
        cwd=REPO_ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"python -m scripts.api_variants failed:\n{result.stderr}", pytrace=False)
    return {api: out / f"sim-integrations.{api}.yaml" for api in VERSIONED_COLLECTIONS}


@pytest.fixture(scope="session")
def prism_factory(
    tmp_path_factory: pytest.TempPathFactory, api_variants: dict[str, Path]
) -> Iterator[PrismFactory]:
    """Starts a Prism server per mode and API on first request; stops them after the session.

    ``get(mode)`` serves the beta fragment; ``get(mode, api)`` the variant of a versioned API.
    """
    servers: dict[tuple[Mode, str], PrismServer] = {}
    log_dir = tmp_path_factory.mktemp("prism")

    def get(mode: Mode, api: str = "beta") -> PrismServer:
        if (mode, api) in servers:
            return servers[mode, api]
        if shutil.which("node") is None:
            _unavailable("Node.js is not installed (`node` is not on PATH)")
        if not PRISM_BIN.exists():
            _unavailable(f"{PRISM_BIN.relative_to(REPO_ROOT)} is missing; run `make node`")
        if api == "beta":
            server = PrismServer(mode, log_dir / f"prism-{mode}.log", spec=SPEC)
        else:
            server = PrismServer(
                mode,
                log_dir / f"prism-{mode}-{api}.log",
                spec=api_variants[api],
                collection=VERSIONED_COLLECTIONS[api],
                headers=EXPERIMENTAL,
            )
        servers[mode, api] = server
        server.start()
        return server

    try:
        yield get
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="session")
def prism(prism_factory: PrismFactory) -> PrismServer:
    """Prism with request validation enforced and static answers built from the schemas."""
    return prism_factory("validating")


@pytest.fixture(scope="session")
def prism_dynamic(prism_factory: PrismFactory) -> PrismServer:
    """Prism with request validation enforced and random answers that fit the schemas (-d)."""
    return prism_factory("dynamic")
