"""The request bodies and path values of the seven operations: the caller's arguments checked
before any request, and converted to the generated models."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Self, TypeVar

from sim_client.models import JsonPatchOperation, SimIntegration, SimIntegrationDetails

READ_ONLY_FIELDS = frozenset({"id", "created", "modified"})
"""Fields the service assigns; never sent, ignored in a desired document, left out of an export."""
PATCH_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
_OPS_WITH_VALUE = frozenset({"add", "replace", "test"})
_OPS_WITH_FROM = frozenset({"move", "copy"})
_POINTER = re.compile(r"(/([^~/]|~[01])*)*")
#: Service ids are 32 hex digits; this bound only keeps request URLs sane.
MAX_ID_LENGTH = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A lone surrogate cannot be encoded as UTF-8, so it can travel neither in a path nor in JSON.
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 64

Details = SimIntegrationDetails | SimIntegration | Mapping[str, Any]


class _Model(Protocol):
    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], *, strict: bool | None = None) -> Self: ...


M = TypeVar("M", bound=_Model)
Operation = JsonPatchOperation | Mapping[str, Any]


def check_id(integration_id: object) -> str:
    """An integration id: a non-empty string that cannot climb out of its path segment."""
    if not isinstance(integration_id, str):
        raise TypeError(f"integration id must be a str, not {type(integration_id).__name__}")
    if not integration_id.strip() or integration_id in {".", ".."}:
        raise ValueError("integration id must be a non-empty string other than '.' or '..'")
    if _CONTROL.search(integration_id):
        raise ValueError("integration id must not contain control characters")
    if _SURROGATE.search(integration_id):
        raise ValueError("integration id must not contain lone surrogates")
    if len(integration_id) > MAX_ID_LENGTH:
        raise ValueError(f"integration id must be at most {MAX_ID_LENGTH} characters")
    return integration_id


def check_name(name: object) -> str:
    """An integration name: a non-blank string."""
    if not isinstance(name, str):
        raise TypeError(f"integration name must be a str, not {type(name).__name__}")
    if not name.strip():
        raise ValueError("integration name must be a non-blank string")
    if _SURROGATE.search(name):
        raise ValueError("integration name must not contain lone surrogates")
    return name


def details_body(details: Details) -> SimIntegrationDetails:
    """The request model for ``details``, checked, without read-only fields."""
    wire = _wire(details, (SimIntegrationDetails, SimIntegration), "details")
    if wire is None:
        raise TypeError(
            "details must be a SimIntegrationDetails, a SimIntegration or a mapping, "
            f"not {type(details).__name__}"
        )
    for key in wire:
        if not isinstance(key, str):
            raise ValueError("details keys must be strings (the wire's camelCase field names)")
    clean = {key: value for key, value in wire.items() if key not in READ_ONLY_FIELDS}
    if "name" not in clean:
        raise ValueError("details need a 'name'")
    check_name(clean["name"])
    _check_json(clean, "details")
    return _model(SimIntegrationDetails, clean, "details")


def patch_body(operations: Sequence[Operation]) -> list[JsonPatchOperation]:
    """The RFC 6902 operations as models, each checked; raises ValueError on the first bad one."""
    if isinstance(operations, str | bytes | Mapping) or not isinstance(operations, Sequence):
        raise TypeError("operations must be a list of JSON Patch operations")
    if not operations:
        raise ValueError("operations must not be empty")
    return [_operation(item, index) for index, item in enumerate(operations)]


def _operation(item: Operation, index: int) -> JsonPatchOperation:
    where = f"operations[{index}]"
    wire = _wire(item, (JsonPatchOperation,), where)
    if wire is None:
        raise ValueError(f"{where} must be a JsonPatchOperation or a mapping")
    op = wire.get("op")
    if not isinstance(op, str) or op not in PATCH_OPS:
        raise ValueError(f"{where}.op must be one of {', '.join(sorted(PATCH_OPS))}")
    _check_pointer(wire.get("path"), f"{where}.path")
    if op in _OPS_WITH_FROM:
        _check_pointer(wire.get("from"), f"{where}.from")
    if op in _OPS_WITH_VALUE:
        if "value" not in wire:
            raise ValueError(f"{where}: '{op}' needs a value")
        value = wire["value"]
        if value is None or isinstance(value, float):
            raise ValueError(f"{where}.value must be a string, boolean, integer, object or array")
    _check_json(wire, where)
    return _model(JsonPatchOperation, wire, where)


def _wire(value: object, models: tuple[type[_Model], ...], where: str) -> dict[str, Any] | None:
    """``value`` as a wire dict if it is one of ``models`` or a mapping, else None."""
    if isinstance(value, models):
        try:
            return value.to_dict()
        except (AttributeError, TypeError, ValueError) as error:
            raise ValueError(f"{where}: a value of the wrong type: {error}") from None
    if isinstance(value, Mapping):
        return dict(value)
    return None


def _model(model: type[M], wire: dict[str, Any], where: str) -> M:
    """``model.from_dict(wire)``, strictly: a misfit is a ValueError naming ``where``."""
    try:
        return model.from_dict(wire, strict=True)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"{where}: does not fit {model.__name__}: {error}") from None


def _check_pointer(pointer: object, where: str) -> None:
    if not isinstance(pointer, str) or not _POINTER.fullmatch(pointer):
        raise ValueError(f"{where} must be a JSON Pointer such as '/description'")


def _check_json(value: object, where: str, depth: int = 0) -> None:
    """Raise ValueError unless ``value`` is plain JSON (str keys, finite numbers, bounded depth)."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{where} is nested too deeply")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        _check_string(value, where)
        return
    if isinstance(value, int):
        try:
            str(value)
        except ValueError:
            raise ValueError(f"{where} holds an integer too long for JSON") from None
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} holds a number that JSON cannot carry")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} has a key that is not a string")
            _check_string(key, where)
            _check_json(item, where, depth + 1)
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item, where, depth + 1)
        return
    raise ValueError(f"{where} holds a {type(value).__name__}, which is not JSON")


def _check_string(value: str, where: str) -> None:
    if _SURROGATE.search(value):
        raise ValueError(f"{where} holds a string with a lone surrogate, which JSON cannot carry")
