"""Contract tests of ``SimClient(api=...)``: the seven operations on each API family under Prism.

Beta runs on the fragment itself; each versioned API on the variant that
``scripts/api_variants.py`` generates from it (full versioned paths, the header
``X-SailPoint-Experimental: true`` required), so Prism checks both the path and the header.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from sim_client import BadRequestError, SimClient
from sim_client._api_versions import ApiName
from tests.contract.conftest import VERSIONED_COLLECTIONS, PrismFactory
from tests.contract.prism import TOKEN, PrismServer, PrismTransport
from tests.contract.test_prism import (
    INTEGRATION_ID,
    OPERATION_IDS,
    OPERATIONS,
    Operation,
    assert_no_violations,
    check_request,
    check_result,
)

pytestmark = pytest.mark.contract

HEADER = "X-SailPoint-Experimental"
BETA_COLLECTION = "/beta/sim-integrations"
COLLECTIONS = {"beta": BETA_COLLECTION, **VERSIONED_COLLECTIONS}
APIS: list[ApiName] = ["beta", "v2024", "v2025", "v2026", "v1"]
VERSIONED: list[ApiName] = ["v2024", "v2025", "v2026", "v1"]


def versioned_path(api: str, beta_path: str) -> str:
    """``beta_path`` (``/beta/sim-integrations...``) as the family ``api`` serves it."""
    return COLLECTIONS[api] + beta_path.removeprefix(BETA_COLLECTION)


@asynccontextmanager
async def connect(
    server: PrismServer, api: ApiName
) -> AsyncIterator[tuple[SimClient, PrismTransport]]:
    """A SimClient (no retries) for ``api`` on ``server``, and its recording transport."""
    transport = server.transport()
    async with (
        httpx.AsyncClient(transport=transport, timeout=30.0) as http,
        SimClient(
            server.url,
            token=TOKEN,
            max_retries=0,
            max_rate_limit_wait=0,
            rate_limit=None,
            http_client=http,
            api=api,
        ) as sim,
    ):
        yield sim, transport


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
async def test_operation_on_each_api_succeeds_without_violation(
    prism_factory: PrismFactory, api: ApiName, operation: Operation
) -> None:
    server = prism_factory("validating", api)
    since = await server.log_offset()
    async with connect(server, api) as (sim, transport):
        result = await operation.call(sim)

    check_result(operation, result)
    (exchange,) = transport.exchanges
    path = versioned_path(api, operation.path)
    check_request(Operation(operation.name, operation.method, path, operation.call, ""), exchange)
    assert exchange.headers.get(HEADER) == (None if api == "beta" else "true")
    assert 200 <= exchange.status_code < 300
    assert_no_violations(transport.exchanges)
    assert await server.log_violations(since) == []


@pytest.mark.parametrize("api", VERSIONED)
async def test_prism_rejects_a_versioned_request_without_the_header(
    prism_factory: PrismFactory, api: ApiName
) -> None:
    server = prism_factory("validating", api)
    since = await server.log_offset()
    transport = server.transport()
    stripped: list[str] = []

    async def strip(request: httpx.Request) -> None:
        stripped.append(request.headers.pop(HEADER))

    http = httpx.AsyncClient(transport=transport, event_hooks={"request": [strip]})
    async with SimClient(
        server.url,
        token=TOKEN,
        max_retries=0,
        max_rate_limit_wait=0,
        rate_limit=None,
        http_client=http,
        api=api,
    ) as sim:
        with pytest.raises(BadRequestError):
            await sim.get_integration(INTEGRATION_ID)
    await http.aclose()

    assert stripped == ["true"]
    (exchange,) = transport.exchanges
    assert exchange.status_code == 400
    assert [v["location"] for v in exchange.violations] == [["request", "header"]]
    logged = await server.log_violations(since)
    assert any("must have required property 'x-sailpoint-experimental'" in line for line in logged)


@pytest.mark.parametrize("api", VERSIONED)
def test_each_variant_serves_the_seven_operations_at_their_versioned_paths(
    prism_factory: PrismFactory, api: ApiName
) -> None:
    """Prism lists the routes it mocks when it starts (the id is the fragment's example)."""
    server = prism_factory("validating", api)
    served = {
        (match["method"], match["path"])
        for match in re.finditer(
            r"\[CLI\].*?\b(?P<method>GET|PUT|POST|DELETE|PATCH)\s+http://127\.0\.0\.1:\d+(?P<path>/\S*)",
            server.log_text(),
        )
    }
    expected = {(op.method, versioned_path(api, op.path)) for op in OPERATIONS}
    assert served == expected
    assert len(served) == 7
