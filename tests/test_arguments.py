"""Bad arguments fail with a clear ValueError/TypeError before any request is sent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sim_client import JsonPatchOperation, JsonPatchOperationOp, SimClient, SimIntegrationDetails
from tests.mock_api import CLIENT_ID, CLIENT_SECRET, TOKEN, MockAPI


@pytest.mark.parametrize(
    ("bad_id", "error"),
    [
        ("", ValueError),
        ("   ", ValueError),
        (".", ValueError),
        ("..", ValueError),
        ("a\nb", ValueError),
        ("a\x00b", ValueError),
        (None, TypeError),
        (42, TypeError),
        (b"abc", TypeError),
    ],
)
@pytest.mark.parametrize(
    "call",
    ["get", "update", "patch", "patch_rule", "delete"],
)
async def test_invalid_ids_are_refused_before_any_request(
    bad_id: Any, error: type[Exception], call: str
) -> None:
    api = MockAPI()
    sim = api.client()
    with pytest.raises(error, match="integration id"):
        if call == "get":
            await sim.get_integration(bad_id)
        elif call == "update":
            await sim.update_integration(bad_id, {"name": "n"})
        elif call == "patch":
            await sim.patch_integration(bad_id, [{"op": "remove", "path": "/a"}])
        elif call == "patch_rule":
            await sim.patch_before_provisioning_rule(bad_id, [{"op": "remove", "path": "/a"}])
        else:
            await sim.delete_integration(bad_id)
    assert api.requests == []


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ([], "must not be empty"),
        ([{"op": "frobnicate", "path": "/a"}], "op must be one of"),
        ([{"path": "/a", "value": 1}], "op must be one of"),
        ([{"op": "replace", "path": "description", "value": "x"}], "JSON Pointer"),
        ([{"op": "replace", "path": "/a~2b", "value": "x"}], "JSON Pointer"),
        ([{"op": "replace", "value": "x"}], "JSON Pointer"),
        ([{"op": "replace", "path": 5, "value": "x"}], "JSON Pointer"),
        ([{"op": "add", "path": "/a"}], "needs a value"),
        ([{"op": "replace", "path": "/a"}], "needs a value"),
        ([{"op": "test", "path": "/a"}], "needs a value"),
        ([{"op": "move", "path": "/a"}], r"from must be a JSON Pointer"),
        ([{"op": "copy", "path": "/a", "from": "b"}], r"from must be a JSON Pointer"),
        ([{"op": "replace", "path": "/a", "value": None}], "value must be"),
        ([{"op": "replace", "path": "/a", "value": 1.5}], "value must be"),
        ([{"op": "replace", "path": "/a", "value": {"x": float("nan")}}], "JSON cannot carry"),
        ([{"op": "replace", "path": "/a", "value": {1: "x"}}], "key that is not a string"),
        ([{"op": "replace", "path": "/a", "value": [object()]}], "not JSON"),
        ([{"op": "remove", "path": "/ok"}, "not an operation"], r"operations\[1\]"),
    ],
)
async def test_malformed_patch_operations_are_refused_before_any_request(
    operations: list[Any], message: str
) -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match=message):
        await api.client().patch_integration("abc", operations)
    with pytest.raises(ValueError, match=message):
        await api.client().patch_before_provisioning_rule("abc", operations)
    assert api.requests == []


@pytest.mark.parametrize("operations", ["/a", {"op": "remove", "path": "/a"}, None, 5])
async def test_operations_must_be_a_sequence(operations: Any) -> None:
    api = MockAPI()
    with pytest.raises(TypeError, match="operations must be a list"):
        await api.client().patch_integration("abc", operations)
    assert api.requests == []


async def test_a_typed_operation_with_a_bad_pointer_is_refused() -> None:
    api = MockAPI()
    operation = JsonPatchOperation(op=JsonPatchOperationOp.REPLACE, path="nope", value="x")
    with pytest.raises(ValueError, match="JSON Pointer"):
        await api.client().patch_integration("abc", [operation])
    assert api.requests == []


@pytest.mark.parametrize(
    ("details", "error", "message"),
    [
        ({}, ValueError, "need a 'name'"),
        ({"description": "no name"}, ValueError, "need a 'name'"),
        ({"name": ""}, ValueError, "non-blank"),
        ({"name": "  "}, ValueError, "non-blank"),
        ({"name": None}, TypeError, "must be a str"),
        ({"name": 7}, TypeError, "must be a str"),
        ({"name": "n", "extra": {1, 2}}, ValueError, "not JSON"),
        ({"name": "n", 3: "x"}, ValueError, "keys must be strings"),
        ("name=n", TypeError, "details must be"),
        (None, TypeError, "details must be"),
    ],
)
@pytest.mark.parametrize("call", ["create", "update", "upsert"])
async def test_invalid_details_are_refused_before_any_request(
    details: Any, error: type[Exception], message: str, call: str
) -> None:
    api = MockAPI()
    sim = api.client()
    with pytest.raises(error, match=message):
        if call == "create":
            await sim.create_integration(details)
        elif call == "update":
            await sim.update_integration("abc", details)
        else:
            await sim.upsert_integration(details)
    assert api.requests == []


async def test_a_details_model_with_a_blank_name_is_refused() -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match="non-blank"):
        await api.client().create_integration(SimIntegrationDetails(name=""))
    assert api.requests == []


@pytest.mark.parametrize("name", ["", " ", None, 3])
async def test_find_needs_a_name(name: Any) -> None:
    api = MockAPI()
    with pytest.raises((ValueError, TypeError), match="integration name"):
        await api.client().find_integration(name)
    assert api.requests == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "credentials are missing"),
        ({"token": TOKEN, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, "not both"),
        ({"token": TOKEN, "client_id": CLIENT_ID}, "not both"),
        ({"client_id": CLIENT_ID}, "go together"),
        ({"client_secret": CLIENT_SECRET}, "go together"),
        ({"token": ""}, "non-empty"),
        ({"token": "with space"}, "visible ASCII"),
        ({"token": "line\nbreak"}, "visible ASCII"),
        ({"token": TOKEN, "token_url": "https://x.example/oauth/token"}, "token_url goes with"),
        (
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "token_url": "http://evil.example/oauth/token",
            },
            "token_url must use https",
        ),
        ({"token": TOKEN, "max_retries": -1}, "max_retries"),
        ({"token": TOKEN, "max_retries": True}, "max_retries"),
        ({"token": TOKEN, "timeout": 0}, "timeout"),
        ({"token": TOKEN, "timeout": -3.0}, "timeout"),
    ],
)
def test_bad_construction_is_a_value_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        SimClient("https://acme.api.identitynow.com", **options)
    assert CLIENT_SECRET not in str(raised.value) and TOKEN not in str(raised.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://acme.api.identitynow.com",
        "http://10.0.0.8:8080",
        "ftp://acme.example",
        "acme.api.identitynow.com",
        "",
        "https://acme.example/?x=1",
        "http://localhost.evil.example",
    ],
)
def test_base_url_must_be_https_unless_loopback(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        SimClient(base_url, token=TOKEN)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://localhost:8080",
        "http://127.0.0.1:9000",
        "http://127.8.9.10",
        "http://[::1]:8000",
        "https://acme.api.identitynow.com",
        "https://acme.api.identitynow.com/beta",
    ],
)
def test_https_and_loopback_base_urls_are_accepted(base_url: str) -> None:
    sim = SimClient(base_url, token=TOKEN, http_client=httpx.AsyncClient())
    assert sim.base_url.endswith("/beta") and not sim.base_url.endswith("/beta/beta")


async def test_an_over_long_id_is_refused_before_any_request() -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match="at most 1024"):
        await api.client().get_integration("x" * 70_000)
    assert api.requests == []


@pytest.mark.parametrize("url", ["https://user:pa55word@acme.example", "https://user@acme.example"])
def test_credentials_in_the_base_url_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="user name or password") as raised:
        SimClient(url, token=TOKEN)
    assert "pa55word" not in str(raised.value)


def test_http_client_and_transport_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        SimClient(
            "https://acme.example",
            token=TOKEN,
            http_client=httpx.AsyncClient(),
            transport=httpx.MockTransport(lambda request: httpx.Response(200)),
        )
