# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from sim_client._reading import (
    strict_reading,
)

T = TypeVar("T", bound="SimIntegrationDetailsRequest")
_new = object.__new__


@_attrs_define
class SimIntegrationDetailsRequest:
    """Templates for the description and body of the tickets created.

    Example:
        {'short_description': 'SailPoint access request $!plan.arguments.identityRequestId'}

    """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

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
                    f"SimIntegrationDetailsRequest: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        # A free-form map (an integration's attributes hold connection settings and
        # credentials): its repr shows the keys only.
        return (
            f"SimIntegrationDetailsRequest(keys={sorted(self.additional_properties)!r})"
        )

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
    sim_integration_details_request = (
        _new(cls) if cls is SimIntegrationDetailsRequest else cls()
    )

    sim_integration_details_request.additional_properties = dict(src_dict)
    return sim_integration_details_request
