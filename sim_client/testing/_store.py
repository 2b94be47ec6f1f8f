"""The fake's state: SIM integrations kept in memory, as the service stores them."""

from __future__ import annotations

import copy
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonpatch
import jsonpointer

from ._errors import ApiError, JsonObject, bad_request, not_found
from ._records import check_fits

READ_ONLY_FIELDS = ("id", "created", "modified")
DEFAULT_TYPE = "ServiceNowSDIM"
# RFC 6901 JSON Pointer, as the fragment's JsonPatchOperation states it for `path` and `from`.
_POINTER = re.compile(r"(/([^~/]|~[01])*)*")


class IntegrationStore:
    """SIM integrations by id, with the service's validation and JSON Patch semantics.

    Every method returns deep copies, so callers cannot change the stored state by accident.
    Failures raise :class:`ApiError` and leave the state as it was.
    """

    def __init__(self) -> None:
        self._items: dict[str, JsonObject] = {}
        self._last_stamp: datetime | None = None

    def __len__(self) -> int:
        return len(self._items)

    def snapshot(self) -> dict[str, JsonObject]:
        """Every stored integration by id, in creation order."""
        return copy.deepcopy(self._items)

    def list(self) -> list[JsonObject]:
        """Every stored integration, in creation order."""
        return copy.deepcopy(list(self._items.values()))

    def get(self, integration_id: str) -> JsonObject:
        """One integration; 404 when the id is unknown."""
        return copy.deepcopy(self._find(integration_id))

    def create(self, body: object) -> JsonObject:
        """Store a new integration from a request body; read-only fields in it are ignored."""
        details = _details(body)
        self._check_name_free(details["name"], None)
        stamp = self._stamp()
        item = _assemble(uuid.uuid4().hex, stamp, stamp, details)
        check_fits(details, item)
        self._items[item["id"]] = item
        return copy.deepcopy(item)

    def replace(self, integration_id: str, body: object) -> JsonObject:
        """Replace an integration as a whole, keeping its id and creation time."""
        current = self._find(integration_id)
        details = _details(body)
        return self._save(current, details)

    def patch(self, integration_id: str, operations: object) -> JsonObject:
        """Apply a JSON Patch document to an integration, all or nothing."""
        current = self._find(integration_id)
        ops = _operations(operations, guard_read_only=True)
        patched = _apply(current, ops)
        if not isinstance(patched, dict):
            raise bad_request("The patched integration must be a JSON object.")
        return self._save(current, _details(patched))

    def patch_rule(self, integration_id: str, operations: object) -> JsonObject:
        """Apply a JSON Patch document to the integration's before-provisioning rule only."""
        current = self._find(integration_id)
        ops = _operations(operations, guard_read_only=False)
        rule = _apply(current.get("beforeProvisioningRule") or {}, ops)
        details = {k: v for k, v in current.items() if k not in READ_ONLY_FIELDS}
        details["beforeProvisioningRule"] = rule
        return self._save(current, details)

    def delete(self, integration_id: str) -> None:
        """Remove an integration; 404 when the id is unknown."""
        self._find(integration_id)
        del self._items[integration_id]

    def _find(self, integration_id: str) -> JsonObject:
        try:
            return self._items[integration_id]
        except KeyError:
            raise not_found(integration_id) from None

    def _save(self, current: JsonObject, details: JsonObject) -> JsonObject:
        self._check_name_free(details["name"], current["id"])
        item = _assemble(current["id"], current["created"], self._stamp(), details)
        check_fits(details, item)
        self._items[item["id"]] = item
        return copy.deepcopy(item)

    def _check_name_free(self, name: str, own_id: str | None) -> None:
        for item in self._items.values():
            if item["name"] == name and item["id"] != own_id:
                raise bad_request(f"An integration named '{name}' already exists.")

    def _stamp(self) -> str:
        """Now in UTC to the millisecond, always later than the previous stamp."""
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = now
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _assemble(integration_id: str, created: str, modified: str, details: JsonObject) -> JsonObject:
    set_here = ("name", "description", "type", *READ_ONLY_FIELDS)
    rest = {k: v for k, v in details.items() if k not in set_here}
    return {
        "id": integration_id,
        "name": details["name"],
        "description": details["description"],
        "type": details["type"],
        "created": created,
        "modified": modified,
        **rest,
    }


def _details(body: object) -> JsonObject:
    """A create/replace body with defaults filled in.

    Only the name is checked here; :func:`check_fits` checks the rest against the fragment.
    Read-only fields stay, to be checked like the rest; :func:`_assemble` ignores them.
    """
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    details: JsonObject = copy.deepcopy(body)
    name = details.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("'name' is required and must be a non-blank string.")
    if "attributes" in details and details["attributes"] is None:
        del details["attributes"]  # nullable in the request: no attributes
    details.setdefault("description", "")
    details.setdefault("type", DEFAULT_TYPE)
    details.setdefault("attributes", {})
    return details


def _operations(body: object, *, guard_read_only: bool) -> list[Any]:
    """Check the outer shape of a JSON Patch document and that it spares read-only fields."""
    if not isinstance(body, list):
        raise bad_request("A JSON Patch document must be a JSON array of operations.")
    if not body:
        raise bad_request("A JSON Patch document must hold at least one operation.")
    for op in body:
        if isinstance(op, dict):
            _check_operation(op)
    if guard_read_only:
        for op in body:
            if not isinstance(op, dict):
                continue  # jsonpatch rejects it with a precise message
            targets = [op.get("path")] if op.get("op") != "test" else []
            if op.get("op") == "move":
                targets.append(op.get("from"))
            if any(_touches_read_only(t) for t in targets):
                raise bad_request(
                    "The fields id, created and modified are read-only and cannot be patched."
                )
    return body


def _check_operation(op: JsonObject) -> None:
    """What the fragment says of one operation beyond what jsonpatch checks."""
    for member in ("path", "from"):
        pointer = op.get(member)
        if member in op and not (isinstance(pointer, str) and _POINTER.fullmatch(pointer)):
            raise _patch_error(f"'{member}' must be a JSON Pointer")
    if "value" in op and not _is_patch_value(op["value"]):
        raise _patch_error("'value' must be a string, boolean, integer, object or array")


def _is_patch_value(value: object) -> bool:
    """Whether ``value`` fits the fragment's JsonPatchValue (no null, no fraction)."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str | int | dict | list)


def _touches_read_only(pointer: object) -> bool:
    if not isinstance(pointer, str):
        return False  # not a pointer at all; jsonpatch rejects it
    if pointer == "":
        return True  # the whole document, read-only fields included
    first = pointer.split("/")[1] if pointer.startswith("/") else ""
    return first.replace("~1", "/").replace("~0", "~") in READ_ONLY_FIELDS


def _apply(document: object, operations: list[Any]) -> Any:
    """Apply ``operations`` to a copy of ``document``; the original is never touched."""
    try:
        return jsonpatch.apply_patch(document, operations, in_place=False)
    # The library's messages can quote stored values (credentials in attributes included),
    # so only the kind of failure is sent back.
    except jsonpatch.InvalidJsonPatch:
        raise _patch_error("the document is malformed") from None
    except jsonpatch.JsonPatchTestFailed:
        raise _patch_error("a 'test' operation failed") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException):
        raise _patch_error("a path is invalid or does not exist") from None


def _patch_error(reason: str) -> ApiError:
    return bad_request(f"The JSON Patch document cannot be applied: {reason}.")
