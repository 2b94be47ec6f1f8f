"""FakeSimServer: the service's behaviour, auth, request checks and faults, both plug-ins."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openapi_schema_validator
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sim_client.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN,
    FakeSimServer,
)

API = "/beta/sim-integrations"
TOKEN_PATH = "/oauth/token"
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
FRAGMENT = Path(__file__).resolve().parents[2] / "openapi" / "sim-integrations.beta.yaml"

# --- fixtures and helpers ---


@pytest.fixture
def fake() -> FakeSimServer:
    return FakeSimServer()


@pytest.fixture(params=["in-process", pytest.param("loopback", marks=pytest.mark.loopback)])
async def http(
    request: pytest.FixtureRequest, fake: FakeSimServer
) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client, authenticated with the fake's static token, on either plug-in."""
    headers = {"Authorization": f"Bearer {fake.token}"}
    if request.param == "in-process":
        async with httpx.AsyncClient(
            base_url=fake.base_url, transport=fake.transport, headers=headers
        ) as client:
            yield client
    else:
        async with (
            fake.serve() as base_url,
            httpx.AsyncClient(base_url=base_url, headers=headers, trust_env=False) as client,
        ):
            yield client


@functools.cache
def _validator(schema_name: str) -> openapi_schema_validator.OAS30Validator:
    fragment = yaml.safe_load(FRAGMENT.read_text(encoding="utf-8"))
    resource = Resource.from_contents(fragment, default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource("urn:fragment", resource)
    schema = {"$ref": f"urn:fragment#/components/schemas/{schema_name}"}
    return openapi_schema_validator.OAS30Validator(schema, registry=registry)


def fits(schema_name: str, instance: object) -> list[str]:
    """The schema violations of ``instance`` against a schema of our OpenAPI fragment."""
    return [error.message for error in _validator(schema_name).iter_errors(instance)]


def integration(response: httpx.Response) -> dict[str, Any]:
    """The integration a 200 answer carries, checked against the ``SimIntegration`` schema."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert fits("SimIntegration", body) == []
    return body


def error(response: httpx.Response, status: int) -> str:
    """The message text of an ``ErrorResponseDto`` answer with ``status``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert fits("ErrorResponseDto", body) == []
    assert body["detailCode"].startswith(str(status))
    assert re.fullmatch(r"[0-9a-f]{32}", body["trackingId"])
    [message] = body["messages"]
    assert message["locale"] == "en-US"
    assert message["localeOrigin"] == "DEFAULT"
    text: str = message["text"]
    assert text
    return text


def utc(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() == timedelta(0)
    return parsed


async def create(http: httpx.AsyncClient, **details: Any) -> dict[str, Any]:
    return integration(await http.post(API, json=details))


async def json_patch(http: httpx.AsyncClient, path: str, operations: object) -> httpx.Response:
    return await http.patch(path, content=json.dumps(operations), headers=JSON_PATCH)


async def token_response(http: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await http.post(TOKEN_PATH, data=form)


# --- CRUD ---


async def test_create_assigns_an_id_timestamps_and_defaults(http: httpx.AsyncClient) -> None:
    created = await create(http, name="Acme ServiceNow")
    assert re.fullmatch(r"[0-9a-f]{32}", created["id"])
    assert created["name"] == "Acme ServiceNow"
    assert (created["description"], created["type"], created["attributes"]) == (
        "",
        "ServiceNowSDIM",
        {},
    )
    assert utc(created["created"]) == utc(created["modified"])
    assert abs(utc(created["created"]) - datetime.now(utc(created["created"]).tzinfo)) < timedelta(
        minutes=1
    )


async def test_created_integrations_can_be_read_and_listed(http: httpx.AsyncClient) -> None:
    assert (await http.get(API)).json() == []
    first = await create(
        http,
        name="one",
        description="first",
        type="ServiceNow",
        attributes={"url": "https://sn.example.com", "nested": {"k": [1, 2]}},
        beforeProvisioningRule={"type": "RULE", "id": "r1", "name": "Before"},
        ownerRef={"type": "IDENTITY", "id": "o1", "name": "Owner"},
    )
    second = await create(http, name="two")
    third = await create(http, name="three")
    assert first["attributes"] == {"url": "https://sn.example.com", "nested": {"k": [1, 2]}}
    assert first["beforeProvisioningRule"] == {"type": "RULE", "id": "r1", "name": "Before"}
    assert integration(await http.get(f"{API}/{first['id']}")) == first
    listed = (await http.get(API)).json()
    assert listed == [first, second, third]
    assert all(fits("SimIntegration", item) == [] for item in listed)
    assert len({first["id"], second["id"], third["id"]}) == 3


async def test_read_only_fields_in_a_create_are_ignored(http: httpx.AsyncClient) -> None:
    created = await create(
        http, name="x", id="f" * 32, created="2001-01-01T00:00:00Z", modified="2001-01-01T00:00:00Z"
    )
    assert created["id"] != "f" * 32
    assert utc(created["created"]).year > 2001
    assert utc(created["modified"]).year > 2001


async def test_put_replaces_the_whole_integration(http: httpx.AsyncClient) -> None:
    old = await create(
        http, name="x", description="d", attributes={"a": 1}, custom="kept until replaced"
    )
    response = await http.put(
        f"{API}/{old['id']}",
        json={"name": "y", "id": "0" * 32, "created": "2001-01-01T00:00:00Z", "type": "ServiceNow"},
    )
    new = integration(response)
    assert new["id"] == old["id"]
    assert new["created"] == old["created"]
    assert utc(new["modified"]) > utc(old["modified"])
    assert (new["name"], new["description"], new["type"], new["attributes"]) == (
        "y",
        "",
        "ServiceNow",
        {},
    )
    assert "custom" not in new
    assert integration(await http.get(f"{API}/{old['id']}")) == new


async def test_put_may_keep_the_integrations_own_name(http: httpx.AsyncClient) -> None:
    old = await create(http, name="x")
    new = integration(await http.put(f"{API}/{old['id']}", json={"name": "x", "description": "d"}))
    assert (new["name"], new["description"]) == ("x", "d")


async def test_delete_answers_204_and_removes_the_integration(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    kept = await create(http, name="kept")
    gone = await create(http, name="gone")
    response = await http.delete(f"{API}/{gone['id']}")
    assert (response.status_code, response.content) == (204, b"")
    error(await http.get(f"{API}/{gone['id']}"), 404)
    assert list(fake.integrations) == [kept["id"]]
    error(await http.delete(f"{API}/{gone['id']}"), 404)


async def test_names_are_unique(http: httpx.AsyncClient, fake: FakeSimServer) -> None:
    a = await create(http, name="a")
    b = await create(http, name="b")
    before = fake.integrations
    assert "'a'" in error(await http.post(API, json={"name": "a"}), 400)
    error(await http.put(f"{API}/{b['id']}", json={"name": "a"}), 400)
    ops = [{"op": "replace", "path": "/name", "value": "a"}]
    error(await json_patch(http, f"{API}/{b['id']}", ops), 400)
    assert fake.integrations == before
    assert [i["name"] for i in before.values()] == ["a", "b"]
    assert a["id"] in before


@pytest.mark.parametrize(
    ("method", "suffix", "content", "content_type"),
    [
        ("GET", "", None, None),
        ("PUT", "", b'{"name": "n"}', "application/json"),
        (
            "PATCH",
            "",
            b'[{"op": "add", "path": "/description", "value": "d"}]',
            JSON_PATCH["Content-Type"],
        ),
        ("DELETE", "", None, None),
        (
            "PATCH",
            "/beforeProvisioningRule",
            b'[{"op": "add", "path": "/name", "value": "r"}]',
            JSON_PATCH["Content-Type"],
        ),
    ],
)
async def test_an_unknown_id_answers_404(
    http: httpx.AsyncClient,
    method: str,
    suffix: str,
    content: bytes | None,
    content_type: str | None,
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    unknown = "0123456789abcdef0123456789abcdef"
    response = await http.request(
        method, f"{API}/{unknown}{suffix}", content=content, headers=headers
    )
    assert unknown in error(response, 404)


async def test_an_encoded_slash_stays_inside_the_id(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    response = await http.get(f"{API}/a%2Fb")
    assert "'a/b'" in error(response, 404)
    assert fake.requests[-1].path == f"{API}/a%2Fb"


async def test_unknown_routes_and_methods_are_refused(http: httpx.AsyncClient) -> None:
    error(await http.get("/beta/sim-integrations-other"), 404)
    error(await http.get(f"{API}/x/y"), 404)
    response = await http.delete(API)
    error(response, 405)
    assert response.headers["Allow"] == "GET, POST"
    error(await http.get(TOKEN_PATH), 405)


# --- JSON Patch ---


async def test_a_json_patch_is_applied(http: httpx.AsyncClient) -> None:
    old = await create(http, name="x", attributes={"url": "https://a.example.com"})
    ops = [
        {"op": "test", "path": "/name", "value": "x"},
        {"op": "replace", "path": "/description", "value": "patched"},
        {"op": "add", "path": "/attributes/instance", "value": "prod"},
        {"op": "remove", "path": "/attributes/url"},
        {"op": "copy", "from": "/id", "path": "/cluster"},
    ]
    new = integration(await json_patch(http, f"{API}/{old['id']}", ops))
    assert new["description"] == "patched"
    assert new["attributes"] == {"instance": "prod"}
    assert new["cluster"] == old["id"]
    assert (new["id"], new["created"]) == (old["id"], old["created"])
    assert utc(new["modified"]) > utc(old["modified"])
    assert integration(await http.get(f"{API}/{old['id']}")) == new


@pytest.mark.parametrize(
    "operations",
    [
        pytest.param([{"op": "test", "path": "/name", "value": "other"}], id="failed-test"),
        pytest.param(
            [
                {"op": "replace", "path": "/description", "value": "changed"},
                {"op": "test", "path": "/description", "value": "not it"},
            ],
            id="failed-test-after-a-change",
        ),
        pytest.param([{"op": "remove", "path": "/nope"}], id="missing-path"),
        pytest.param(
            [{"op": "add", "path": "/attributes/missing/deep", "value": 1}], id="missing-parent"
        ),
        pytest.param([{"op": "replace", "path": "name", "value": "y"}], id="not-a-pointer"),
        pytest.param([{"op": "add", "path": "/description"}], id="missing-value"),
        pytest.param([{"op": "frobnicate", "path": "/name", "value": "y"}], id="unknown-op"),
        pytest.param(["replace"], id="not-an-object"),
        pytest.param([], id="empty"),
        pytest.param({"operations": [{"op": "remove", "path": "/description"}]}, id="wrapped"),
        pytest.param([{"op": "remove", "path": "/name"}], id="removes-the-name"),
        pytest.param([{"op": "replace", "path": "/attributes", "value": "a=b"}], id="bad-type"),
    ],
)
async def test_a_failing_patch_answers_400_and_changes_nothing(
    http: httpx.AsyncClient, fake: FakeSimServer, operations: object
) -> None:
    old = await create(http, name="x", description="d", attributes={"password": "hunter2"})
    response = await json_patch(http, f"{API}/{old['id']}", operations)
    error(response, 400)
    assert "hunter2" not in response.text
    assert fake.integrations == {old["id"]: old}


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "/id", "value": "0" * 32},
        {"op": "replace", "path": "/created", "value": "2001-01-01T00:00:00Z"},
        {"op": "remove", "path": "/modified"},
        {"op": "move", "from": "/id", "path": "/cluster"},
        {"op": "replace", "path": "", "value": {"name": "whole"}},
    ],
    ids=["replace-id", "replace-created", "remove-modified", "move-id", "whole-document"],
)
async def test_a_patch_of_read_only_fields_is_refused(
    http: httpx.AsyncClient, fake: FakeSimServer, operation: dict[str, Any]
) -> None:
    old = await create(http, name="x")
    error(await json_patch(http, f"{API}/{old['id']}", [operation]), 400)
    assert fake.integrations == {old["id"]: old}


async def test_the_rule_patch_starts_from_an_empty_rule(http: httpx.AsyncClient) -> None:
    old = await create(http, name="x", description="d")
    url = f"{API}/{old['id']}/beforeProvisioningRule"
    ops = [
        {"op": "add", "path": "/type", "value": "RULE"},
        {"op": "add", "path": "/id", "value": "2c918085"},
        {"op": "add", "path": "/name", "value": "Before Provisioning"},
    ]
    new = integration(await json_patch(http, url, ops))
    assert new["beforeProvisioningRule"] == {
        "type": "RULE",
        "id": "2c918085",
        "name": "Before Provisioning",
    }
    assert {k: v for k, v in new.items() if k not in ("beforeProvisioningRule", "modified")} == {
        k: v for k, v in old.items() if k != "modified"
    }
    renamed = integration(
        await json_patch(http, url, [{"op": "replace", "path": "/name", "value": "Renamed"}])
    )
    assert renamed["beforeProvisioningRule"]["name"] == "Renamed"
    assert renamed["beforeProvisioningRule"]["id"] == "2c918085"
    assert utc(renamed["modified"]) > utc(new["modified"])


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "test", "path": "/name", "value": "other"}],
        [{"op": "replace", "path": "/name", "value": "r"}, {"op": "remove", "path": "/nope"}],
        [{"op": "replace", "path": "/type", "value": "NOT_A_TYPE"}],
        [{"op": "replace", "path": "", "value": "a string"}],
    ],
    ids=["failed-test", "missing-path", "bad-type", "not-an-object"],
)
async def test_a_failing_rule_patch_changes_nothing(
    http: httpx.AsyncClient, fake: FakeSimServer, operations: list[dict[str, Any]]
) -> None:
    old = await create(http, name="x", beforeProvisioningRule={"type": "RULE", "name": "r"})
    error(await json_patch(http, f"{API}/{old['id']}/beforeProvisioningRule", operations), 400)
    assert fake.integrations == {old["id"]: old}


