"""Contract tests: ``SimClient`` against Stoplight Prism mocking our OpenAPI fragment.

Prism validates every request against ``openapi/sim-integrations.beta.yaml`` and answers from
its schemas, so these tests check the client against a reading of the fragment that we did not
write. See ``prism.py`` for how the servers run and what Prism does with a violation.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from sim_client import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    JsonPatchOperation,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    SimClient,
    SimIntegration,
    SimIntegrationDetails,
)
from tests.contract.prism import API_ROOT, TOKEN, Exchange, PrismServer, PrismTransport

pytestmark = pytest.mark.contract

INTEGRATION_ID = "2c9180835d2e5168015d32f890ca1581"
ITEM_PATH = f"/beta/sim-integrations/{INTEGRATION_ID}"

DETAILS: dict[str, object] = {
    "name": "Contract test integration",
    "description": "ServiceNow tickets for the contract tests",
    "type": "ServiceNowSDIM",
    "attributes": {"uri": "https://example.service-now.com", "username": "svc-sailpoint"},
    "sources": ["2c9180835d2e5168015d32f890ca1582"],
    "cluster": "2c9180887de347a2017de8859e8c5011",
    "statusMap": {"closed_complete": "Committed", "closed_cancelled": "Failed"},
    "request": {"description": "SailPoint access request"},
    "beforeProvisioningRule": {
        "type": "RULE",
        "id": "2c918085708c274401708c2a8a760001",
        "name": "SIM before provisioning",
    },
    # Read-only: the client must not send these.
    "id": "must-not-be-sent",
    "created": "2024-01-01T00:00:00Z",
}
DETAILS_MODEL = SimIntegrationDetails.from_dict(DETAILS)
READ_ONLY_FIELDS = ("id", "created", "modified")

PATCH_OPERATIONS: list[dict[str, object]] = [
    {"op": "replace", "path": "/description", "value": "changed by a contract test"},
    {"op": "add", "path": "/attributes/timeout", "value": 30},
    {"op": "replace", "path": "/statusMap", "value": {"closed_complete": "Committed"}},
    {"op": "remove", "path": "/cluster"},
]
RULE_PATCH_OPERATIONS = [
    JsonPatchOperation.from_dict(
        {"op": "replace", "path": "/id", "value": "2c918085708c274401708c2a8a760002"}
    ),
    JsonPatchOperation.from_dict({"op": "replace", "path": "/name", "value": "Another rule"}),
]

Call = Callable[[SimClient], Awaitable[object]]


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    call: Call
    returns: str
    """``"list"``, ``"one"`` or ``"none"``."""


OPERATIONS = [
    Operation(
        "list_integrations",
        "GET",
        "/beta/sim-integrations",
        lambda sim: sim.list_integrations(),
        "list",
    ),
    Operation(
        "get_integration",
        "GET",
        ITEM_PATH,
        lambda sim: sim.get_integration(INTEGRATION_ID),
        "one",
    ),
    Operation(
        "create_integration",
        "POST",
        "/beta/sim-integrations",
        lambda sim: sim.create_integration(DETAILS),
        "one",
    ),
    Operation(
        "update_integration",
        "PUT",
        ITEM_PATH,
        lambda sim: sim.update_integration(
            INTEGRATION_ID, SimIntegrationDetails.from_dict(DETAILS)
        ),
        "one",
    ),
    Operation(
        "patch_integration",
        "PATCH",
        ITEM_PATH,
        lambda sim: sim.patch_integration(INTEGRATION_ID, PATCH_OPERATIONS),
        "one",
    ),
    Operation(
        "patch_before_provisioning_rule",
        "PATCH",
        f"{ITEM_PATH}/beforeProvisioningRule",
        lambda sim: sim.patch_before_provisioning_rule(INTEGRATION_ID, RULE_PATCH_OPERATIONS),
        "one",
    ),
    Operation(
        "delete_integration",
        "DELETE",
        ITEM_PATH,
        lambda sim: sim.delete_integration(INTEGRATION_ID),
        "none",
    ),
]
OPERATION_IDS = [operation.name for operation in OPERATIONS]

ERROR_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
}
ERROR_DTO_STATUSES = {400, 403, 404, 500, 502, 503, 504}
"""The statuses whose body is an ErrorResponseDto; 401 and 429 have bodies of their own."""

DYNAMIC_CALLS = 200
DYNAMIC_SEED = 20240605
DYNAMIC_ERROR_CALLS = 10


@asynccontextmanager
async def connect(
    server: PrismServer,
    *,
    prefer: str | None = None,
    seed: int | None = None,
    base_url: str | None = None,
) -> AsyncIterator[tuple[SimClient, PrismTransport]]:
    """A SimClient (no retries) on ``server`` and the transport that records its requests."""
    transport = server.transport(seed=seed)
    headers = {"Prefer": prefer} if prefer is not None else {}
    async with (
        httpx.AsyncClient(transport=transport, headers=headers, timeout=30.0) as http,
        SimClient(
            base_url=server.url if base_url is None else base_url,
            token=TOKEN,
            max_retries=0,
            max_rate_limit_wait=0,  # a 429 is the answer under test, not waited for
            rate_limit=None,  # the fragment, not the budget, is under test here
            http_client=http,
        ) as sim,
    ):
        yield sim, transport


def check_result(operation: Operation, result: object) -> None:
    if operation.returns == "list":
        assert isinstance(result, list), result
        assert result, "Prism's static list answer has one item"
        assert all(isinstance(item, SimIntegration) for item in result), result
    elif operation.returns == "one":
        assert isinstance(result, SimIntegration), result
    else:
        assert result is None, result


def check_request(operation: Operation, exchange: Exchange) -> None:
    """What the fragment asks of the request that Prism does not check itself."""
    assert (exchange.method, exchange.path) == (operation.method, operation.path)
    assert exchange.headers["Authorization"] == f"Bearer {TOKEN}"
    if operation.method in {"POST", "PUT"}:
        assert exchange.headers["Content-Type"].startswith("application/json")
        body = exchange.json()
        assert isinstance(body, dict)
        assert body["name"] == DETAILS["name"]
        assert not set(READ_ONLY_FIELDS) & set(body), body
    elif operation.method == "PATCH":
        # Prism matches media types on their suffix only (application/json is taken for
        # application/json-patch+json), so the content type is checked here.
        assert exchange.headers["Content-Type"].split(";")[0] == "application/json-patch+json"
        body = exchange.json()
        assert isinstance(body, list), body
        assert body
    else:
        assert not exchange.content


def _location(violation: dict[str, object]) -> list[object]:
    location = violation.get("location")
    return location if isinstance(location, list) else []


def assert_no_violations(exchanges: list[Exchange]) -> None:
    flagged = [(e.method, e.path, e.violations) for e in exchanges if e.violations]
    assert not flagged, f"Prism reported violations: {flagged}"


# Every operation succeeds and breaks no rule of the fragment.


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
async def test_operation_succeeds_without_violation(
    prism: PrismServer, operation: Operation
) -> None:
    since = await prism.log_offset()
    async with connect(prism) as (sim, transport):
        result = await operation.call(sim)

    check_result(operation, result)
    assert len(transport.exchanges) == 1
    exchange = transport.exchanges[0]
    check_request(operation, exchange)
    assert 200 <= exchange.status_code < 300
    assert_no_violations(transport.exchanges)
    assert await prism.log_violations(since) == []


@pytest.mark.parametrize("suffix", ["", "/beta"], ids=["tenant-root", "beta-root"])
async def test_base_url_with_or_without_beta_reaches_the_same_paths(
    prism: PrismServer, suffix: str
) -> None:
    async with connect(prism, base_url=prism.url + suffix) as (sim, transport):
        integrations = await sim.list_integrations()
        integration = await sim.get_integration(INTEGRATION_ID)

    assert [type(item) for item in integrations] == [SimIntegration]
    assert isinstance(integration, SimIntegration)
    assert [e.path for e in transport.exchanges] == ["/beta/sim-integrations", ITEM_PATH]
    assert_no_violations(transport.exchanges)


async def test_id_is_percent_encoded_into_one_path_segment(prism: PrismServer) -> None:
    async with connect(prism) as (sim, transport):
        integration = await sim.get_integration("a/b c")

    assert isinstance(integration, SimIntegration)
    (exchange,) = transport.exchanges
    assert exchange.path == "/beta/sim-integrations/a%2Fb%20c"
    assert exchange.status_code == 200
    assert_no_violations(transport.exchanges)


async def test_conveniences_send_only_valid_requests(prism: PrismServer) -> None:
    since = await prism.log_offset()
    async with connect(prism) as (sim, transport):
        # Prism's static answers are built from the schemas: every string is "string".
        found = await sim.find_integration("string")
        missing = await sim.find_integration("no such integration")
        replaced = await sim.upsert_integration({**DETAILS, "name": "string"})
        created = await sim.upsert_integration(DETAILS)

    assert isinstance(found, SimIntegration)
    assert found.name == "string"
    assert missing is None
    assert isinstance(replaced, SimIntegration)
    assert isinstance(created, SimIntegration)
    assert [(e.method, e.path) for e in transport.exchanges] == [
        ("GET", "/beta/sim-integrations"),
        ("GET", "/beta/sim-integrations"),
        ("GET", "/beta/sim-integrations"),
        ("PUT", "/beta/sim-integrations/string"),
        ("GET", "/beta/sim-integrations"),
        ("POST", "/beta/sim-integrations"),
    ]
    assert_no_violations(transport.exchanges)
    assert await prism.log_violations(since) == []


@pytest.mark.parametrize("status", [200, 204])
async def test_delete_accepts_both_documented_answers(prism: PrismServer, status: int) -> None:
    async with connect(prism, prefer=f"code={status}") as (sim, transport):
        result = await sim.delete_integration(INTEGRATION_ID)  # type: ignore[func-returns-value]

    assert result is None
    assert [e.status_code for e in transport.exchanges] == [status]
    assert_no_violations(transport.exchanges)


# Each documented error status maps to its error class.


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize("status", sorted(ERROR_CLASSES))
async def test_documented_error_status_maps_to_its_error_class(
    prism: PrismServer, status: int, operation: Operation
) -> None:
    error_class = ERROR_CLASSES[status]
    async with connect(prism, prefer=f"code={status}") as (sim, transport):
        with pytest.raises(APIStatusError) as caught:
            await operation.call(sim)

    error = caught.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.method == operation.method
    assert error.url.endswith(operation.path)
    # One request: no retry with max_retries=0, and the status is the one asked for, not
    # Prism's answer to a request that breaks the fragment.
    assert [e.status_code for e in transport.exchanges] == [status]
    check_request(operation, transport.exchanges[0])
    assert_no_violations(transport.exchanges)
    assert isinstance(error.body, dict)
    if status in ERROR_DTO_STATUSES:
        assert error.tracking_id == "string"
        assert error.detail_code == "string"
    assert error.messages == ["string"]
    if isinstance(error, RateLimitError):
        assert error.retry_after == 1.0  # Prism sends the header's example, Retry-After: 1


# The detection the tests above rely on: Prism does flag a request that breaks the fragment.
# Prism skips a check silently when it cannot compile the schema for it, so each body is tried.

BROKEN_REQUESTS = [
    pytest.param(
        "POST",
        "/beta/sim-integrations",
        {"description": 1},
        "application/json",
        "Violation: request.body Request body must have required property 'name'",
        id="create-without-name",
    ),
    pytest.param(
        "PUT",
        ITEM_PATH,
        {"name": "x", "attributes": "not an object"},
        "application/json",
        "Violation: request.body.attributes Request body property attributes must be object,null",
        id="update-attributes-not-object",
    ),
    pytest.param(
        "PATCH",
        ITEM_PATH,
        {"operations": PATCH_OPERATIONS},
        "application/json-patch+json",
        "Violation: request.body Request body must be array",
        id="patch-wrapped-in-object",
    ),
    pytest.param(
        "PATCH",
        f"{ITEM_PATH}/beforeProvisioningRule",
        [{"op": "rename", "path": "/name"}],
        "application/json-patch+json",
        "Violation: request.body.0.op Request body property 0.op must be equal to one of the "
        "allowed values: add, remove, replace, move, copy, test",
        id="rule-patch-unknown-op",
    ),
    pytest.param(
        "PATCH",
        ITEM_PATH,
        PATCH_OPERATIONS,
        "text/plain",
        "Violation: request Supported content types: application/json-patch+json",
        id="patch-as-text",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "content_type", "logged"), BROKEN_REQUESTS)
async def test_prism_flags_a_request_that_breaks_the_fragment(
    prism: PrismServer,
    method: str,
    path: str,
    body: object,
    content_type: str,
    logged: str,
) -> None:
    since = await prism.log_offset()
    transport = prism.transport()
    async with httpx.AsyncClient(transport=transport, base_url=prism.url) as http:
        response = await http.request(
            method,
            path,
            content=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type},
        )

    # The operation's own 400 answer, built from its schema: only the header tells it apart.
    assert response.status_code == 400
    assert response.json()["detailCode"] == "string"
    (exchange,) = transport.exchanges
    assert exchange.violations
    assert {v["severity"] for v in exchange.violations} == {"Error"}
    assert all(_location(v)[:1] == ["request"] for v in exchange.violations)
    assert any(logged in line for line in await prism.log_violations(since))


async def test_prism_flags_a_request_without_bearer_token(prism: PrismServer) -> None:
    since = await prism.log_offset()
    transport = prism.transport()
    async with httpx.AsyncClient(transport=transport, base_url=prism.url) as http:
        anonymous = await http.get("/beta/sim-integrations")
        basic = await http.get(ITEM_PATH, auth=("user", "password"))

    assert [anonymous.status_code, basic.status_code] == [401, 401]
    assert anonymous.json() == {"error": "string"}  # the fragment's 401 body, not Prism's own
    for exchange in transport.exchanges:
        assert [v["code"] for v in exchange.violations] == [401]
    logged = await prism.log_violations(since)
    assert sum("Violation: request Invalid security scheme used" in line for line in logged) == 2


# Random answers that fit the schemas decode, or fail as ResponseDecodeError, nothing else.


async def test_dynamic_answers_give_a_model_or_response_decode_error(
    prism_dynamic: PrismServer,
) -> None:
    rng = random.Random(DYNAMIC_SEED)
    outcomes: Counter[tuple[str, str]] = Counter()
    unexpected: list[str] = []
    decode_errors: list[str] = []
    since = await prism_dynamic.log_offset()
    async with connect(prism_dynamic, seed=DYNAMIC_SEED) as (sim, transport):
        for index in range(DYNAMIC_CALLS):
            operation = rng.choice(OPERATIONS)
            try:
                result = await operation.call(sim)
            except ResponseDecodeError as error:
                outcomes[operation.name, "ResponseDecodeError"] += 1
                if len(decode_errors) < 5:
                    decode_errors.append(f"#{index} {operation.name}: {error}")
                continue
            except Exception as error:
                outcomes[operation.name, type(error).__name__] += 1
                unexpected.append(f"#{index} {operation.name}: {type(error).__name__}: {error}")
                continue
            if operation.returns == "list":
                ok = isinstance(result, list) and all(isinstance(i, SimIntegration) for i in result)
            elif operation.returns == "one":
                ok = isinstance(result, SimIntegration)
            else:
                ok = result is None
            if not ok:
                unexpected.append(f"#{index} {operation.name} returned {result!r}")
            outcomes[operation.name, "returned" if ok else "wrong result"] += 1

    print(f"{DYNAMIC_CALLS} dynamic calls, seed {DYNAMIC_SEED}:")
    for (name, outcome), count in sorted(outcomes.items()):
        print(f"  {name:32} {outcome:20} {count:4}")
    for line in decode_errors:
        print(f"  {line}")
    assert not unexpected, "\n".join(unexpected[:20])
    assert sum(outcomes.values()) == DYNAMIC_CALLS
    assert len(transport.exchanges) == DYNAMIC_CALLS
    assert all(200 <= e.status_code < 300 for e in transport.exchanges), Counter(
        e.status_code for e in transport.exchanges
    )
    assert_no_violations(transport.exchanges)
    assert await prism_dynamic.log_violations(since) == []


@pytest.mark.parametrize("status", sorted(ERROR_CLASSES))
async def test_dynamic_error_bodies_map_to_their_error_class(
    prism_dynamic: PrismServer, status: int
) -> None:
    rng = random.Random(DYNAMIC_SEED + status)
    statuses: list[int] = []
    async with connect(prism_dynamic, prefer=f"code={status}", seed=DYNAMIC_SEED + status) as (
        sim,
        transport,
    ):
        for _ in range(DYNAMIC_ERROR_CALLS):
            with pytest.raises(APIStatusError) as caught:
                await rng.choice(OPERATIONS).call(sim)
            statuses.append(caught.value.status_code)
            assert type(caught.value) is ERROR_CLASSES[status], caught.value

    assert statuses == [status] * DYNAMIC_ERROR_CALLS
    assert len(transport.exchanges) == DYNAMIC_ERROR_CALLS
    assert_no_violations(transport.exchanges)


def test_prism_serves_exactly_the_operations_the_client_covers(prism: PrismServer) -> None:
    """Prism lists the routes it mocks when it starts (the id is the fragment's example)."""
    served = {
        (match["method"], API_ROOT + match["path"])
        for match in re.finditer(
            r"\[CLI\].*?\b(?P<method>GET|PUT|POST|DELETE|PATCH)\s+http://127\.0\.0\.1:\d+(?P<path>/\S*)",
            prism.log_text(),
        )
    }
    covered = {(operation.method, operation.path) for operation in OPERATIONS}
    assert served == covered
