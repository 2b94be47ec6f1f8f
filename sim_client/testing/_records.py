"""Stored integrations measured against the fragment's generated models.

Two things, both taken from ``sim_client.models`` so that they follow the fragment: whether a
record the fake is about to store fits ``SimIntegration`` (and its request part
``SimIntegrationDetails``), and the record as a Jackson-style service would answer it, with an
explicit ``null`` for every optional field that is not set.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs

from sim_client.models import SimIntegration, SimIntegrationDetails

from ._errors import ApiError, JsonObject, bad_request


def check_fits(details: Mapping[str, Any], record: Mapping[str, Any]) -> None:
    """Raise a 400 unless ``details`` fits ``SimIntegrationDetails`` and ``record`` fits
    ``SimIntegration``, as the fragment types them (nested members included).

    ``details`` is what the caller sent, defaults filled in: it carries the members only the
    request schema types (``sources``, ``statusMap``, ``request``), and read-only fields, which
    are not stored but must fit too. The models' messages name ``Model.field``, never a value.
    """
    try:
        SimIntegrationDetails.from_dict(details, strict=True)
        SimIntegration.from_dict(record, strict=True)
    except (TypeError, ValueError) as error:
        raise _misfit(error) from None


def _misfit(error: Exception) -> ApiError:
    return bad_request(f"The integration does not fit the API's schema: {error}.")


@attrs.frozen
class _Field:
    """One field of a generated model: its wire name, and the model its value holds, if any."""

    wire: str
    model: type | None = None
    many: bool = False
    """True when the value is a list of ``model`` objects."""


def with_explicit_nulls(record: JsonObject) -> JsonObject:
    """A copy of ``record`` with ``null`` for every field of ``SimIntegration`` it does not set,
    at every level (``ownerRef``, ``provisioningConfig``, ``managedResourceRefs[]``, ...)."""
    return _fill(SimIntegration, record)


def _fill(model: type, value: JsonObject) -> JsonObject:
    filled = dict(value)
    for field in model_fields(model):
        member = filled.get(field.wire)
        if field.wire not in filled:
            filled[field.wire] = None
        elif field.model is not None and field.many and isinstance(member, list):
            filled[field.wire] = [
                _fill(field.model, item) if isinstance(item, dict) else item for item in member
            ]
        elif field.model is not None and not field.many and isinstance(member, dict):
            filled[field.wire] = _fill(field.model, member)
    return filled


@functools.cache
def model_fields(model: type) -> tuple[_Field, ...]:
    """The fields of a generated model by wire name, with the nested model each one holds.

    Free-form maps (a model with no named fields, such as ``attributes``) hold no model.
    """
    hints = typing.get_type_hints(model)
    fields = []
    for field in attrs.fields(model):
        if field.name == "additional_properties":
            continue
        nested, many = _nested_model(hints[field.name])
        fields.append(_Field(_wire_name(field.name), nested, many))
    return tuple(fields)


def _nested_model(hint: Any) -> tuple[type | None, bool]:
    """The generated model a field's type holds, directly or as list items, if any."""
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for arg in args:
        if typing.get_origin(arg) is list:
            [item] = typing.get_args(arg)
            if _is_model(item):
                return item, True
        elif _is_model(arg):
            return arg, False
    return None, False


def _is_model(candidate: object) -> bool:
    return (
        isinstance(candidate, type)
        and attrs.has(candidate)
        and any(f.name != "additional_properties" for f in attrs.fields(candidate))
    )


def _wire_name(attribute: str) -> str:
    """``owner_ref`` -> ``ownerRef``, ``type_`` -> ``type``: the generator's naming, undone."""
    first, *rest = attribute.rstrip("_").split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)
