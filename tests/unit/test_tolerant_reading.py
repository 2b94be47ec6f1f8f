"""Tolerant reading: a drifted answer never breaks a call, and nothing it carried is lost.

The corpus below is shaped like answers of a Java/Jackson service that has drifted from the
fragment (explicit nulls, enum values nobody listed, numbers as strings, string-shaped maps,
epoch-millisecond dates, objects where strings are and the reverse, new fields), the bug class
of the official SDKs' trackers. Each case is checked by model (from_dict/to_dict), through the
client (list and get), and in strict mode.
"""

from __future__ import annotations

import copy
import datetime
import enum
import json
import logging
import types
import typing
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim_client import ResponseDecodeError, SimIntegration, _reading
from sim_client._responses import decode_integration, decode_integrations
from sim_client.models import (
    UNSET,
    BeforeProvisioningRule,
    DtoType,
    OwnerRef,
    ProvisioningConfig,
    Unset,
)
from sim_client.testing import FakeSimServer
from tests.mock_api import MockAPI, integration, json_response

SECRET = "hunter2-sn-password"


@pytest.fixture(autouse=True)
def fresh_reports() -> Iterator[None]:
    """Each test starts with no misfit reported yet (they are reported once per process)."""
    saved = set(_reading._reported)
    _reading._reported.clear()
    yield
    _reading._reported.clear()
    _reading._reported.update(saved)


def drifted(**changes: Any) -> dict[str, Any]:
    document = integration()
    document.update(changes)
    return document


def nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    document = integration()
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


JACKSON_NULLS = drifted(
    description=None,
    cluster=None,
    ownerRef=None,
    clusterRef=None,
    managedSources=None,
    attributes=None,
    created=None,
    modified=None,
    provisioningConfig={
        "universalManager": None,
        "managedResourceRefs": None,
        "planInitializerScript": None,
        "noProvisioningRequests": None,
        "provisioningRequestExpiration": None,
    },
    beforeProvisioningRule={"type": None, "id": None, "name": None},
)

# name -> (document, (model path, attribute), what the typed attribute reads)
CORPUS: dict[str, tuple[dict[str, Any], tuple[str, ...], object]] = {
    "null description": (drifted(description=None), ("description",), UNSET),
    "null cluster (nullable in newer documents)": (drifted(cluster=None), ("cluster",), UNSET),
    "null ownerRef": (drifted(ownerRef=None), ("owner_ref",), UNSET),
    "null attributes": (drifted(attributes=None), ("attributes",), UNSET),
    "null name": (drifted(name=None), ("name",), UNSET),
    "null inside a reference": (
        nested(("ownerRef", "name"), None),
        ("owner_ref", "name"),
        UNSET,
    ),
    "Jackson nulls at every level": (JACKSON_NULLS, ("before_provisioning_rule", "type_"), UNSET),
    "ownerRef of an unlisted type": (
        nested(("ownerRef", "type"), "GOVERNANCE_GROUP"),
        ("owner_ref", "type_"),
        "GOVERNANCE_GROUP",
    ),
    "rule of an unlisted DtoType": (
        nested(("beforeProvisioningRule", "type"), "CONNECTOR_RULE"),
        ("before_provisioning_rule", "type_"),
        "CONNECTOR_RULE",
    ),
    "managed resource of an unlisted type": (
        nested(
            ("provisioningConfig", "managedResourceRefs"),
            [{"type": "MACHINE_ACCOUNT", "id": "s1", "name": "AD"}],
        ),
        ("provisioning_config", "managed_resource_refs", "0", "type_"),
        "MACHINE_ACCOUNT",
    ),
    "attributes as a JSON string (the seed's example)": (
        drifted(attributes=json.dumps({"instance": "acme", "password": SECRET})),
        ("attributes",),
        UNSET,
    ),
    "integer as a string": (
        nested(("provisioningConfig", "provisioningRequestExpiration"), "24"),
        ("provisioning_config", "provisioning_request_expiration"),
        UNSET,
    ),
    "boolean as a string": (
        nested(("provisioningConfig", "noProvisioningRequests"), "false"),
        ("provisioning_config", "no_provisioning_requests"),
        UNSET,
    ),
    "integer as a float": (
        nested(("provisioningConfig", "provisioningRequestExpiration"), 24.0),
        ("provisioning_config", "provisioning_request_expiration"),
        UNSET,
    ),
    "epoch-millisecond date": (drifted(created=1672780582432), ("created",), UNSET),
    "date that does not parse": (drifted(modified="03/01/2023 21:16"), ("modified",), UNSET),
    "object where a string is": (drifted(cluster={"id": "c1"}), ("cluster",), UNSET),
    "string where an object is": (drifted(clusterRef="2c9180847a7f"), ("cluster_ref",), UNSET),
    "list where an object is": (drifted(provisioningConfig=[]), ("provisioning_config",), UNSET),
    "object where a list is": (drifted(managedSources={"s1": True}), ("managed_sources",), UNSET),
    "list item of another shape": (
        nested(("provisioningConfig", "managedResourceRefs"), ["2c9180855d191c59"]),
        ("provisioning_config", "managed_resource_refs"),
        UNSET,
    ),
    "script as a bare string": (
        nested(("provisioningConfig", "planInitializerScript"), "<Rule/>"),
        ("provisioning_config", "plan_initializer_script"),
        UNSET,
    ),
    "name as a number": (drifted(name=42), ("name",), UNSET),
    "rule type as an object": (
        nested(("beforeProvisioningRule", "type"), {}),
        ("before_provisioning_rule", "type_"),
        UNSET,
    ),
}
# Drift that still fits the fragment: strict reading accepts these too.
FITTING: dict[str, dict[str, Any]] = {
    "new fields at every level": nested(("provisioningConfig", "ticketPriority"), 2)
    | {"tenantId": None, "statusMap": {"closed": "Committed"}},
    "date with +00:00": drifted(created="2023-01-03T21:16:22.432+00:00"),
    "date with a two-digit fraction": drifted(modified="2023-01-03T21:16:22.43Z"),
    "date without a zone": drifted(created="2023-01-03T21:16:22"),
}


