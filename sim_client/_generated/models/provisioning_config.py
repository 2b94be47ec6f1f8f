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

from ..models.managed_resource_ref import ManagedResourceRef
from ..models.plan_initializer_script import PlanInitializerScript
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProvisioningConfig")
_new = object.__new__

_KNOWN_KEYS = frozenset(
    (
        "universalManager",
        "managedResourceRefs",
        "planInitializerScript",
        "noProvisioningRequests",
        "provisioningRequestExpiration",
    )
)


@_attrs_define
class ProvisioningConfig:
    """How the integration provisions.

    Attributes:
        universal_manager (bool | Unset): True when the integration handles every source of the tenant.
        managed_resource_refs (list[ManagedResourceRef] | Unset): The sources handled; only when universalManager is
            false.
        plan_initializer_script (PlanInitializerScript | Unset): A plan initializer script (a BeforeProvisioning rule in
            XML).
        no_provisioning_requests (bool | Unset): When true, no ProvisioningRequest objects are saved for plans sent
            here.
        provisioning_request_expiration (int | Unset): Hours a saved pending request lives before it expires.
    """

    universal_manager: bool | Unset = UNSET
    managed_resource_refs: list[ManagedResourceRef] | Unset = UNSET
    plan_initializer_script: PlanInitializerScript | Unset = UNSET
    no_provisioning_requests: bool | Unset = UNSET
    provisioning_request_expiration: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        universal_manager = self.universal_manager

        managed_resource_refs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.managed_resource_refs, Unset):
            managed_resource_refs = []
            for managed_resource_refs_item_data in self.managed_resource_refs:
                managed_resource_refs_item = managed_resource_refs_item_data.to_dict()
                managed_resource_refs.append(managed_resource_refs_item)

        plan_initializer_script: dict[str, Any] | Unset = UNSET
        if not isinstance(self.plan_initializer_script, Unset):
            plan_initializer_script = self.plan_initializer_script.to_dict()

        no_provisioning_requests = self.no_provisioning_requests

        provisioning_request_expiration = self.provisioning_request_expiration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if universal_manager is not UNSET:
            field_dict["universalManager"] = universal_manager
        if managed_resource_refs is not UNSET:
            field_dict["managedResourceRefs"] = managed_resource_refs
        if plan_initializer_script is not UNSET:
            field_dict["planInitializerScript"] = plan_initializer_script
        if no_provisioning_requests is not UNSET:
            field_dict["noProvisioningRequests"] = no_provisioning_requests
        if provisioning_request_expiration is not UNSET:
            field_dict["provisioningRequestExpiration"] = (
                provisioning_request_expiration
            )

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
                    f"ProvisioningConfig: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "universal_manager",
                "managed_resource_refs",
                "plan_initializer_script",
                "no_provisioning_requests",
                "provisioning_request_expiration",
            ),
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
    raw: dict[str, Any] | None = None
    try:
        universal_manager = src_dict.get("universalManager", UNSET)
        if not isinstance(universal_manager, bool) and universal_manager is not UNSET:
            raise TypeError(
                f"ProvisioningConfig.universalManager: expected bool, got {type(universal_manager).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "universalManager", src_dict["universalManager"])
        universal_manager = UNSET

    try:
        _managed_resource_refs = src_dict.get("managedResourceRefs", UNSET)
        managed_resource_refs: list[ManagedResourceRef] | Unset = UNSET
        if _managed_resource_refs is not UNSET:
            if not isinstance(_managed_resource_refs, list):
                raise TypeError(
                    f"ProvisioningConfig.managedResourceRefs: expected list, got {type(_managed_resource_refs).__name__}"
                )
            managed_resource_refs = []
            for managed_resource_refs_item_data in _managed_resource_refs:
                if not isinstance(managed_resource_refs_item_data, dict):
                    raise TypeError(
                        f"ProvisioningConfig.managedResourceRefs[]: expected dict, got {type(managed_resource_refs_item_data).__name__}"
                    )
                managed_resource_refs_item = _read_managed_resource_ref(
                    ManagedResourceRef, managed_resource_refs_item_data
                )
                managed_resource_refs.append(managed_resource_refs_item)

    except (TypeError, ValueError) as error:
        raw = keep_raw(
            raw, error, "managedResourceRefs", src_dict["managedResourceRefs"]
        )
        managed_resource_refs = UNSET

    try:
        _plan_initializer_script = src_dict.get("planInitializerScript", UNSET)
        plan_initializer_script: PlanInitializerScript | Unset = UNSET
        if _plan_initializer_script is not UNSET:
            if not isinstance(_plan_initializer_script, dict):
                raise TypeError(
                    f"ProvisioningConfig.planInitializerScript: expected dict, got {type(_plan_initializer_script).__name__}"
                )
            plan_initializer_script = _read_plan_initializer_script(
                PlanInitializerScript, _plan_initializer_script
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(
            raw, error, "planInitializerScript", src_dict["planInitializerScript"]
        )
        plan_initializer_script = UNSET

    try:
        no_provisioning_requests = src_dict.get("noProvisioningRequests", UNSET)
        if (
            not isinstance(no_provisioning_requests, bool)
            and no_provisioning_requests is not UNSET
        ):
            raise TypeError(
                f"ProvisioningConfig.noProvisioningRequests: expected bool, got {type(no_provisioning_requests).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(
            raw, error, "noProvisioningRequests", src_dict["noProvisioningRequests"]
        )
        no_provisioning_requests = UNSET

    try:
        provisioning_request_expiration = src_dict.get(
            "provisioningRequestExpiration", UNSET
        )
        if (
            isinstance(provisioning_request_expiration, bool)
            or not isinstance(provisioning_request_expiration, int)
        ) and provisioning_request_expiration is not UNSET:
            raise TypeError(
                f"ProvisioningConfig.provisioningRequestExpiration: expected int, got {type(provisioning_request_expiration).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(
            raw,
            error,
            "provisioningRequestExpiration",
            src_dict["provisioningRequestExpiration"],
        )
        provisioning_request_expiration = UNSET

    if cls is ProvisioningConfig:
        provisioning_config = _new(cls)
        provisioning_config.universal_manager = universal_manager
        provisioning_config.managed_resource_refs = managed_resource_refs
        provisioning_config.plan_initializer_script = plan_initializer_script
        provisioning_config.no_provisioning_requests = no_provisioning_requests
        provisioning_config.provisioning_request_expiration = (
            provisioning_request_expiration
        )
        provisioning_config.additional_properties = {}
    else:
        provisioning_config = cls(
            universal_manager,
            managed_resource_refs,
            plan_initializer_script,
            no_provisioning_requests,
            provisioning_request_expiration,
        )

    if (
        len(src_dict) != 5
        or universal_manager is UNSET
        or managed_resource_refs is UNSET
        or plan_initializer_script is UNSET
        or no_provisioning_requests is UNSET
        or provisioning_request_expiration is UNSET
    ):
        if not _KNOWN_KEYS.issuperset(src_dict):
            provisioning_config.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            provisioning_config.additional_properties.update(raw)
    return provisioning_config


from ..models.managed_resource_ref import _read as _read_managed_resource_ref
from ..models.plan_initializer_script import _read as _read_plan_initializer_script
