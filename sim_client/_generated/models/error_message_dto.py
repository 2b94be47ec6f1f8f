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

from ..models.locale_origin import LocaleOrigin
from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorMessageDto")
_new = object.__new__

_KNOWN_KEYS = frozenset(("locale", "localeOrigin", "text"))


@_attrs_define
class ErrorMessageDto:
    """One localized error message.

    Attributes:
        locale (None | str | Unset): A BCP 47 language tag.
        locale_origin (LocaleOrigin | None | Unset): How the locale was chosen (a string, or null).
        text (str | Unset):
    """

    locale: None | str | Unset = UNSET
    locale_origin: LocaleOrigin | None | Unset = UNSET
    text: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        locale_origin: None | str | Unset
        if isinstance(self.locale_origin, Unset):
            locale_origin = UNSET
        elif isinstance(self.locale_origin, LocaleOrigin):
            locale_origin = self.locale_origin.value
        else:
            locale_origin = self.locale_origin

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if locale is not UNSET:
            field_dict["locale"] = locale
        if locale_origin is not UNSET:
            field_dict["localeOrigin"] = locale_origin
        if text is not UNSET:
            field_dict["text"] = text

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
                    f"ErrorMessageDto: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(self, ("locale", "locale_origin", "text"))

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
        _locale = src_dict.get("locale", UNSET)
        locale: None | str | Unset
        if _locale is UNSET:
            locale = UNSET
        elif _locale is None or isinstance(_locale, str):
            locale = _locale
        else:
            raise TypeError(
                f"ErrorMessageDto.locale: expected None | str, got {type(_locale).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "locale", src_dict["locale"])
        locale = UNSET

    try:
        _locale_origin = src_dict.get("localeOrigin", UNSET)
        locale_origin: LocaleOrigin | None | Unset
        if _locale_origin is UNSET:
            locale_origin = UNSET
        elif _locale_origin is None:
            locale_origin = _locale_origin
        elif isinstance(_locale_origin, str):
            componentsschemas_locale_origin_type_1 = _LocaleOrigin_values.get(
                _locale_origin
            )
            if componentsschemas_locale_origin_type_1 is None:
                raise ValueError(
                    "ErrorMessageDto.localeOrigin: not a known LocaleOrigin value"
                )
            locale_origin = componentsschemas_locale_origin_type_1
        else:
            raise TypeError(
                f"ErrorMessageDto.localeOrigin: expected LocaleOrigin | None, got {type(_locale_origin).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "localeOrigin", src_dict["localeOrigin"])
        locale_origin = UNSET

    try:
        text = src_dict.get("text", UNSET)
        if not isinstance(text, str) and text is not UNSET:
            raise TypeError(
                f"ErrorMessageDto.text: expected str, got {type(text).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "text", src_dict["text"])
        text = UNSET

    if cls is ErrorMessageDto:
        error_message_dto = _new(cls)
        error_message_dto.locale = locale
        error_message_dto.locale_origin = locale_origin
        error_message_dto.text = text
        error_message_dto.additional_properties = {}
    else:
        error_message_dto = cls(
            locale,
            locale_origin,
            text,
        )

    if len(src_dict) != 3 or locale is UNSET or locale_origin is UNSET or text is UNSET:
        if not _KNOWN_KEYS.issuperset(src_dict):
            error_message_dto.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            error_message_dto.additional_properties.update(raw)
    return error_message_dto


_LocaleOrigin_values = LocaleOrigin._value2member_map_