def read(model: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        model = model[int(step)] if step.isdigit() else getattr(model, step)
    return model


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` is an instance of the type hint ``hint`` (unions, lists, Any)."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, member) for member in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(conforms(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is type(None):
        return value is None
    return isinstance(value, hint)


def assert_typed_attributes_hold_their_types(model: Any) -> None:
    """Every typed attribute of ``model`` and its nested models holds a value of its type."""
    hints = typing.get_type_hints(type(model))
    for field in attrs.fields(type(model)):
        if field.name == "additional_properties":
            continue
        value = getattr(model, field.name)
        assert conforms(value, hints[field.name]), f"{type(model).__name__}.{field.name}"
        children = value if isinstance(value, list) else [value]
        for child in children:
            if attrs.has(type(child)):
                assert_typed_attributes_hold_their_types(child)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "sim_client" and r.levelno == logging.WARNING
    ]


# --- By model ------------------------------------------------------------------------------


@pytest.mark.parametrize(("document", "path", "expected"), CORPUS.values(), ids=CORPUS.keys())
def test_a_drifted_answer_decodes_reads_unset_and_round_trips_exactly(
    document: dict[str, Any], path: tuple[str, ...], expected: object
) -> None:
    pristine = copy.deepcopy(document)

    model = SimIntegration.from_dict(document)

    assert read(model, path) == expected
    if isinstance(expected, str):
        assert type(read(model, path)) is str  # an unlisted enum value: its plain string
    assert_typed_attributes_hold_their_types(model)
    assert model.to_dict() == pristine
    assert document == pristine
    assert SimIntegration.from_dict(model.to_dict()).to_dict() == pristine


@pytest.mark.parametrize(("document", "path", "expected"), CORPUS.values(), ids=CORPUS.keys())
def test_strict_reading_refuses_every_drifted_answer(
    document: dict[str, Any], path: tuple[str, ...], expected: object
) -> None:
    with pytest.raises((TypeError, ValueError)) as raised:
        SimIntegration.from_dict(document, strict=True)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize("document", FITTING.values(), ids=FITTING.keys())
def test_drift_that_fits_the_fragment_is_read_the_same_either_way(
    document: dict[str, Any],
) -> None:
    tolerant = SimIntegration.from_dict(document)
    strict = SimIntegration.from_dict(document, strict=True)

    assert tolerant == strict
    assert tolerant.to_dict() == document
    assert strict.to_dict() == document


def test_the_raw_value_is_kept_in_the_model_that_owns_the_field() -> None:
    document = nested(("provisioningConfig", "provisioningRequestExpiration"), "24")

    model = SimIntegration.from_dict(document)

    config = model.provisioning_config
    assert isinstance(config, ProvisioningConfig)
    assert config.provisioning_request_expiration is UNSET
    assert config.additional_properties == {"provisioningRequestExpiration": "24"}
    assert config.no_provisioning_requests is True  # its siblings are still typed
    assert "provisioningRequestExpiration" not in model.additional_properties


def test_a_value_set_by_the_caller_wins_over_the_raw_one() -> None:
    model = SimIntegration.from_dict(drifted(description=None))

    model.description = "Fixed"

    assert model.to_dict()["description"] == "Fixed"


def test_an_unlisted_enum_value_is_a_plain_string_and_a_listed_one_the_member() -> None:
    odd = BeforeProvisioningRule.from_dict({"type": "CONNECTOR_RULE", "id": "r"})
    known = BeforeProvisioningRule.from_dict({"type": "RULE", "id": "r"})

    assert odd.type_ == "CONNECTOR_RULE"
    assert not isinstance(odd.type_, DtoType)
    assert known.type_ is DtoType.RULE
    assert odd.to_dict() == {"type": "CONNECTOR_RULE", "id": "r"}
    assert "type" not in odd.additional_properties


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-03T21:16:22.432+00:00",
        "2023-01-03T21:16:22.43Z",
        "2023-01-03T21:16:22.000Z",
        "2023-01-03 21:16:22Z",
        "2023-01-03",
        "2023-01-03T211622.4Z",
    ],
)
def test_a_date_time_that_parses_keeps_its_text(text: str) -> None:
    model = SimIntegration.from_dict({"id": "i", "created": text})

    assert isinstance(model.created, datetime.datetime)
    assert model.to_dict() == {"id": "i", "created": text}
    assert "created" not in model.additional_properties


def test_a_date_time_changed_by_the_caller_is_written_in_rfc_3339() -> None:
    model = SimIntegration.from_dict({"id": "i", "created": "2023-01-03T21:16:22.432+00:00"})
    assert isinstance(model.created, datetime.datetime)

    model.created = model.created.replace(year=2024)
    later = copy.deepcopy(SimIntegration.from_dict({"id": "i", "created": "2023-01-03 21:16Z"}))

    assert model.to_dict()["created"] == "2024-01-03T21:16:22.432Z"
    assert later.to_dict()["created"] == "2023-01-03 21:16Z"  # a copy keeps the text too
    assert repr(later.created) == repr(datetime.datetime(2023, 1, 3, 21, 16, tzinfo=datetime.UTC))


def test_an_integration_without_a_string_id_is_refused_even_tolerantly() -> None:
    with pytest.raises(ValueError, match=r"SimIntegration\.id: required field is missing"):
        SimIntegration.from_dict({"name": "n"})
    with pytest.raises(TypeError, match=r"SimIntegration\.id: expected str, got int"):
        SimIntegration.from_dict({"id": 5})


def test_strict_reading_requires_the_fields_the_service_always_sends() -> None:
    only_id = {"id": "i"}
    without_name = {key: value for key, value in integration().items() if key != "name"}

    assert SimIntegration.from_dict(without_name).name is UNSET
    with pytest.raises(ValueError, match=r"SimIntegration\.name: required field is missing"):
        SimIntegration.from_dict(without_name, strict=True)
    assert SimIntegration.from_dict(only_id).to_dict() == only_id


def members(hint: Any) -> Iterator[Any]:
    """The plain types inside a type hint (through unions and lists)."""
    args = typing.get_args(hint)
    if not args:
        yield hint
    for arg in args:
        yield from members(arg)


def test_response_model_types_say_every_field_but_id_may_be_unset() -> None:
    models: list[type[Any]] = [SimIntegration]
    for model in models:
        hints = typing.get_type_hints(model)
        for field in attrs.fields(model):
            if field.name == "additional_properties":
                continue
            kinds = list(members(hints[field.name]))
            models += [kind for kind in kinds if attrs.has(kind) and kind not in models]
            if (model, field.name) == (SimIntegration, "id"):
                assert kinds == [str]
                continue
            assert field.default is UNSET, f"{model.__name__}.{field.name}"
            assert Unset in kinds, f"{model.__name__}.{field.name}"
            if any(isinstance(kind, type) and issubclass(kind, enum.Enum) for kind in kinds):
                assert str in kinds, f"{model.__name__}.{field.name}"
    assert {OwnerRef, ProvisioningConfig, BeforeProvisioningRule} <= set(models)


# --- Reprs and logs ------------------------------------------------------------------------


def test_repr_never_shows_a_raw_kept_value_or_an_unknown_field() -> None:
    document = drifted(
        attributes=json.dumps({"password": SECRET}),
        cluster={"password": SECRET},
        newCredential=SECRET,
        provisioningConfig={"planInitializerScript": SECRET},
    )

    model = SimIntegration.from_dict(document)

    for text in (repr(model), str(model), repr(model.provisioning_config)):
        assert SECRET not in text
    assert "additional_keys=['attributes', 'cluster', 'newCredential', 'unknownField']" in repr(
        model
    )
    assert model.to_dict() == document


def test_each_kind_of_misfit_is_logged_once_without_its_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    SimIntegration.from_dict(drifted(cluster={"password": SECRET}))
    SimIntegration.from_dict(drifted(cluster={"password": SECRET + "2"}))
    SimIntegration.from_dict(nested(("ownerRef", "type"), "GOVERNANCE_GROUP"))
    SimIntegration.from_dict(nested(("ownerRef", "type"), "WORKGROUP"))
    SimIntegration.from_dict(drifted(cluster=7))

    assert warnings_of(caplog) == [
        "SimIntegration.cluster: expected str, got dict; kept raw",
        "OwnerRef.type: not a known OwnerRefType value; kept as a plain string",
        "SimIntegration.cluster: expected str, got int; kept raw",
    ]
    logged = " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert SECRET not in logged
    assert "GOVERNANCE_GROUP" not in logged


def test_strict_reading_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(TypeError):
        SimIntegration.from_dict(drifted(cluster=None), strict=True)
    assert warnings_of(caplog) == []


# --- Through the client ----------------------------------------------------------------------


async def test_one_drifted_integration_does_not_break_the_list() -> None:
    documents = [integration(id=f"{n:032x}") for n in range(3)]
    documents[1] = JACKSON_NULLS | {"id": "1" * 32}
    api = MockAPI()
    api.answer(json_response(200, documents), json_response(200, documents[1]))

    async with api.client() as sim:
        listed = await sim.list_integrations()
        one = await sim.get_integration("1" * 32)

    assert [item.to_dict() for item in listed] == documents
    assert listed[1].description is UNSET
    assert one == listed[1]
    assert isinstance(listed[0].owner_ref, OwnerRef)


async def test_the_fakes_own_old_answer_with_a_null_rule_type_lists_fine() -> None:
    stored = integration(beforeProvisioningRule={"type": None}, name="a")
    api = MockAPI(json_response(200, [stored]))

    async with api.client() as sim:
        (listed,) = await sim.list_integrations()

    assert isinstance(listed.before_provisioning_rule, BeforeProvisioningRule)
    assert listed.before_provisioning_rule.type_ is UNSET
    assert listed.to_dict() == stored


@pytest.mark.parametrize(
    ("items", "problem"),
    [
        ([integration(), {"name": "no id", "password": SECRET}], "item 1 is not a SimIntegration"),
        ([integration(), integration(), {"id": 17}], "item 2 is not a SimIntegration"),
        ([SECRET], "item 0 is not a SimIntegration"),
        ([integration(), None], "item 1 is not a SimIntegration"),
    ],
    ids=["missing id", "id not a string", "not an object", "null item"],
)
async def test_a_list_item_without_a_string_id_names_its_index(
    items: list[Any], problem: str
) -> None:
    api = MockAPI(json_response(200, items))

    async with api.client() as sim:
        with pytest.raises(ResponseDecodeError) as raised:
            await sim.list_integrations()

    assert problem in str(raised.value)
    assert SECRET not in str(raised.value)
    assert raised.value.status_code == 200


async def test_a_strict_client_refuses_what_a_tolerant_one_reads() -> None:
    api = MockAPI(json_response(200, [integration(), drifted(cluster=None)]))

    async with api.client(strict=True) as strict, api.client(strict=False) as tolerant:
        with pytest.raises(ResponseDecodeError, match=r"item 1 .*SimIntegration\.cluster"):
            await strict.list_integrations()
        assert len(await tolerant.list_integrations()) == 2


def test_the_strict_reading_option_of_the_suite_is_in_force(request: pytest.FixtureRequest) -> None:
    by_default = MockAPI().client()

    assert by_default.strict is request.config.getoption("--strict-reading")
    assert ("strict=True" in repr(by_default)) is by_default.strict
    assert MockAPI().client(strict=False).strict is False


def test_strict_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="strict must be a bool"):
        MockAPI().client(strict="yes")


# --- Any object with a string id -----------------------------------------------------------

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
DATES = st.sampled_from(
    ["2023-01-03T21:16:22.432Z", "2023-01-03T21:16:22.43+00:00", "2023-02-30T00:00:00Z", "2023"]
)
ENUMS = st.sampled_from(["IDENTITY", "CLUSTER", "SOURCE", "RULE", "GOVERNANCE_GROUP", ""])


def shaped(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with any of ``fields`` (each well-typed or any JSON) and unknown members."""
    optional = {name: strategy | JSON for name, strategy in fields.items()}
    known = st.fixed_dictionaries({}, optional=optional)
    unknown = st.dictionaries(
        st.text(max_size=6).filter(lambda k: k not in fields), JSON, max_size=2
    )
    return st.tuples(unknown, known).map(lambda pair: pair[0] | pair[1])


REF = shaped({"type": ENUMS, "id": st.text(max_size=6), "name": st.text(max_size=6)})
CONFIG = shaped(
    {
        "universalManager": st.booleans(),
        "managedResourceRefs": st.lists(REF, max_size=2),
        "planInitializerScript": shaped({"source": st.text(max_size=6)}),
        "noProvisioningRequests": st.booleans(),
        "provisioningRequestExpiration": st.integers(),
    }
)
INTEGRATION = shaped(
    {
        "name": st.text(max_size=6),
        "description": st.text(max_size=6),
        "type": st.text(max_size=6),
        "created": DATES,
        "modified": DATES,
        "ownerRef": REF,
        "clusterRef": REF,
        "cluster": st.text(max_size=6),
        "managedSources": st.lists(st.text(max_size=4), max_size=2),
        "provisioningConfig": CONFIG,
        "attributes": st.dictionaries(st.text(max_size=5), JSON, max_size=3),
        "beforeProvisioningRule": REF,
    }
).flatmap(lambda doc: st.text(max_size=8).map(lambda id_: doc | {"id": id_}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=INTEGRATION)
def test_any_object_with_a_string_id_decodes_and_round_trips(document: dict[str, Any]) -> None:
    pristine = copy.deepcopy(document)
    response = httpx.Response(
        200,
        content=json.dumps(document).encode(),
        request=httpx.Request("GET", "https://acme.api.identitynow.com/beta/sim-integrations"),
    )

    model = decode_integration(response, strict=False)
    (listed,) = decode_integrations(
        httpx.Response(200, content=b"[" + response.content + b"]", request=response.request),
        strict=False,
    )

    assert model.to_dict() == pristine
    assert listed == model
    assert_typed_attributes_hold_their_types(model)
    # Strict reading either agrees or raises ResponseDecodeError, never anything else.
    try:
        strict: SimIntegration | ResponseDecodeError = decode_integration(response, strict=True)
    except ResponseDecodeError as error:
        strict = error
    assert strict == model or isinstance(strict, ResponseDecodeError)


# --- Against a fake that answers like a Jackson service ------------------------------------


async def test_a_fake_with_explicit_nulls_is_read_tolerantly_and_refused_strictly() -> None:
    fake = FakeSimServer(explicit_nulls=True)
    async with fake.client(strict=False) as sim:
        created = await sim.create_integration(
            {"name": "Jackson", "provisioningConfig": {"managedResourceRefs": [{"id": "s1"}]}}
        )
        listed = await sim.list_integrations()
        patched = await sim.patch_integration(
            created.id, [{"op": "replace", "path": "/description", "value": "HR"}]
        )

    assert listed == [created]
    raw = created.to_dict()
    assert raw["cluster"] is None
    assert raw["ownerRef"] is None
    assert raw["provisioningConfig"]["managedResourceRefs"] == [
        {"id": "s1", "type": None, "name": None}
    ]
    assert created.cluster is UNSET
    assert created.additional_properties["cluster"] is None
    config = created.provisioning_config
    assert isinstance(config, ProvisioningConfig)
    assert isinstance(config.managed_resource_refs, list)
    assert config.managed_resource_refs[0].id == "s1"
    assert config.managed_resource_refs[0].type_ is UNSET
    assert patched.description == "HR"
    async with fake.client(strict=True) as strict:
        with pytest.raises(ResponseDecodeError, match="expected"):
            await strict.get_integration(created.id)


RENDERINGS = [
    lambda d: d.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    lambda d: d.isoformat(timespec="seconds").replace("+00:00", "Z"),
    lambda d: d.isoformat(timespec="microseconds"),
    lambda d: d.isoformat(sep=" ", timespec="milliseconds"),
    lambda d: d.isoformat(timespec="milliseconds")[:-4] + "Z" if d.utcoffset() else d.isoformat(),
    lambda d: d.strftime("%G-W%V-%uT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z",
]


@settings(max_examples=200, deadline=None)
@given(
    when=st.datetimes(
        timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=2))])
    ),
    rendering=st.sampled_from(RENDERINGS),
)
def test_any_date_time_text_that_parses_is_written_back_as_it_was(
    when: datetime.datetime, rendering: Any
) -> None:
    text = rendering(when)
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return  # not ISO 8601 as Python reads it: kept raw, covered above
    document = {"id": "i", "created": text, "modified": text}

    model = SimIntegration.from_dict(document)

    assert isinstance(model.created, datetime.datetime)
    assert model.to_dict() == document
