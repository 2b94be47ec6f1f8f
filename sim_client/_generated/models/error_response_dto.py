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

from ..models.error_message_dto import ErrorMessageDto
from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponseDto")
_new = object.__new__

_KNOWN_KEYS = frozenset(("detailCode", "trackingId", "messages", "causes"))


@_attrs_define
class ErrorResponseDto:
    """The error body of 400, 403, 404 and 5xx answers.

    Attributes:
        detail_code (str | Unset): A fine-grained error code, e.g. `400.1 Bad Request Content`.
        tracking_id (str | Unset): The id support needs to trace the failed request.
        messages (list[ErrorMessageDto] | Unset):
        causes (list[ErrorMessageDto] | Unset):
    """

    detail_code: str | Unset = UNSET
    tracking_id: str | Unset = UNSET
    messages: list[ErrorMessageDto] | Unset = UNSET
    causes: list[ErrorMessageDto] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail_code = self.detail_code

        tracking_id = self.tracking_id

        messages: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.messages, Unset):
            messages = []
            for messages_item_data in self.messages:
                messages_item = messages_item_data.to_dict()
                messages.append(messages_item)

        causes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.causes, Unset):
            causes = []
            for causes_item_data in self.causes:
                causes_item = causes_item_data.to_dict()
                causes.append(causes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if detail_code is not UNSET:
            field_dict["detailCode"] = detail_code
        if tracking_id is not UNSET:
            field_dict["trackingId"] = tracking_id
        if messages is not UNSET:
            field_dict["messages"] = messages
        if causes is not UNSET:
            field_dict["causes"] = causes

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
                    f"ErrorResponseDto: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(self, ("detail_code", "tracking_id", "messages", "causes"))

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
        detail_code = src_dict.get("detailCode", UNSET)
        if not isinstance(detail_code, str) and detail_code is not UNSET:
            raise TypeError(
                f"ErrorResponseDto.detailCode: expected str, got {type(detail_code).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "detailCode", src_dict["detailCode"])
        detail_code = UNSET

    try:
        tracking_id = src_dict.get("trackingId", UNSET)
        if not isinstance(tracking_id, str) and tracking_id is not UNSET:
            raise TypeError(
                f"ErrorResponseDto.trackingId: expected str, got {type(tracking_id).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "trackingId", src_dict["trackingId"])
        tracking_id = UNSET

    try:
        _messages = src_dict.get("messages", UNSET)
        messages: list[ErrorMessageDto] | Unset = UNSET
        if _messages is not UNSET:
            if not isinstance(_messages, list):
                raise TypeError(
                    f"ErrorResponseDto.messages: expected list, got {type(_messages).__name__}"
                )
            messages = []
            for messages_item_data in _messages:
                if not isinstance(messages_item_data, dict):
                    raise TypeError(
                        f"ErrorResponseDto.messages[]: expected dict, got {type(messages_item_data).__name__}"
                    )
                messages_item = _read_error_message_dto(
                    ErrorMessageDto, messages_item_data
                )
                messages.append(messages_item)

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "messages", src_dict["messages"])
        messages = UNSET

    try:
        _causes = src_dict.get("causes", UNSET)
        causes: list[ErrorMessageDto] | Unset = UNSET
        if _causes is not UNSET:
            if not isinstance(_causes, list):
                raise TypeError(
                    f"ErrorResponseDto.causes: expected list, got {type(_causes).__name__}"
                )
            causes = []
            for causes_item_data in _causes:
                if not isinstance(causes_item_data, dict):
                    raise TypeError(
                        f"ErrorResponseDto.causes[]: expected dict, got {type(causes_item_data).__name__}"
                    )
                causes_item = _read_error_message_dto(ErrorMessageDto, causes_item_data)
                causes.append(causes_item)

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "causes", src_dict["causes"])
        causes = UNSET

    if cls is ErrorResponseDto:
        error_response_dto = _new(cls)
        error_response_dto.detail_code = detail_code
        error_response_dto.tracking_id = tracking_id
        error_response_dto.messages = messages
        error_response_dto.causes = causes
        error_response_dto.additional_properties = {}
    else:
        error_response_dto = cls(
            detail_code,
            tracking_id,
            messages,
            causes,
        )

    if (
        len(src_dict) != 4
        or detail_code is UNSET
        or tracking_id is UNSET
        or messages is UNSET
        or causes is UNSET
    ):
        if not _KNOWN_KEYS.issuperset(src_dict):
            error_response_dto.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            error_response_dto.additional_properties.update(raw)
    return error_response_dto


from ..models.error_message_dto import _read as _read_error_message_dto