async def test_a_rule_patch_that_breaks_the_fragment_is_refused(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    old = await create(http, name="x")
    url = f"{API}/{old['id']}/beforeProvisioningRule"
    values: list[object] = [{}, [], None, 5]
    for value in values:
        ops = [{"op": "add", "path": "/type", "value": value}]
        error(await json_patch(http, url, ops), 400)
    assert fake.integrations == {old["id"]: old}
    assert all(r.status == 400 for r in fake.requests[1:])


# --- request checks ---


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", API, "text/plain"),
        ("POST", API, None),
        ("PUT", f"{API}/ID", "application/x-www-form-urlencoded"),
        ("PATCH", f"{API}/ID", "application/json"),
        ("PATCH", f"{API}/ID/beforeProvisioningRule", "application/json"),
    ],
)
async def test_a_wrong_content_type_answers_400(
    http: httpx.AsyncClient, fake: FakeSimServer, method: str, path: str, content_type: str | None
) -> None:
    old = await create(http, name="x")
    body = (
        b'[{"op": "add", "path": "/name", "value": "y"}]' if method == "PATCH" else b'{"name": "y"}'
    )
    headers = {"Content-Type": content_type} if content_type else {}
    response = await http.request(
        method, path.replace("ID", old["id"]), content=body, headers=headers
    )
    assert "Content-Type" in error(response, 400)
    assert fake.integrations == {old["id"]: old}


