"""``SimClient(api=...)``: every operation on every API version, over MockTransport and the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sim_client import BadRequestError, SimClient, SimIntegration
from sim_client._api_versions import API_VERSIONS, EXPERIMENTAL_HEADER, ApiName, api_version
from sim_client._generated.operations import OPERATIONS as OPERATIONS_TABLE
from sim_client._generated.operations import Operation as TableOperation
from sim_client.testing import FakeSimServer
from tests.mock_api import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    MockAPI,
    integration,
    json_response,
)

RAW_ID = "a/b c"
ENCODED_ID = "a%2Fb%20c"
DETAILS = {
    "name": "Versioned",
    "type": "ServiceNowSDIM",
    "attributes": {"uri": "https://x"},
    "beforeProvisioningRule": {"type": "RULE", "id": "2c918085708c2744", "name": "Before"},
}
REPLACEMENT = {**DETAILS, "name": "Replaced"}
PATCH = [{"op": "replace", "path": "/description", "value": "patched"}]
RULE_PATCH = [{"op": "replace", "path": "/name", "value": "Another rule"}]

# The collection of each API version, relative to the tenant root: the table of API.md.
COLLECTIONS = {
    "beta": "/beta/sim-integrations",
    "v2024": "/v2024/sim-integrations",
    "v2025": "/v2025/sim-integrations",
    "v2026": "/v2026/sim-integrations",
    "v1": "/sim-integrations/v1",
}
API_ROOTS = {
    "beta": "/beta",
    "v2024": "/v2024",
    "v2025": "/v2025",
    "v2026": "/v2026",
    "v1": "/sim-integrations/v1",
}
EXPERIMENTAL = {"beta": False, "v2024": True, "v2025": True, "v2026": True, "v1": True}
APIS: list[ApiName] = ["beta", "v2024", "v2025", "v2026", "v1"]


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    suffix: str
    """The path after the collection, for an integration with the id ``a/b c``."""
    call: Callable[[SimClient, str], Awaitable[object]]


OPERATIONS = [
    Operation("list_integrations", "GET", "", lambda sim, _: sim.list_integrations()),
    Operation("get_integration", "GET", "/{id}", lambda sim, i: sim.get_integration(i)),
    Operation("create_integration", "POST", "", lambda sim, _: sim.create_integration(DETAILS)),
    Operation(
        "update_integration", "PUT", "/{id}", lambda sim, i: sim.update_integration(i, REPLACEMENT)
    ),
    Operation(
        "patch_integration", "PATCH", "/{id}", lambda sim, i: sim.patch_integration(i, PATCH)
    ),
    Operation(
        "patch_before_provisioning_rule",
        "PATCH",
        "/{id}/beforeProvisioningRule",
        lambda sim, i: sim.patch_before_provisioning_rule(i, RULE_PATCH),
    ),
    Operation("delete_integration", "DELETE", "/{id}", lambda sim, i: sim.delete_integration(i)),
]
OPERATION_IDS = [operation.name for operation in OPERATIONS]


def answer_for(request: httpx.Request) -> httpx.Response:
    if request.method == "GET" and request.url.raw_path.decode() in COLLECTIONS.values():
        return json_response(200, [integration()])
    if request.method == "DELETE":
        return httpx.Response(204)
    return json_response(200, integration())


# The mapping itself.


def test_the_table_of_versions_is_the_documented_one() -> None:
    assert {name: v.collection for name, v in API_VERSIONS.items()} == COLLECTIONS
    assert {name: v.root for name, v in API_VERSIONS.items()} == API_ROOTS
    assert {name: bool(v.headers) for name, v in API_VERSIONS.items()} == EXPERIMENTAL
    assert dict(api_version("v1").headers) == {"X-SailPoint-Experimental": "true"}
    assert dict(api_version("beta").headers) == {}


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("operation", list(OPERATIONS_TABLE.values()))
def test_each_operation_of_the_table_has_one_url_per_version(
    api: str, operation: TableOperation
) -> None:
    url = api_version(api).url("https://t.example", operation, {"id": RAW_ID})
    suffix = operation.path.replace("{id}", ENCODED_ID)
    assert url == "https://t.example" + COLLECTIONS[api] + suffix


@pytest.mark.parametrize("name", ["V2025", "v2025", " Beta ", "V1"])
def test_an_api_name_is_read_in_any_letter_case(name: str) -> None:
    assert api_version(name).name == name.strip().lower()


# Every operation on every version, over MockTransport.


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
async def test_each_operation_reaches_its_versioned_path(
    api: ApiName, operation: Operation
) -> None:
    mock = MockAPI(default=answer_for)
    async with mock.client(api=api) as sim:
        await operation.call(sim, RAW_ID)

    (request,) = mock.api_requests
    path = COLLECTIONS[api] + operation.suffix.replace("{id}", ENCODED_ID)
    assert request.method == operation.method
    assert str(request.url) == "https://acme.api.identitynow.com" + path
    assert request.url.raw_path.decode() == path
    assert request.headers.get(EXPERIMENTAL_HEADER) == ("true" if EXPERIMENTAL[api] else None)


@pytest.mark.parametrize("api", ["v2024", "v1"])
async def test_the_token_request_never_carries_the_experimental_header(api: ApiName) -> None:
    mock = MockAPI(default=answer_for)
    mock.answer(json_response(401, {"error": "JWT expired"}))  # forces a second token request
    async with mock.client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, api=api) as sim:
        await sim.list_integrations()
        await sim.get_integration("abc")
        assert (
            EXPERIMENTAL_HEADER not in sim._connection.http.headers
        )  # set per request, not by default

    assert len(mock.token_requests) == 2
    assert all(EXPERIMENTAL_HEADER not in r.headers for r in mock.token_requests)
    assert len(mock.api_requests) == 3  # the refused list, its replay, the get
    assert all(r.headers[EXPERIMENTAL_HEADER] == "true" for r in mock.api_requests)


async def test_an_injected_client_keeps_its_headers_without_the_experimental_one() -> None:
    mock = MockAPI(default=answer_for)
    http = httpx.AsyncClient(transport=mock.transport, headers={"X-Trace": "t1"})
    async with SimClient(BASE_URL, token="tok-abc", api="v2025", http_client=http) as sim:
        await sim.list_integrations()
    assert EXPERIMENTAL_HEADER not in http.headers
    (request,) = mock.api_requests
    assert (request.headers["X-Trace"], request.headers[EXPERIMENTAL_HEADER]) == ("t1", "true")


@pytest.mark.parametrize("api", ["v2024", "v2025", "v1"])
@pytest.mark.parametrize("raw_id", ["a/b c", "...", "%2F", "ü?#&", "x;y=z", "~!$'()*+,"])
async def test_ids_are_encoded_exactly_as_on_beta(api: ApiName, raw_id: str) -> None:
    mock = MockAPI(default=answer_for)
    async with mock.client() as beta, mock.client(api=api) as versioned:
        await beta.patch_before_provisioning_rule(raw_id, RULE_PATCH)
        await versioned.patch_before_provisioning_rule(raw_id, RULE_PATCH)

    on_beta, on_api = (r.url.raw_path.decode() for r in mock.api_requests)
    assert on_beta.startswith("/beta/sim-integrations/")
    assert on_api == COLLECTIONS[api] + on_beta.removeprefix("/beta/sim-integrations")


# Construction: the api argument, base_url, from_env, repr, logs.


@pytest.mark.parametrize("api", ["", "v2023", "v2", "/v1", "beta2"])
def test_an_unknown_api_is_a_value_error_before_any_request(api: str) -> None:
    with pytest.raises(ValueError, match="unknown api") as caught:
        SimClient(BASE_URL, token="tok-abc", api=api)  # type: ignore[arg-type]
    assert "'beta', 'v2024', 'v2025', 'v2026', 'v1'" in str(caught.value)


def test_an_api_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="api must be a str"):
        SimClient(BASE_URL, token="tok-abc", api=2024)  # type: ignore[arg-type]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("suffix", ["", "/", "root", "root/"])
def test_base_url_is_the_tenant_root_or_ends_in_the_apis_own_root(
    api: ApiName, suffix: str
) -> None:
    ending = suffix.replace("root", API_ROOTS[api].lstrip("/"))
    sim = SimClient(f"{BASE_URL}/{ending}" if ending else BASE_URL, token="tok-abc", api=api)
    assert sim.base_url == BASE_URL + API_ROOTS[api]


@pytest.mark.parametrize(
    ("api", "other"), [(api, other) for api in APIS for other in APIS if other != api]
)
def test_base_url_ending_in_another_apis_root_is_a_value_error(api: ApiName, other: str) -> None:
    with pytest.raises(ValueError, match=f"base_url ends in '{API_ROOTS[other]}'"):
        SimClient(BASE_URL + API_ROOTS[other], token="tok-abc", api=api)


@pytest.mark.parametrize("host", ["beta", "v2024", "v2025"])
def test_a_host_named_like_an_api_root_is_not_cut_off(host: str) -> None:
    sim = SimClient(f"https://{host}", token="tok-abc", api="beta")
    assert sim.base_url == f"https://{host}/beta"


def test_from_env_reads_sail_api() -> None:
    env = {"SAIL_BASE_URL": BASE_URL, "SAIL_ACCESS_TOKEN": "tok-abc", "SAIL_API": " v1 "}
    assert SimClient.from_env(env).base_url == f"{BASE_URL}/sim-integrations/v1"
    assert SimClient.from_env({**env, "SAIL_API": ""}).base_url == f"{BASE_URL}/beta"
    assert SimClient.from_env(env, api="v2024").base_url == f"{BASE_URL}/v2024"
    with pytest.raises(ValueError, match="unknown api 'v3'"):
        SimClient.from_env({**env, "SAIL_API": "v3"})


def test_from_env_without_sail_api_is_beta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAIL_API", raising=False)
    env = {"SAIL_BASE_URL": BASE_URL, "SAIL_ACCESS_TOKEN": "tok-abc"}
    assert "api='beta'" in repr(SimClient.from_env(env))


@pytest.mark.parametrize("api", APIS)
def test_repr_names_the_api_and_its_root(api: ApiName) -> None:
    text = repr(SimClient(BASE_URL, token="tok-abc", api=api))
    assert f"base_url='{BASE_URL}{API_ROOTS[api]}', api='{api}'" in text


async def test_log_records_name_the_versioned_path(caplog: pytest.LogCaptureFixture) -> None:
    mock = MockAPI(default=answer_for)
    async with mock.client(api="v1") as sim:
        await sim.get_integration(RAW_ID)
    messages = [r.getMessage() for r in caplog.records if r.name == "sim_client"]
    assert any(m.startswith(f"GET /sim-integrations/v1/{ENCODED_ID} -> 200") for m in messages)


# Over the fake: every family served from one store, the header enforced.


def recording_client(fake: FakeSimServer, seen: list[httpx.Request], **options: Any) -> SimClient:
    async def record(request: httpx.Request) -> None:
        seen.append(request)

    http = httpx.AsyncClient(transport=fake.transport, event_hooks={"request": [record]})
    return fake.client(http_client=http, **options)


@pytest.mark.parametrize("api", APIS)
async def test_every_operation_on_the_fake(api: ApiName) -> None:
    fake = FakeSimServer()
    seen: list[httpx.Request] = []
    async with fake.client() as beta:
        created = await beta.create_integration({**DETAILS, "name": "Seeded"})
    async with recording_client(fake, seen, api=api) as sim:
        results: list[object] = []
        for operation in OPERATIONS:
            results.append(await operation.call(sim, created.id))

    api_requests = [r for r in seen if r.url.path != "/oauth/token"]
    assert [(r.method, r.url.raw_path.decode()) for r in api_requests] == [
        (op.method, COLLECTIONS[api] + op.suffix.replace("{id}", created.id)) for op in OPERATIONS
    ]
    assert [f.status for f in fake.requests[-len(OPERATIONS) :]] == [200] * 6 + [204]
    assert all(
        r.headers.get(EXPERIMENTAL_HEADER) == ("true" if EXPERIMENTAL[api] else None)
        for r in api_requests
    )
    token_requests = [r for r in seen if r.url.path == "/oauth/token"]
    assert len(token_requests) == 1
    assert EXPERIMENTAL_HEADER not in token_requests[0].headers
    listed, fetched, _, updated, patched, rule_patched, deleted = results
    assert isinstance(listed, list) and [i.id for i in listed] == [created.id]
    assert isinstance(fetched, SimIntegration) and fetched.name == "Seeded"
    assert isinstance(updated, SimIntegration) and updated.name == "Replaced"
    assert isinstance(patched, SimIntegration)
    assert patched.description == "patched"
    assert isinstance(rule_patched, SimIntegration)
    assert deleted is None
    assert len(fake.integrations) == 1  # the one created on `api`, the first one deleted


async def test_the_fake_shares_its_state_between_families() -> None:
    fake = FakeSimServer()
    async with fake.client(api="beta") as beta, fake.client(api="v1") as v1:
        created = await beta.create_integration(DETAILS)
        read = await v1.get_integration(created.id)
        await v1.patch_integration(created.id, PATCH)
        after = await beta.get_integration(created.id)
    async with fake.client(api="v2025") as v2025:
        assert [i.id for i in await v2025.list_integrations()] == [created.id]
    assert read.to_dict() == created.to_dict()
    assert after.description == "patched"


@pytest.mark.parametrize("api", ["v2024", "v2025", "v1"])
@pytest.mark.parametrize("value", [None, "false", ""])
async def test_the_fake_refuses_a_versioned_request_without_the_header(
    api: ApiName, value: str | None
) -> None:
    fake = FakeSimServer()
    headers = {"Authorization": f"Bearer {fake.token}"}
    if value is not None:
        headers[EXPERIMENTAL_HEADER] = value
    async with httpx.AsyncClient(transport=fake.transport, base_url=fake.base_url) as http:
        refused = await http.get(COLLECTIONS[api], headers=headers)
        accepted = await http.get(
            COLLECTIONS[api], headers={**headers, EXPERIMENTAL_HEADER: "true"}
        )
        beta = await http.get(COLLECTIONS["beta"], headers=headers)

    assert refused.status_code == 400
    body = refused.json()
    assert body["detailCode"] == "400.1 Bad Request Content"
    assert isinstance(body["trackingId"], str) and body["trackingId"]
    assert EXPERIMENTAL_HEADER in body["messages"][0]["text"]
    assert (accepted.status_code, beta.status_code) == (200, 200)


async def test_a_client_whose_header_is_stripped_gets_a_bad_request_error() -> None:
    fake = FakeSimServer()

    async def strip(request: httpx.Request) -> None:
        del request.headers[EXPERIMENTAL_HEADER]

    http = httpx.AsyncClient(transport=fake.transport, event_hooks={"request": [strip]})
    async with fake.client(api="v1", token=fake.token, http_client=http) as sim:
        with pytest.raises(BadRequestError) as caught:
            await sim.list_integrations()
    assert caught.value.detail_code == "400.1 Bad Request Content"
    assert "GET /sim-integrations/v1" in str(caught.value)


@pytest.mark.parametrize(
    "path",
    [
        "/sim-integrations",
        "/sim-integrations/v2",
        "/sim-integrations/v1x",
        "/v2023/sim-integrations",
        "/v2024/sim-integrations-other",
        "/v1/sim-integrations",
    ],
)
async def test_the_fake_serves_no_other_family(path: str) -> None:
    fake = FakeSimServer()
    headers = {"Authorization": f"Bearer {fake.token}", EXPERIMENTAL_HEADER: "true"}
    async with httpx.AsyncClient(transport=fake.transport, base_url=fake.base_url) as http:
        response = await http.get(path, headers=headers)
    assert response.status_code == 404
    assert response.json()["detailCode"] == "404 Not found"


@pytest.mark.loopback
async def test_a_versioned_client_over_the_fakes_loopback_socket() -> None:
    fake = FakeSimServer()
    async with fake.serve() as base_url:
        async with SimClient(base_url, token=fake.token, api="v1") as sim:
            created = await sim.create_integration(DETAILS)
            assert (await sim.get_integration(created.id)).name == "Versioned"
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
            bare = await http.get(
                "/sim-integrations/v1", headers={"Authorization": f"Bearer {fake.token}"}
            )
    assert bare.status_code == 400
    assert [(r.method, r.path, r.status) for r in fake.requests] == [
        ("POST", "/sim-integrations/v1", 200),
        ("GET", f"/sim-integrations/v1/{created.id}", 200),
        ("GET", "/sim-integrations/v1", 400),
    ]


@pytest.mark.parametrize(("value", "kind"), [(3, "int"), (None, "NoneType"), (b"beta", "bytes")])
def test_an_api_that_is_not_a_string_is_a_type_error_naming_its_type(
    value: object, kind: str
) -> None:
    with pytest.raises(TypeError, match=f"^api must be a str, not {kind}$"):
        api_version(value)


def test_a_base_url_ending_in_the_bare_collection_shows_the_tenant_root() -> None:
    with pytest.raises(ValueError, match="collection path") as raised:
        SimClient(f"{BASE_URL}/sim-integrations", token="tok-abc")
    assert str(raised.value) == (
        "base_url ends in the collection path '/sim-integrations'; give the tenant root "
        f"{BASE_URL!r}"
    )
