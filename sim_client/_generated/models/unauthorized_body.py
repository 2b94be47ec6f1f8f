# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UnauthorizedBody")

_KNOWN_KEYS = frozenset(("error",))


@_attrs_define
class UnauthorizedBody:
    """The body of a 401 answer.

    Attributes:
        error (str | Unset): Why the token was refused, e.g. `JWT validation failed: JWT is expired`.
    """

    error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, dict):
            if not isinstance(src_dict, Mapping):
                raise TypeError(
                    f"UnauthorizedBody: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        error = src_dict.get("error", UNSET)
        if error is not UNSET and not isinstance(error, str):
            raise TypeError(
                f"UnauthorizedBody.error: expected str, got {type(error).__name__}"
            )

        unauthorized_body = cls(
            error,
        )

        if not src_dict.keys() <= _KNOWN_KEYS:
            unauthorized_body.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        return unauthorized_body

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
