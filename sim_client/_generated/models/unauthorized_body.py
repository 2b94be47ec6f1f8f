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

from ..types import UNSET, Unset

T = TypeVar("T", bound="UnauthorizedBody")
_new = object.__new__

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
                    f"UnauthorizedBody: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(self, ("error",))

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
        error = src_dict.get("error", UNSET)
        if not isinstance(error, str) and error is not UNSET:
            raise TypeError(
                f"UnauthorizedBody.error: expected str, got {type(error).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "error", src_dict["error"])
        error = UNSET

    if cls is UnauthorizedBody:
        unauthorized_body = _new(cls)
        unauthorized_body.error = error
        unauthorized_body.additional_properties = {}
    else:
        unauthorized_body = cls(
            error,
        )

    if len(src_dict) != 1 or error is UNSET:
        if not _KNOWN_KEYS.issuperset(src_dict):
            unauthorized_body.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            unauthorized_body.additional_properties.update(raw)
    return unauthorized_body
