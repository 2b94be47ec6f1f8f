# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from sim_client._reading import (
    keep_raw,
    model_repr,
    strict_reading,
)

from ..models.json_object import JsonObject
from ..models.json_patch_operation_op import JsonPatchOperationOp
from ..types import UNSET, Unset

T = TypeVar("T", bound="JsonPatchOperation")
_new = object.__new__

_KNOWN_KEYS = frozenset(("op", "path", "from", "value"))


@_attrs_define
class JsonPatchOperation:
    """One RFC 6902 operation.

    Attributes:
        op (JsonPatchOperationOp):
        path (str): A JSON Pointer (RFC 6901) to the target location.
        from_ (str | Unset): A JSON Pointer to the source location, for move and copy.
        value (bool | int | JsonObject | list[Any] | str | Unset): The value for add, replace and test.
    """

    op: JsonPatchOperationOp
    path: str
    from_: str | Unset = UNSET
    value: bool | int | JsonObject | list[Any] | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        op = self.op.value

        path = self.path

        from_ = self.from_

        value: bool | dict[str, Any] | int | list[Any] | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        elif isinstance(self.value, JsonObject):
            value = self.value.to_dict()
        elif isinstance(self.value, list):
            value = self.value

        else:
            value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "op": op,
                "path": path,
            }
        )
        if from_ is not UNSET:
            field_dict["from"] = from_
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(
        cls, src_dict: Mapping[str, Any], *, strict: bool | None = None
    ) -> Self:
        """The model for the wire document ``src_dict``; tolerant unless ``strict`` is True."""
        if strict is not None:
            with strict_reading(strict):
                return cls.from_dict(src_dict)
        if not isinstance(src_dict, dict):
            if not isinstance(src_dict, Mapping):
                raise TypeError(
                    f"JsonPatchOperation: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(self, ("op", "path", "from_", "value"))

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


def _read(cls: type[T], src_dict: dict[str, Any]) -> T:
    """``cls.from_dict(src_dict)`` for a dict, strict or not as the decoding under way: what the
    models containing this one call."""
    if "op" not in src_dict:
        raise ValueError("JsonPatchOperation.op: required field is missing")
    if "path" not in src_dict:
        raise ValueError("JsonPatchOperation.path: required field is missing")
    raw: dict[str, Any] | None = None
    _op = src_dict["op"]
    if not isinstance(_op, str):
        raise TypeError(
            f"JsonPatchOperation.op: expected str, got {type(_op).__name__}"
        )
    op = _JsonPatchOperationOp_values.get(_op)
    if op is None:
        raise ValueError(
            "JsonPatchOperation.op: not a known JsonPatchOperationOp value"
        )

    path = src_dict["path"]
    if not isinstance(path, str):
        raise TypeError(
            f"JsonPatchOperation.path: expected str, got {type(path).__name__}"
        )

    try:
        from_ = src_dict.get("from", UNSET)
        if not isinstance(from_, str) and from_ is not UNSET:
            raise TypeError(
                f"JsonPatchOperation.from: expected str, got {type(from_).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "from", src_dict["from"])
        from_ = UNSET

    try:
        _value = src_dict.get("value", UNSET)
        value: bool | int | JsonObject | list[Any] | str | Unset
        if _value is UNSET:
            value = UNSET
        elif isinstance(_value, (str, bool, int)):
            value = _value
        elif isinstance(_value, dict):
            componentsschemas_json_patch_value_type_3 = _read_json_object(
                JsonObject, _value
            )
            value = componentsschemas_json_patch_value_type_3
        elif isinstance(_value, list):
            componentsschemas_json_patch_value_type_4: list[Any] = _value
            value = componentsschemas_json_patch_value_type_4
        else:
            raise TypeError(
                f"JsonPatchOperation.value: expected bool | int | JsonObject | list[Any] | str, got {type(_value).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "value", src_dict["value"])
        value = UNSET

    if cls is JsonPatchOperation:
        json_patch_operation = _new(cls)
        json_patch_operation.op = op
        json_patch_operation.path = path
        json_patch_operation.from_ = from_
        json_patch_operation.value = value
        json_patch_operation.additional_properties = {}
    else:
        json_patch_operation = cls(
            op,
            path,
            from_,
            value,
        )

    if len(src_dict) != 4 or from_ is UNSET or value is UNSET:
        if not _KNOWN_KEYS.issuperset(src_dict):
            json_patch_operation.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            json_patch_operation.additional_properties.update(raw)
    return json_patch_operation


_JsonPatchOperationOp_values = JsonPatchOperationOp._value2member_map_
from ..models.json_object import _read as _read_json_object
