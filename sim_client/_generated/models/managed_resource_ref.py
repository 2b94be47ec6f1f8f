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
    unknown_enum,
)

from ..models.managed_resource_ref_type import ManagedResourceRefType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ManagedResourceRef")
_new = object.__new__

_KNOWN_KEYS = frozenset(("type", "id", "name"))


@_attrs_define
class ManagedResourceRef:
    """A source whose provisioning the integration handles.

    Attributes:
        type_ (ManagedResourceRefType | Unset):
        id (str | Unset):
        name (str | Unset):
    """

    type_: ManagedResourceRefType | str | Unset = UNSET
    id: str | Unset = UNSET
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = (
                self.type_.value
                if isinstance(self.type_, ManagedResourceRefType)
                else self.type_
            )

        id = self.id

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name

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
                    f"ManagedResourceRef: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(self, ("type_", "id", "name"))

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
    raw: dict[str, Any] | None = None
    try:
        _type_ = src_dict.get("type", UNSET)
        type_: ManagedResourceRefType | Unset = UNSET
        if _type_ is not UNSET:
            if not isinstance(_type_, str):
                raise TypeError(
                    f"ManagedResourceRef.type: expected str, got {type(_type_).__name__}"
                )
            type_ = _ManagedResourceRefType_values.get(_type_)
            if type_ is None:
                type_ = unknown_enum(
                    "ManagedResourceRef.type", "ManagedResourceRefType", _type_
                )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "type", src_dict["type"])
        type_ = UNSET

    try:
        id = src_dict.get("id", UNSET)
        if not isinstance(id, str) and id is not UNSET:
            raise TypeError(
                f"ManagedResourceRef.id: expected str, got {type(id).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "id", src_dict["id"])
        id = UNSET

    try:
        name = src_dict.get("name", UNSET)
        if not isinstance(name, str) and name is not UNSET:
            raise TypeError(
                f"ManagedResourceRef.name: expected str, got {type(name).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "name", src_dict["name"])
        name = UNSET

    if cls is ManagedResourceRef:
        managed_resource_ref = _new(cls)
        managed_resource_ref.type_ = type_
        managed_resource_ref.id = id
        managed_resource_ref.name = name
        managed_resource_ref.additional_properties = {}
    else:
        managed_resource_ref = cls(
            type_,
            id,
            name,
        )

    if len(src_dict) != 3 or type_ is UNSET or id is UNSET or name is UNSET:
        if not _KNOWN_KEYS.issuperset(src_dict):
            managed_resource_ref.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            managed_resource_ref.additional_properties.update(raw)
    return managed_resource_ref


_ManagedResourceRefType_values = ManagedResourceRefType._value2member_map_
