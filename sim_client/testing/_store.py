"""The fake's state: SIM integrations kept in memory, as the service stores them."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonpatch
import jsonpointer

from ._errors import ApiError, JsonObject, bad_request, not_found

READ_ONLY_FIELDS = ("id", "created", "modified")
DEFAULT_TYPE = "ServiceNowSDIM"

# The values of the fragment's DtoType enum, the only ones a rule reference may carry.
RULE_TYPES = frozenset(
    {
        "ACCOUNT_CORRELATION_CONFIG",
        "ACCESS_PROFILE",
        "ACCESS_REQUEST_APPROVAL",
        "ACCOUNT",
        "APPLICATION",
        "CAMPAIGN",
        "CAMPAIGN_FILTER",
        "CERTIFICATION",
        "CLUSTER",
        "CONNECTOR_SCHEMA",
        "ENTITLEMENT",
        "GOVERNANCE_GROUP",
        "IDENTITY",
        "IDENTITY_PROFILE",
        "IDENTITY_REQUEST",
        "MACHINE_IDENTITY",
        "LIFECYCLE_STATE",
        "PASSWORD_POLICY",
        "ROLE",
        "RULE",
        "SOD_POLICY",
        "SOURCE",
        "TAG",
        "TAG_CATEGORY",
        "TASK_RESULT",
        "REPORT_RESULT",
        "SOD_VIOLATION",
        "ACCOUNT_ACTIVITY",
        "WORKGROUP",
    }
)

# JSON types of the top-level fields the schemas define; null counts as absent.
_FIELD_TYPES: dict[str, type] = {
    "description": str,
    "type": str,
    "cluster": str,
    "attributes": dict,
    "statusMap": dict,
    "request": dict,
    "ownerRef": dict,
    "clusterRef": dict,
    "provisioningConfig": dict,
    "beforeProvisioningRule": dict,
    "sources": list,
    "managedSources": list,
}
_JSON_TYPE_NAMES: dict[type, str] = {str: "a string", dict: "a JSON object", list: "a JSON array"}
# Reference objects whose `type` is a one-value enum in the schemas.
_REF_TYPES = {"ownerRef": "IDENTITY", "clusterRef": "CLUSTER"}


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
        _check_rule(rule)
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
    rest = {k: v for k, v in details.items() if k not in ("name", "description", "type")}
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
    """Check a create/replace body and fill the defaults; read-only fields are dropped."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    details: JsonObject = {
        k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY_FIELDS and v is not None
    }
    name = details.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("'name' is required and must be a non-empty string.")
    for field, json_type in _FIELD_TYPES.items():
        if field in details and not isinstance(details[field], json_type):
            raise bad_request(f"'{field}' must be {_JSON_TYPE_NAMES[json_type]}.")
    details.setdefault("description", "")
    details.setdefault("type", DEFAULT_TYPE)
    details.setdefault("attributes", {})
    for field in ("sources", "managedSources"):
        if not all(isinstance(v, str) for v in details.get(field, [])):
            raise bad_request(f"'{field}' must be an array of strings.")
    for field, ref_type in _REF_TYPES.items():
        if field in details:
            _check_ref(field, details[field], ref_type)
    refs = details.get("provisioningConfig", {}).get("managedResourceRefs") or []
    if not isinstance(refs, list):
        raise bad_request("'provisioningConfig.managedResourceRefs' must be a JSON array.")
    for ref in refs:
        _check_ref("provisioningConfig.managedResourceRefs", ref, "SOURCE")
    if "beforeProvisioningRule" in details:
        _check_rule(details["beforeProvisioningRule"])
    return details


def _check_ref(field: str, ref: object, ref_type: str) -> None:
    if not isinstance(ref, dict):
        raise bad_request(f"'{field}' must hold JSON objects.")
    if ref.get("type") not in (None, ref_type):
        raise bad_request(f"'{field}.type' must be {ref_type}.")
    _check_strings(field, ref, ("id", "name"))


def _check_rule(rule: object) -> None:
    if not isinstance(rule, dict):
        raise bad_request("'beforeProvisioningRule' must be a JSON object.")
    if rule.get("type") is not None and rule["type"] not in RULE_TYPES:
        raise bad_request("'beforeProvisioningRule.type' is not a known reference type.")
    _check_strings("beforeProvisioningRule", rule, ("id", "name"))


def _check_strings(field: str, obj: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise bad_request(f"'{field}.{key}' must be a string.")


def _operations(body: object, *, guard_read_only: bool) -> list[Any]:
    """Check the outer shape of a JSON Patch document and that it spares read-only fields."""
    if not isinstance(body, list):
        raise bad_request("A JSON Patch document must be a JSON array of operations.")
    if not body:
        raise bad_request("A JSON Patch document must hold at least one operation.")
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
