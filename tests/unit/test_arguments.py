"""Bad arguments fail with a clear ValueError/TypeError before any request is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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


# --- hostile arguments ---


@pytest.mark.parametrize("bad_id", ["\ud800", "abc\udfff", "a\x7fb"])
async def test_ids_with_lone_surrogates_or_del_are_refused(bad_id: str) -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match="integration id must not contain"):
        await api.client().get_integration(bad_id)
    assert api.requests == []


async def test_an_id_of_exactly_the_maximum_length_is_sent() -> None:
    api = MockAPI()
    await api.client().get_integration("x" * 1024)
    assert api.requests[0].url.path == "/beta/sim-integrations/" + "x" * 1024
    with pytest.raises(ValueError, match="at most 1024"):
        await api.client().get_integration("x" * 1025)


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"name": "\ud800"}, "integration name must not contain lone surrogates"),
        ({"name": "n", "description": "x\udc00"}, "lone surrogate"),
        ({"name": "n", "attributes": {"\ud800": "v"}}, "lone surrogate"),
        ({"name": "n", "attributes": {"big": 10**5000}}, "integer too long for JSON"),
        ({"name": "n", "attributes": {"big": -(10**5000)}}, "integer too long for JSON"),
    ],
)
async def test_details_that_json_cannot_carry_are_refused(
    details: dict[str, Any], message: str
) -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match=message):
        await api.client().create_integration(details)
    assert api.requests == []


async def test_a_name_with_a_lone_surrogate_is_refused_by_find() -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match="lone surrogates"):
        await api.client().find_integration("a\ud800")
    assert api.requests == []


@pytest.mark.parametrize(
    "value",
    ["\ud800", {"k": "\udfff"}, [10**5000], 10**4300],
    ids=["surrogate", "nested-surrogate", "nested-long-int", "long-int"],
)
async def test_patch_values_that_json_cannot_carry_are_refused(value: Any) -> None:
    api = MockAPI()
    with pytest.raises(ValueError, match=r"operations\[0\]"):
        await api.client().patch_integration("abc", [{"op": "add", "path": "/a", "value": value}])
    assert api.requests == []


async def test_a_large_integer_json_can_carry_is_sent() -> None:
    api = MockAPI()
    value = 10**4299  # 4300 digits: the most Python prints by default
    await api.client().patch_integration("abc", [{"op": "add", "path": "/a", "value": value}])
    assert str(value).encode() in api.requests[0].content


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"a": [value]}
    return value


@pytest.mark.parametrize("depth", [40, 100_000])
async def test_caller_json_nested_too_deeply_is_a_value_error(depth: int) -> None:
    api = MockAPI()
    sim = api.client()
    with pytest.raises(ValueError, match="nested too deeply"):
        await sim.create_integration({"name": "n", "attributes": nested(depth)})
    with pytest.raises(ValueError, match="nested too deeply"):
        await sim.patch_integration("abc", [{"op": "add", "path": "/a", "value": nested(depth)}])
    assert api.requests == []


async def test_json_nested_exactly_to_the_limit_is_sent_and_one_more_is_not() -> None:
    api = MockAPI()
    sim = api.client()
    # The operation is level 0 and its value level 1; nested(31) adds 62 levels below its top.
    deepest = {"a": nested(31)}  # the leaf at level 64
    await sim.patch_integration("abc", [{"op": "add", "path": "/a", "value": deepest}])
    assert len(api.requests) == 1
    with pytest.raises(ValueError, match="nested too deeply"):
        await sim.patch_integration("abc", [{"op": "add", "path": "/a", "value": [deepest]}])
    assert len(api.requests) == 1


async def test_the_empty_json_pointer_addresses_the_whole_document() -> None:
    api = MockAPI()
    await api.client().patch_integration("abc", [{"op": "test", "path": "", "value": {}}])
    assert b'"path": ""' in api.requests[0].content or b'"path":""' in api.requests[0].content


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.example/?",
        "https://acme.example/#",
        "https://acme.example?",
        "https://acme.example/beta#frag",
    ],
)
def test_an_empty_query_or_fragment_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base_url must not carry a query or fragment"):
        SimClient(url, token=TOKEN)
    with pytest.raises(ValueError, match="token_url must not carry a query or fragment"):
        SimClient(
            "https://acme.example",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            token_url=url.replace("/beta", "/oauth/token"),
        )


@pytest.mark.parametrize("base_url", [None, 5, b"https://acme.example", ["https://a.example"]])
def test_a_base_url_that_is_not_a_string_is_refused(base_url: Any) -> None:
    with pytest.raises(ValueError, match="base_url must be a non-empty URL string"):
        SimClient(base_url, token=TOKEN)


@pytest.mark.parametrize(
    "timeout", [True, False, "30", None, float("nan"), float("inf"), 10**400, -1, 0]
)
def test_a_timeout_that_is_not_a_positive_number_is_refused(timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        SimClient("https://acme.example", token=TOKEN, timeout=timeout)


@pytest.mark.parametrize(
    "timeout",
    [
        httpx.Timeout(float("inf")),
        httpx.Timeout(5.0, read=float("nan")),
        httpx.Timeout(None, connect=-1.0),
        httpx.Timeout(0.0),
    ],
)
def test_an_httpx_timeout_with_a_phase_that_is_not_finite_seconds_is_refused(
    timeout: httpx.Timeout,
) -> None:
    with pytest.raises(ValueError, match=r"each phase of an httpx\.Timeout must be None or finite"):
        SimClient("https://acme.example", token=TOKEN, timeout=timeout)


def test_a_max_response_bytes_of_one_is_accepted() -> None:
    sim = SimClient("https://acme.example", token=TOKEN, max_response_bytes=1)
    assert sim._options.transfer.limit == 1


async def test_null_values_inside_attributes_are_sent() -> None:
    api = MockAPI()
    await api.client().create_integration({"name": "n", "attributes": {"k": None, "b": True}})
    assert b'"k": null' in api.requests[0].content or b'"k":null' in api.requests[0].content


async def test_a_dict_at_the_deepest_level_may_have_keys() -> None:
    api = MockAPI()
    value: Any = {"k": "v"}  # its values at level 64 once wrapped below
    for _ in range(31):
        value = {"a": [value]}
    await api.client().patch_integration("abc", [{"op": "add", "path": "/a", "value": value}])
    assert len(api.requests) == 1


# Each refusal in full: the wording is part of what the caller reads.
EXACT: list[tuple[str, Callable[[Any], Awaitable[object]], str]] = [
    ("id-type", lambda sim: sim.get_integration(5), "integration id must be a str, not int"),
    (
        "id-dots",
        lambda sim: sim.get_integration(".."),
        "integration id must be a non-empty string other than '.' or '..'",
    ),
    (
        "id-control",
        lambda sim: sim.get_integration("a\x7f"),
        "integration id must not contain control characters",
    ),
    (
        "id-surrogate",
        lambda sim: sim.get_integration("a\ud800"),
        "integration id must not contain lone surrogates",
    ),
    ("name-type", lambda sim: sim.find_integration(5), "integration name must be a str, not int"),
    (
        "name-blank",
        lambda sim: sim.find_integration(" "),
        "integration name must be a non-blank string",
    ),
    (
        "name-surrogate",
        lambda sim: sim.find_integration("\udfff"),
        "integration name must not contain lone surrogates",
    ),
    (
        "details-type",
        lambda sim: sim.create_integration(5),
        "details must be a SimIntegrationDetails, a SimIntegration or a mapping, not int",
    ),
    (
        "details-key",
        lambda sim: sim.create_integration({1: "x", "name": "n"}),
        "details keys must be strings (the wire's camelCase field names)",
    ),
    ("details-name", lambda sim: sim.create_integration({}), "details need a 'name'"),
    (
        "details-value",
        lambda sim: sim.create_integration({"name": "n", "attributes": {"k": object()}}),
        "details holds a object, which is not JSON",
    ),
    (
        "details-surrogate",
        lambda sim: sim.create_integration({"name": "n", "attributes": {"k": "\ud800"}}),
        "details holds a string with a lone surrogate, which JSON cannot carry",
    ),
    (
        "operations-type",
        lambda sim: sim.patch_integration("abc", "op"),
        "operations must be a list of JSON Patch operations",
    ),
    (
        "operations-empty",
        lambda sim: sim.patch_integration("abc", []),
        "operations must not be empty",
    ),
    (
        "operation-op",
        lambda sim: sim.patch_integration("abc", [{"op": "x", "path": "/a"}]),
        "operations[0].op must be one of add, copy, move, remove, replace, test",
    ),
    (
        "operation-path",
        lambda sim: sim.patch_integration("abc", [{"op": "remove", "path": "a"}]),
        "operations[0].path must be a JSON Pointer such as '/description'",
    ),
    (
        "operation-type",
        lambda sim: sim.patch_integration("abc", [5]),
        "operations[0] must be a JsonPatchOperation or a mapping",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), [(c, m) for _, c, m in EXACT], ids=[i for i, _, _ in EXACT]
)
async def test_argument_errors_in_full(
    call: Callable[[SimClient], Awaitable[object]], message: str
) -> None:
    api = MockAPI()
    with pytest.raises((ValueError, TypeError)) as raised:
        await call(api.client())
    assert str(raised.value) == message
    assert api.requests == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive number of seconds or an httpx.Timeout"),
        ({"max_response_bytes": 0}, "max_response_bytes must be a positive integer"),
        ({"token": 5}, "token must be a str"),
        ({"max_retries": -1}, "max_retries must be an integer >= 0"),
        ({"http_client": object()}, "http_client must be an httpx.AsyncClient"),
        (
            {"http_client": httpx.AsyncClient(), "transport": httpx.MockTransport(lambda r: r)},
            "give http_client or transport, not both",
        ),
    ],
)
def test_construction_errors_in_full(options: dict[str, Any], message: str) -> None:
    options.setdefault("token", TOKEN)
    with pytest.raises((ValueError, TypeError)) as raised:
        SimClient("https://acme.example", **options)
    assert str(raised.value) == message


def test_an_invalid_url_says_why() -> None:
    with pytest.raises(ValueError, match=r"^base_url is not a valid URL: ") as raised:
        SimClient("https://[zz]", token=TOKEN)
    assert str(raised.value) == "base_url is not a valid URL: Invalid IPv6 address: '[zz]'"