@pytest.mark.parametrize(
    ("method", "path", "content", "content_type"),
    [
        ("POST", API, b'{"name": "y"', "application/json"),
        ("POST", API, b"", "application/json"),
        ("POST", API, b'{"name": NaN}', "application/json"),
        # Read by Python as infinity and as a string that cannot be encoded: stored, neither
        # could ever be answered again.
        ("POST", API, b'{"name": "y", "attributes": {"x": 1e400}}', "application/json"),
        ("POST", API, b'{"name": "y", "description": "\\ud800"}', "application/json"),
        ("PUT", f"{API}/ID", b'{"name": "y", "extra": -1e999}', "application/json"),
        (
            "PATCH",
            f"{API}/ID",
            b'[{"op": "add", "path": "/z", "value": {"a": 1e400}}]',
            JSON_PATCH["Content-Type"],
        ),
        (
            "PATCH",
            f"{API}/ID",
            b'[{"op": "add", "path": "/z", "value": "\\udfff"}]',
            JSON_PATCH["Content-Type"],
        ),
        ("PUT", f"{API}/ID", b"{name: 'y'}", "application/json; charset=utf-8"),
        ("PATCH", f"{API}/ID", b'[{"op": "add"', JSON_PATCH["Content-Type"]),
    ],
)
async def test_a_body_that_is_not_json_answers_400(
    http: httpx.AsyncClient,
    fake: FakeSimServer,
    method: str,
    path: str,
    content: bytes,
    content_type: str,
) -> None:
    old = await create(http, name="x")
    response = await http.request(
        method,
        path.replace("ID", old["id"]),
        content=content,
        headers={"Content-Type": content_type},
    )
    assert "not valid JSON" in error(response, 400)
    assert fake.integrations == {old["id"]: old}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", API, [{"name": "y"}]),
        ("POST", API, {"description": "no name"}),
        ("POST", API, {"name": ""}),
        ("POST", API, {"name": "y", "attributes": "{url=https://x}"}),
        ("POST", API, {"name": "y", "beforeProvisioningRule": {"type": "BOGUS"}}),
        ("POST", API, {"name": "y", "ownerRef": {"type": "CLUSTER", "id": "o"}}),
        ("PUT", f"{API}/ID", "just a string"),
        ("PUT", f"{API}/ID", {"name": 5}),
    ],
)
async def test_a_body_of_the_wrong_shape_answers_400(
    http: httpx.AsyncClient, fake: FakeSimServer, method: str, path: str, body: object
) -> None:
    old = await create(http, name="x")
    error(await http.request(method, path.replace("ID", old["id"]), json=body), 400)
    assert fake.integrations == {old["id"]: old}


