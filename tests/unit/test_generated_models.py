"""The generated layer: strict (``strict=True``), lossless model decoding and the endpoint
modules on top of it. Tolerant decoding, the default, is covered in test_tolerant_reading.py.

Also checks that the OpenAPI fragment is valid and that `python -m scripts.generate --check`
notices a hand edit of the generated package.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from sim_client._generated import operations
from sim_client._generated.models import (
    BeforeProvisioningRule,
    DtoType,
    ErrorMessageDto,
    ErrorResponseDto,
    JsonObject,
    JsonPatchOperation,
    JsonPatchOperationOp,
    LocaleOrigin,
    ManagedResourceRef,
    ManagedResourceRefType,
    OwnerRef,
    OwnerRefType,
    PlanInitializerScript,
    ProvisioningConfig,
    SimIntegration,
    SimIntegrationAttributes,
    SimIntegrationDetails,
    SimIntegrationDetailsAttributes,
    SourceClusterRef,
    SourceClusterRefType,
)
from sim_client._generated.types import UNSET
from sim_client._reading import format_datetime, parse_datetime

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "sim-integrations.beta.yaml"
GENERATED = ROOT / "sim_client" / "_generated"
BASE_URL = "https://acme.api.identitynow.com/beta"
TOKEN = "generated-layer-token-5e6f"

RULE_XML = (
    "<?xml version='1.0' encoding='UTF-8'?>\r\n"
    '<!DOCTYPE Rule PUBLIC "sailpoint.dtd" "sailpoint.dtd">\r\n'
    '<Rule name="Example Rule" type="BeforeProvisioning">\r\n'
    "  <Description>Turns disables and enables into modifies.</Description>\r\n"
    "  <Source><![CDATA[\r\nplan.getAccountRequests();\r\n]]></Source>\r\n"
    "</Rule>\r\n"
)


def full_dto(number: int = 1) -> dict[str, Any]:
    """A complete response DTO as the service sends it, with fields our fragment does not know."""
    return {
        "id": f"2c9180835d2e5168015d32f890ca{number:04x}",
        "name": f"Service Desk Integration {number}",
        "description": "Opens ServiceNow tickets for provisioning",
        "type": "ServiceNowSDIM",
        "created": "2023-01-03T21:16:22.432Z",
        "modified": "2024-05-17T08:01:59Z",
        "ownerRef": {
            "type": "IDENTITY",
            "id": "2c9180a46faadee4016fb4e018c20639",
            "name": "Support Team",
        },
        "clusterRef": {
            "type": "CLUSTER",
            "id": "2c9180847a7fccdd017aa5896f9f4f6f",
            "name": "Training VA",
            "region": "eu-central-1",
        },
        "cluster": "xyzzy999",
        "managedSources": ["2c9180835d201fd9015d34b8d8d0c5b0", "2c91808370b8dc5d0170c0cfe8d20a4a"],
        "provisioningConfig": {
            "universalManager": False,
            "managedResourceRefs": [
                {"type": "SOURCE", "id": "2c9180835d201fd9015d34b8d8d0c5b0", "name": "AD"},
                {"type": "SOURCE", "id": "2c91808370b8dc5d0170c0cfe8d20a4a", "name": "Workday"},
                {"type": "SOURCE", "id": "2c9180866f16b44b016f16e0b7f4162a", "owner": "x"},
            ],
            "planInitializerScript": {"source": RULE_XML},
            "noProvisioningRequests": True,
            "provisioningRequestExpiration": 7,
            "ticketPriority": 2,
        },
        "attributes": {
            "uid": "Walter White",
            "firstname": "walter",
            "cloudauthoritativesource": "2c9180835d201fd9015d34b8d8d0c5b0",
            "cloudStatus": "UNREGISTERED",
            "iplanet-am-user-alias-list": [],
            "displayName": "Walter White",
            "internalCloudStatus": "UNREGISTERED",
            "workPhone": "7208675309",
            "email": "walter.white@example.com",
            "password": {"secret": True, "nested": [1, 2.5, None]},
        },
        "beforeProvisioningRule": {
            "type": "RULE",
            "id": "8a7ef1e8b4a0458497bb72d4fcd03b87",
            "name": "Example Rule",
        },
        "statusMap": {"closed_complete": "Committed", "closed_cancelled": "Failed"},
        "request": {"description": "SailPoint Access Request"},
        "tenantId": None,
    }


# --- Round trip ------------------------------------------------------------------------------


def test_full_dto_decodes_into_typed_nested_models() -> None:
    model = SimIntegration.from_dict(full_dto())

    assert model.id == "2c9180835d2e5168015d32f890ca0001"
    assert model.type_ == "ServiceNowSDIM"
    assert model.created == datetime.datetime(2023, 1, 3, 21, 16, 22, 432000, tzinfo=datetime.UTC)
    assert isinstance(model.owner_ref, OwnerRef)
    assert model.owner_ref.type_ is OwnerRefType.IDENTITY
    assert isinstance(model.cluster_ref, SourceClusterRef)
    assert model.cluster_ref.type_ is SourceClusterRefType.CLUSTER
    assert model.cluster_ref.additional_properties == {"region": "eu-central-1"}
    assert isinstance(model.attributes, SimIntegrationAttributes)
    assert model.attributes["cloudStatus"] == "UNREGISTERED"
    config = model.provisioning_config
    assert isinstance(config, ProvisioningConfig)
    assert config.provisioning_request_expiration == 7
    assert config.additional_properties == {"ticketPriority": 2}
    assert isinstance(config.plan_initializer_script, PlanInitializerScript)
    assert config.plan_initializer_script.source == RULE_XML
    assert isinstance(config.managed_resource_refs, list)
    assert {ref.type_ for ref in config.managed_resource_refs} == {ManagedResourceRefType.SOURCE}
    assert all(isinstance(ref, ManagedResourceRef) for ref in config.managed_resource_refs)
    assert config.managed_resource_refs[2].name is UNSET
    assert config.managed_resource_refs[2].additional_properties == {"owner": "x"}
    assert isinstance(model.before_provisioning_rule, BeforeProvisioningRule)
    assert model.before_provisioning_rule.type_ is DtoType.RULE
    assert model.additional_keys == ["statusMap", "request", "tenantId"]


def test_full_dto_round_trips_without_loss_and_input_is_untouched() -> None:
    document = full_dto()
    pristine = copy.deepcopy(document)

    model = SimIntegration.from_dict(document)
    encoded = model.to_dict()

    assert encoded == pristine
    assert document == pristine
    assert json.loads(json.dumps(encoded)) == pristine
    # Unknown fields live in the model, not in the caller's dict.
    model.additional_properties["tenantId"] = "changed"
    assert document["tenantId"] is None


def test_from_dict_builds_what_the_constructor_builds() -> None:
    model = SimIntegration.from_dict(full_dto())
    fields = {field.name: getattr(model, field.name) for field in attrs.fields(SimIntegration)}
    extra = fields.pop("additional_properties")

    rebuilt = SimIntegration(**fields)
    rebuilt.additional_properties = extra

    assert rebuilt == model
    # Each model has a dict of its own, even an empty one.
    first, second = OwnerRef.from_dict({}), OwnerRef.from_dict({})
    first.additional_properties["x"] = 1
    assert second.additional_properties == {}


@pytest.mark.parametrize(
    ("document", "extra"),
    [
        # As many keys as properties, but one of them unknown, misfit or UNSET.
        ({"type": "IDENTITY", "id": "i", "extra": 1}, {"extra": 1}),
        ({"type": "IDENTITY", "id": "i", "name": 7}, {"name": 7}),
        ({"type": "IDENTITY", "id": "i", "name": UNSET}, {}),
        ({"type": "IDENTITY", "id": "i", "name": "n"}, {}),
        ({"type": "IDENTITY", "id": "i", "name": "n", "extra": None}, {"extra": None}),
    ],
)
def test_unknown_and_misfit_keys_are_kept_whatever_the_count(
    document: dict[str, Any], extra: dict[str, Any]
) -> None:
    assert OwnerRef.from_dict(document).additional_properties == extra


def test_a_subclass_is_built_by_its_own_init() -> None:
    @attrs.define
    class TaggedOwnerRef(OwnerRef):
        tag: str = "default"

    model = TaggedOwnerRef.from_dict({"type": "IDENTITY", "id": "i", "extra": 1})

    assert type(model) is TaggedOwnerRef
    assert (model.type_, model.id, model.tag) == (OwnerRefType.IDENTITY, "i", "default")
    assert model.additional_properties == {"extra": 1}


def test_to_dict_omits_unset_fields() -> None:
    minimal = {"id": "i", "name": "n", "description": "d", "type": "t", "attributes": {}}

    model = SimIntegration.from_dict(minimal)

    assert model.owner_ref is UNSET
    assert model.created is UNSET
    assert model.to_dict() == minimal
    assert OwnerRef().to_dict() == {}


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-03T21:16:22Z",
        "2023-01-03T21:16:22.432Z",
        "2023-01-03T21:16:22.432123Z",
        "2023-01-03T21:16:22.100+02:00",
        "2023-01-03T21:16:22",
    ],
)
def test_date_times_round_trip_as_written(text: str) -> None:
    document = {"name": "n", "created": text}

    model = SimIntegrationDetails.from_dict(document)

    assert isinstance(model.created, datetime.datetime)
    assert model.to_dict() == document


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("2023-01-03T21:16:22.432Z", True),
        ("2023-01-03T21:16:22Z", True),
        ("2023-01-03T21:16:22.000Z", False),
        ("2023-01-03T21:16:22.43Z", False),
        ("2023-W01-2T21:16:22.432Z", False),
        ("2023-W01-2T21:16:22Z", False),
        ("20230103T211622.432Z", False),
        ("2023-01-03T211622.432Z", False),
        ("2023-01-03 21:16:22.432Z", False),
        ("2023-01-03T21:16:22.432+00:00", False),
    ],
)
def test_a_date_time_keeps_its_text_unless_written_as_the_client_writes(
    text: str, plain: bool
) -> None:
    value = parse_datetime(text)

    assert (type(value) is datetime.datetime) is plain
    assert format_datetime(value) == text


def test_a_mapping_that_is_not_a_dict_is_accepted() -> None:
    model = OwnerRef.from_dict(MappingProxyType({"type": "IDENTITY", "extra": 1}))

    assert model.type_ is OwnerRefType.IDENTITY
    assert model.additional_properties == {"extra": 1}


# --- Strictness (strict=True) ---------------------------------------------------------------

MISSING = object()


def _set(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if value is MISSING:
        del target[path[-1]]
    else:
        target[path[-1]] = value


# (case, path into the DTO, bad value or MISSING, exception, message)
BAD_DOCUMENTS: list[tuple[str, tuple[str | int, ...], object, type[Exception], str]] = [
    ("missing id", ("id",), MISSING, ValueError, "SimIntegration.id: required field is missing"),
    ("missing attributes", ("attributes",), MISSING, ValueError, "SimIntegration.attributes: req"),
    ("name int", ("name",), 42, TypeError, "SimIntegration.name: expected str, got int"),
    (
        "attributes as a string, as upstream examples show",
        ("attributes",),
        '{"password": "hunter2-secret"}',
        TypeError,
        "SimIntegration.attributes: expected dict, got str",
    ),
    (
        "bool for an int field",
        ("provisioningConfig", "provisioningRequestExpiration"),
        True,
        TypeError,
        "ProvisioningConfig.provisioningRequestExpiration: expected int, got bool",
    ),
    (
        "float for an int field",
        ("provisioningConfig", "provisioningRequestExpiration"),
        7.5,
        TypeError,
        "ProvisioningConfig.provisioningRequestExpiration: expected int, got float",
    ),
    (
        "str for a bool field",
        ("provisioningConfig", "noProvisioningRequests"),
        "true",
        TypeError,
        "ProvisioningConfig.noProvisioningRequests: expected bool, got str",
    ),
    (
        "list item of the wrong type",
        ("managedSources",),
        ["2c9180835d201fd9015d34b8d8d0c5b0", 31337],
        TypeError,
        "SimIntegration.managedSources[]: expected str, got int",
    ),
    (
        "object list item of the wrong type",
        ("provisioningConfig", "managedResourceRefs", 1),
        "source-id-secret",
        TypeError,
        "ProvisioningConfig.managedResourceRefs[]: expected dict, got str",
    ),
    (
        "string instead of an array",
        ("managedSources",),
        "a-b-c-secret",
        TypeError,
        "SimIntegration.managedSources: expected list, got str",
    ),
    (
        "unknown enum value in ownerRef.type",
        ("ownerRef", "type"),
        "ROBOT-secret",
        ValueError,
        "OwnerRef.type: not a known OwnerRefType value",
    ),
    (
        "enum value of the wrong type",
        ("ownerRef", "type"),
        1,
        TypeError,
        "OwnerRef.type: expected str, got int",
    ),
    (
        "unknown enum value in a nested list",
        ("provisioningConfig", "managedResourceRefs", 0, "type"),
        "IDENTITY",
        ValueError,
        "ManagedResourceRef.type: not a known ManagedResourceRefType value",
    ),
    (
        "bad date-time",
        ("created",),
        "yesterday-secret",
        ValueError,
        "SimIntegration.created: not an ISO 8601 date-time",
    ),
    (
        "date-time as a number",
        ("modified",),
        1672780582,
        TypeError,
        "SimIntegration.modified: expected str, got int",
    ),
    (
        "None for a required non-nullable field",
        ("description",),
        None,
        TypeError,
        "SimIntegration.description: expected str, got NoneType",
    ),
    (
        "None for an optional non-nullable field",
        ("cluster",),
        None,
        TypeError,
        "SimIntegration.cluster: expected str, got NoneType",
    ),
    (
        "None for a nested object",
        ("ownerRef",),
        None,
        TypeError,
        "SimIntegration.ownerRef: expected dict, got NoneType",
    ),
    (
        "nested object as a list",
        ("clusterRef",),
        ["CLUSTER-secret"],
        TypeError,
        "SimIntegration.clusterRef: expected dict, got list",
    ),
    (
        "wrong type deep inside",
        ("provisioningConfig", "planInitializerScript", "source"),
        12345,
        TypeError,
        "PlanInitializerScript.source: expected str, got int",
    ),
    (
        "unknown DtoType",
        ("beforeProvisioningRule", "type"),
        "NOT_A_TYPE_secret",
        ValueError,
        "BeforeProvisioningRule.type: not a known DtoType value",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "error", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_DOCUMENTS],
)
def test_bad_documents_raise_naming_the_field_but_not_the_value(
    path: tuple[str | int, ...], value: object, error: type[Exception], message: str
) -> None:
    document = full_dto()
    _set(document, path, value)

    with pytest.raises(error, match=re.escape(message)) as caught:
        SimIntegration.from_dict(document, strict=True)

    if isinstance(value, str):
        assert value not in str(caught.value)
        assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("document", "got"),
    [([full_dto()], "list"), ("id=1", "str"), (None, "NoneType"), (7, "int")],
    ids=["list", "str", "None", "int"],
)
def test_a_document_that_is_not_an_object_raises(document: Any, got: str) -> None:
    with pytest.raises(TypeError, match=re.escape(f"SimIntegration: expected dict, got {got}")):
        SimIntegration.from_dict(document)


def test_additional_properties_typed_as_strings_are_checked() -> None:
    good = {"name": "n", "statusMap": {"closed_complete": "Committed"}}
    assert SimIntegrationDetails.from_dict(good).to_dict() == good

    bad = {"name": "n", "statusMap": {"closed_complete": 1}}
    with pytest.raises(TypeError, match=re.escape("['closed_complete']: expected str, got int")):
        SimIntegrationDetails.from_dict(bad, strict=True)


def test_nullable_attributes_accept_none_and_objects_only() -> None:
    nulled = SimIntegrationDetails.from_dict({"name": "n", "attributes": None})
    assert nulled.attributes is None
    assert nulled.to_dict() == {"name": "n", "attributes": None}

    filled = SimIntegrationDetails.from_dict({"name": "n", "attributes": {"uid": "u"}})
    assert isinstance(filled.attributes, SimIntegrationDetailsAttributes)

    with pytest.raises(TypeError, match=re.escape("SimIntegrationDetails.attributes: expected")):
        SimIntegrationDetails.from_dict({"name": "n", "attributes": "uid=u"}, strict=True)


# --- ErrorMessageDto and LocaleOrigin -------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "expected"),
    [(None, None), ("DEFAULT", LocaleOrigin.DEFAULT), ("REQUEST", LocaleOrigin.REQUEST)],
)
def test_locale_origin_accepts_null_and_its_values(
    origin: str | None, expected: LocaleOrigin | None
) -> None:
    document = {"locale": None, "localeOrigin": origin, "text": "The request was invalid."}

    message = ErrorMessageDto.from_dict(document)

    assert message.locale is None
    assert message.locale_origin is expected
    assert message.to_dict() == document


def test_locale_origin_rejects_unknown_values_and_wrong_types() -> None:
    with pytest.raises(
        ValueError, match=re.escape("ErrorMessageDto.localeOrigin: not a known LocaleOrigin")
    ):
        ErrorMessageDto.from_dict({"localeOrigin": "GUESSED"}, strict=True)
    with pytest.raises(TypeError, match=re.escape("ErrorMessageDto.localeOrigin: expected")):
        ErrorMessageDto.from_dict({"localeOrigin": 1}, strict=True)
    with pytest.raises(
        TypeError, match=re.escape("ErrorMessageDto.locale: expected None | str, got int")
    ):
        ErrorMessageDto.from_dict({"locale": 5}, strict=True)


def test_error_response_dto_decodes_its_messages() -> None:
    document = {
        "detailCode": "400.1 Bad Request Content",
        "trackingId": "e7eab60924f64aa284175b9fa3309599",
        "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": "Bad input."}],
        "causes": [],
    }

    error = ErrorResponseDto.from_dict(document)

    assert isinstance(error.messages, list)
    assert isinstance(error.messages[0], ErrorMessageDto)
    assert error.messages[0].locale_origin is LocaleOrigin.DEFAULT
    assert error.to_dict() == document
    with pytest.raises(TypeError, match=re.escape("ErrorResponseDto.messages[]: expected dict")):
        ErrorResponseDto.from_dict({"messages": ["Bad input."]}, strict=True)


# --- JsonPatchOperation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["new description", "", True, False, 0, 42, {"uid": "u", "nested": [1, None]}, [], [1, "x"]],
    ids=["str", "empty str", "true", "false", "zero", "int", "object", "empty list", "list"],
)
def test_patch_values_of_each_allowed_kind_round_trip(value: object) -> None:
    document = {"op": "replace", "path": "/description", "value": value}

    operation = JsonPatchOperation.from_dict(document)

    assert operation.op is JsonPatchOperationOp.REPLACE
    assert operation.to_dict() == document
    if isinstance(value, dict):
        assert isinstance(operation.value, JsonObject)
    else:
        assert type(operation.value) is type(value)
        assert operation.value == value


@pytest.mark.parametrize(("value", "got"), [(1.5, "float"), (None, "NoneType")])
def test_patch_values_outside_the_one_of_are_rejected(value: object, got: str) -> None:
    with pytest.raises(TypeError, match=f"JsonPatchOperation.value: expected .*, got {got}$"):
        JsonPatchOperation.from_dict({"op": "add", "path": "/x", "value": value}, strict=True)


def test_patch_operation_without_value_and_with_from() -> None:
    document = {"op": "move", "path": "/a", "from": "/b"}

    operation = JsonPatchOperation.from_dict(document)

    assert operation.value is UNSET
    assert operation.from_ == "/b"
    assert operation.to_dict() == document
    with pytest.raises(
        ValueError, match=re.escape("JsonPatchOperation.op: not a known JsonPatchOperationOp")
    ):
        JsonPatchOperation.from_dict({"op": "delete", "path": "/a"})
    with pytest.raises(
        ValueError, match=re.escape("JsonPatchOperation.path: required field is missing")
    ):
        JsonPatchOperation.from_dict({"op": "remove"})


# --- The operations table --------------------------------------------------------------------


def test_the_operations_table_is_the_fragment_as_data() -> None:
    fragment = yaml.safe_load((ROOT / "openapi" / "sim-integrations.beta.yaml").read_text())
    expected = {}
    for path, item in fragment["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch"}:
                expected[operation["operationId"]] = (method.upper(), path)
    table = {op.name: (op.method, op.collection + op.path) for op in operations.OPERATIONS.values()}
    assert sorted(table.values()) == sorted(expected.values())
    assert operations.GET_SIM_INTEGRATIONS.response == list[SimIntegration]
    assert operations.PATCH_SIM_ATTRIBUTES.body == list[JsonPatchOperation]
    assert operations.PATCH_SIM_ATTRIBUTES.content_type == "application/json-patch+json"
    assert operations.CREATE_SIM_INTEGRATION.body is SimIntegrationDetails
    assert operations.DELETE_SIM_INTEGRATION.response is None
    assert operations.DELETE_SIM_INTEGRATION.success == (200, 204)
    assert operations.GET_SIM_INTEGRATION.path_params == ("id",)


# --- The fragment and the generated package --------------------------------------------------


def test_fragment_is_a_valid_openapi_document() -> None:
    spec, base_uri = read_from_filename(str(SPEC))
    validate(spec, base_uri=base_uri)

    assert str(spec["openapi"]).startswith("3.0.")
    broken = copy.deepcopy(dict(spec))
    del broken["paths"]["/sim-integrations"]["get"]["responses"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken, base_uri=base_uri)


def _check(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.generate", "--check", "--target", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy_generated(tmp_path: Path) -> Path:
    target = tmp_path / "_generated"
    shutil.copytree(GENERATED, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


# The two tests below regenerate the package (a few seconds each); `-k "not slow"` skips them.


def test_slow_check_generated_fails_on_a_hand_edit(tmp_path: Path) -> None:
    target = _copy_generated(tmp_path)
    edited = target / "models" / "owner_ref.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# tweaked\n", encoding="utf-8")

    result = _check(target)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "changed: models/owner_ref.py" in result.stdout
    assert "sim_integration.py" not in result.stdout


def test_slow_check_generated_passes_on_an_unedited_copy(tmp_path: Path) -> None:
    result = _check(_copy_generated(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
