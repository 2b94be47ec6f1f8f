# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.managed_resource_ref import ManagedResourceRef
    from ..models.plan_initializer_script import PlanInitializerScript


T = TypeVar("T", bound="ProvisioningConfig")


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
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.managed_resource_ref import ManagedResourceRef
        from ..models.plan_initializer_script import PlanInitializerScript

        d = dict(src_dict)
        universal_manager = d.pop("universalManager", UNSET)

        _managed_resource_refs = d.pop("managedResourceRefs", UNSET)
        managed_resource_refs: list[ManagedResourceRef] | Unset = UNSET
        if _managed_resource_refs is not UNSET:
            managed_resource_refs = []
            for managed_resource_refs_item_data in _managed_resource_refs:
                managed_resource_refs_item = ManagedResourceRef.from_dict(
                    managed_resource_refs_item_data
                )

                managed_resource_refs.append(managed_resource_refs_item)

        _plan_initializer_script = d.pop("planInitializerScript", UNSET)
        plan_initializer_script: PlanInitializerScript | Unset
        if isinstance(_plan_initializer_script, Unset):
            plan_initializer_script = UNSET
        else:
            plan_initializer_script = PlanInitializerScript.from_dict(
                _plan_initializer_script
            )

        no_provisioning_requests = d.pop("noProvisioningRequests", UNSET)

        provisioning_request_expiration = d.pop("provisioningRequestExpiration", UNSET)

        provisioning_config = cls(
            universal_manager=universal_manager,
            managed_resource_refs=managed_resource_refs,
            plan_initializer_script=plan_initializer_script,
            no_provisioning_requests=no_provisioning_requests,
            provisioning_request_expiration=provisioning_request_expiration,
        )

        provisioning_config.additional_properties = d
        return provisioning_config

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
