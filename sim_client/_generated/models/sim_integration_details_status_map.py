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

T = TypeVar("T", bound="SimIntegrationDetailsStatusMap")
_new = object.__new__


@_attrs_define
class SimIntegrationDetailsStatusMap:
    """Maps a ticket state to a provisioning result, e.g. `closed_complete` to `Committed`.

    Example:
        {'closed_complete': 'Committed', 'closed_rejected': 'Failed', 'in_process': 'Queued'}

    """

    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)

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
                    f"SimIntegrationDetailsStatusMap: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        # A free-form map (an integration's attributes hold connection settings and
        # credentials): its repr shows the keys only.
        return f"SimIntegrationDetailsStatusMap(keys={sorted(self.additional_properties)!r})"

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


def _read(cls: type[T], src_dict: dict[str, Any]) -> T:
    """``cls.from_dict(src_dict)`` for a dict, strict or not as the decoding under way: what the
    models containing this one call."""
    sim_integration_details_status_map = (
        _new(cls) if cls is SimIntegrationDetailsStatusMap else cls()
    )

    additional_properties: dict[str, str] = {}
    for prop_name, prop_dict in src_dict.items():
        additional_property = prop_dict
        if not isinstance(additional_property, str):
            raise TypeError(
                f"SimIntegrationDetailsStatusMap[{prop_name!r}]: expected str, got {type(additional_property).__name__}"
            )

        additional_properties[prop_name] = additional_property

    sim_integration_details_status_map.additional_properties = additional_properties
    return sim_integration_details_status_map