# --- authentication ---


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        ("Bearer not-a-token", "invalid"),
        (f"Basic {DEFAULT_TOKEN}", "invalid"),
        ("Bearer", "invalid"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", API), ("POST", API), ("DELETE", f"{API}/x")])
async def test_a_missing_or_wrong_token_answers_401(
    http: httpx.AsyncClient,
    fake: FakeSimServer,
    authorization: str | None,
    reason: str,
    method: str,
    path: str,
) -> None:
    request = http.build_request(method, path, json={"name": "y"} if method == "POST" else None)
    del request.headers["Authorization"]
    if authorization is not None:
        request.headers["Authorization"] = authorization
    response = await http.send(request)
    assert response.status_code == 401
    assert response.json() == {"error": f"JWT validation failed: JWT is {reason}"}
    assert fits("UnauthorizedBody", response.json()) == []
    assert fake.integrations == {}


async def test_the_token_endpoint_issues_working_tokens(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    response = await token_response(http, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 749)
    assert body["access_token"] not in (DEFAULT_TOKEN, DEFAULT_CLIENT_SECRET)
    assert fake.token_requests == 1
    issued = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await http.get(API, headers=issued)).status_code == 200
    second = await token_response(http, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    assert second.json()["access_token"] != body["access_token"]
    assert fake.token_requests == 2


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [(DEFAULT_CLIENT_ID, "wrong"), ("unknown", DEFAULT_CLIENT_SECRET), (DEFAULT_CLIENT_ID, "")],
)
async def test_bad_client_credentials_answer_401(
    http: httpx.AsyncClient, fake: FakeSimServer, client_id: str, secret: str
) -> None:
    response = await token_response(http, client_id, secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert fake.token_requests == 1


@pytest.mark.parametrize(
    ("kwargs", "error_code"),
    [
        (
            {"data": {"grant_type": "password", "client_id": "a", "client_secret": "b"}},
            "unsupported_grant_type",
        ),
        ({"data": {"grant_type": "client_credentials"}}, "invalid_request"),
        (
            {"json": {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}},
            "invalid_request",
        ),
    ],
    ids=["grant-type", "no-credentials", "json-body"],
)
async def test_malformed_token_requests_answer_400(
    http: httpx.AsyncClient, kwargs: dict[str, Any], error_code: str
) -> None:
    response = await http.post(TOKEN_PATH, **kwargs)
    assert response.status_code == 400
    assert response.json()["error"] == error_code


async def test_expires_in_and_credentials_are_configurable() -> None:
    fake = FakeSimServer(tokens=["t1", "t2"], clients={"id-1": "s-1"}, expires_in=120)
    fake.add_client("id-2", "s-2")
    assert (fake.token, fake.client_id, fake.client_secret) == ("t1", "id-1", "s-1")
    async with httpx.AsyncClient(base_url=fake.base_url, transport=fake.transport) as http:
        assert (await token_response(http, "id-2", "s-2")).json()["expires_in"] == 120
        fake.expires_in = 5
        assert (await token_response(http, "id-1", "s-1")).json()["expires_in"] == 5
        assert (
            await token_response(http, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        ).status_code == 401
        fake.add_token("added")
        for token in ("t2", "added"):
            response = await http.get(API, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
    assert fake.token_requests == 3


def test_a_fake_without_credentials_of_a_kind_says_so() -> None:
    fake = FakeSimServer(tokens=(), clients={})
    with pytest.raises(LookupError):
        _ = fake.token
    with pytest.raises(LookupError):
        _ = fake.client_id


async def test_issued_tokens_expire(http: httpx.AsyncClient, fake: FakeSimServer) -> None:
    fake.expires_in = 0
    token = (await token_response(http, fake.client_id, fake.client_secret)).json()["access_token"]
    response = await http.get(API, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()) == (
        401,
        {"error": "JWT validation failed: JWT is expired"},
    )
    fake.expires_in = 3600
    token = (await token_response(http, fake.client_id, fake.client_secret)).json()["access_token"]
    assert (await http.get(API, headers={"Authorization": f"Bearer {token}"})).status_code == 200
    fake.expire_tokens()
    assert (await http.get(API, headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert (await http.get(API)).status_code == 200  # the static token does not expire


# --- faults ---


@pytest.mark.parametrize("retry_after", ["1", "0.5", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", 2])
async def test_a_queued_429_carries_retry_after(
    http: httpx.AsyncClient, fake: FakeSimServer, retry_after: str | int
) -> None:
    fake.fail(429, retry_after=retry_after)
    response = await http.get(API)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(retry_after)
    assert response.json() == {"message": " Rate Limit Exceeded "}
    assert fits("RateLimitBody", response.json()) == []
    assert (await http.get(API)).status_code == 200
    assert [r.status for r in fake.requests] == [429, 200]


async def test_a_429_sends_retry_after_unless_told_not_to(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.fail(429)
    fake.fail(429, retry_after=None)
    fake.fail(503)
    first, second, third = [await http.get(API) for _ in range(3)]
    assert (first.status_code, first.headers["Retry-After"]) == (429, "1")
    assert second.status_code == 429
    assert "Retry-After" not in second.headers
    assert third.status_code == 503
    assert "Retry-After" not in third.headers


@pytest.mark.parametrize(
    ("status", "detail_code", "text"),
    [
        (400, "400.1 Bad Request Content", "semantically invalid"),
        (403, "403 Forbidden", "refuses to authorize"),
        (404, "404 Not found", "did not find"),
        (500, "500.0 Internal Fault", "An internal fault occurred."),
        (503, "503 Service Unavailable", "Service Unavailable"),
    ],
)
async def test_canned_errors_carry_the_services_detail_codes(
    http: httpx.AsyncClient, fake: FakeSimServer, status: int, detail_code: str, text: str
) -> None:
    fake.fail(status)
    response = await http.get(API)
    assert text in error(response, status)
    assert response.json()["detailCode"] == detail_code


async def test_the_fakes_own_errors_use_the_same_detail_codes(http: httpx.AsyncClient) -> None:
    codes = [
        (await http.post(API, json={"name": ""})).json()["detailCode"],
        (await http.get(f"{API}/unknown")).json()["detailCode"],
        (await http.get(f"{API}/x/y")).json()["detailCode"],
        (await http.get("/beta/elsewhere")).json()["detailCode"],
    ]
    assert codes == ["400.1 Bad Request Content"] + ["404 Not found"] * 3


async def test_faults_apply_to_the_next_n_matching_requests_only(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.fail(503, times=2, method="post", path=API)
    assert fake.pending_faults == 2
    assert (await http.get(API)).status_code == 200
    for _ in range(2):
        text = error(await http.post(API, json={"name": "x"}), 503)
        assert text == "Service Unavailable"
    assert fake.pending_faults == 0
    assert (await http.post(API, json={"name": "x"})).status_code == 200
    assert [(r.method, r.status) for r in fake.requests] == [
        ("GET", 200),
        ("POST", 503),
        ("POST", 503),
        ("POST", 200),
    ]
    assert len(fake.integrations) == 1


async def test_faults_are_used_in_the_order_they_were_queued(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.fail(500)
    fake.fail(502)
    fake.fail(504, path="/elsewhere")
    assert [(await http.get(API)).status_code for _ in range(3)] == [500, 502, 200]
    fake.clear_faults()
    assert fake.pending_faults == 0


async def test_a_fault_can_send_a_raw_or_custom_body(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.fail(200, body='{"id": "ab')
    truncated = await http.get(API)
    assert (truncated.status_code, truncated.text) == (200, '{"id": "ab')
    with pytest.raises(json.JSONDecodeError):
        truncated.json()
    fake.fail(200, body=b"<html>", headers={"Content-Type": "text/html", "X-Extra": "1"})
    html = await http.get(API)
    assert (html.content, html.headers["Content-Type"], html.headers["X-Extra"]) == (
        b"<html>",
        "text/html",
        "1",
    )
    fake.fail(201, body=[{"unexpected": True}])
    assert (await http.get(API)).json() == [{"unexpected": True}]
    fake.fail(204)
    assert (await http.get(API)).content == b""


async def test_faults_apply_to_the_token_endpoint(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.fail(429, retry_after="0", path=TOKEN_PATH)
    assert (await http.get(API)).status_code == 200
    first = await token_response(http, fake.client_id, fake.client_secret)
    assert first.status_code == 429
    second = await token_response(http, fake.client_id, fake.client_secret)
    assert second.status_code == 200
    assert fake.token_requests == 2


async def test_a_dropped_connection_sends_no_answer(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.drop(method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post(API, json={"name": "x"})
    assert fake.integrations == {}
    assert [(r.method, r.status) for r in fake.requests] == [("POST", None)]
    assert (await http.post(API, json={"name": "x"})).status_code == 200
    assert fake.requests[-1].status == 200


async def test_a_handled_drop_carries_the_request_out(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.drop(handled=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post(API, json={"name": "x"})
    assert [i["name"] for i in fake.integrations.values()] == ["x"]
    assert fake.requests[-1].status is None


async def test_a_delay_postpones_the_answer(http: httpx.AsyncClient, fake: FakeSimServer) -> None:
    fake.delay(0.2, method="GET")
    fake.fail(503, delay=0.2)
    started = time.monotonic()
    assert (await http.get(API)).status_code == 200
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert (await http.get(API)).status_code == 503
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert (await http.get(API)).status_code == 200
    assert time.monotonic() - started < 0.2


async def test_a_delay_beyond_the_read_timeout_times_out(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    fake.delay(30)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await http.get(API, timeout=0.2)
    assert time.monotonic() - started < 5
    assert fake.requests[0].status is None


def test_fault_arguments_are_checked(fake: FakeSimServer) -> None:
    with pytest.raises(ValueError, match="times"):
        fake.fail(500, times=0)
    with pytest.raises(ValueError, match="negative"):
        fake.delay(-1)
    assert fake.pending_faults == 0


# --- the request log ---


async def test_the_request_log_records_each_request(
    http: httpx.AsyncClient, fake: FakeSimServer
) -> None:
    created = await create(http, name="x")
    await json_patch(http, f"{API}/{created['id']}", [{"op": "remove", "path": "/description"}])
    await token_response(http, fake.client_id, fake.client_secret)
    await http.delete(f"{API}/{created['id']}")
    assert [(r.method, r.path, r.status) for r in fake.requests] == [
        ("POST", API, 200),
        ("PATCH", f"{API}/{created['id']}", 200),
        ("POST", TOKEN_PATH, 200),
        ("DELETE", f"{API}/{created['id']}", 204),
    ]
    assert fake.requests[0].body == {"name": "x"}
    assert fake.requests[1].body == [{"op": "remove", "path": "/description"}]
    assert fake.requests[2].body is None  # a token request's form holds the secret
    assert fake.requests[3].body is None


# --- the loopback server ---


@pytest.mark.loopback
async def test_serve_listens_on_a_free_loopback_port_until_exit(fake: FakeSimServer) -> None:
    async with fake.serve() as first, fake.serve() as second:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first)
        assert first != second
        async with httpx.AsyncClient(trust_env=False) as http:
            for base_url in (first, second):
                response = await http.get(
                    f"{base_url}{API}", headers={"Authorization": f"Bearer {fake.token}"}
                )
                assert response.status_code == 200
    assert {task for task in asyncio.all_tasks() if not task.done()} == {asyncio.current_task()}
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{first}{API}")


@pytest.mark.loopback
async def test_serve_does_not_wait_for_pending_delays(fake: FakeSimServer) -> None:
    fake.delay(30)
    headers = {"Authorization": f"Bearer {fake.token}"}
    started = time.monotonic()
    async with httpx.AsyncClient(trust_env=False) as http:
        async with fake.serve() as base_url:
            pending = asyncio.create_task(http.get(f"{base_url}{API}", headers=headers))
            await arrival(fake)
        assert time.monotonic() - started < 5
        assert (await pending).status_code == 200


async def arrival(fake: FakeSimServer) -> None:
    """Return once the fake has received a request (within a few seconds)."""
    for _ in range(500):
        if fake.requests:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no request arrived")


# --- the object itself ---


def test_seeded_integrations_are_served_and_snapshots_are_copies(fake: FakeSimServer) -> None:
    seeded = fake.add_integration({"name": "seed", "attributes": {"a": 1}})
    assert fits("SimIntegration", seeded) == []
    snapshot = fake.integrations
    snapshot[seeded["id"]]["attributes"]["a"] = 2
    assert fake.integrations[seeded["id"]]["attributes"] == {"a": 1}
    with pytest.raises(ValueError, match="already exists"):
        fake.add_integration({"name": "seed"})


async def test_seeded_integrations_are_listed(http: httpx.AsyncClient, fake: FakeSimServer) -> None:
    seeded = fake.add_integration({"name": "seed"})
    assert (await http.get(API)).json() == [seeded]


@pytest.mark.loopback
async def test_secrets_never_reach_logs_or_reprs(
    fake: FakeSimServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as http,
    ):
        issued = (await token_response(http, fake.client_id, fake.client_secret)).json()
        await token_response(http, fake.client_id, "wrong-secret")
        await http.get(API, headers={"Authorization": f"Bearer {issued['access_token']}"})
        await http.get(API, headers={"Authorization": "Bearer wrong-token"})
    shown = caplog.text + repr(fake) + repr(fake.requests)
    for secret in (
        DEFAULT_CLIENT_SECRET,
        DEFAULT_TOKEN,
        issued["access_token"],
        "wrong-secret",
        "wrong-token",
    ):
        assert secret not in shown
    assert len(fake.requests) == 4
