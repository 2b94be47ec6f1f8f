# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.before_provisioning_rule import BeforeProvisioningRule
    from ..models.owner_ref import OwnerRef
    from ..models.provisioning_config import ProvisioningConfig
    from ..models.sim_integration_attributes import SimIntegrationAttributes
    from ..models.source_cluster_ref import SourceClusterRef


T = TypeVar("T", bound="SimIntegration")


@_attrs_define
class SimIntegration:
    """An integration as the service returns it.

    Attributes:
        id (str): The integration's id.
        name (str): The integration's name, unique within the tenant.
        description (str): A free-text description.
        type_ (str): The integration type, e.g. `ServiceNowSDIM` or `ServiceNow`.
        attributes (SimIntegrationAttributes): Connection settings of the integration.
        created (datetime.datetime | Unset): When the integration was created.
        modified (datetime.datetime | Unset): When the integration was last changed.
        owner_ref (OwnerRef | Unset): The identity that owns the integration.
        cluster_ref (SourceClusterRef | Unset): The cluster (virtual appliance) that runs the integration.
        cluster (str | Unset): Cluster id; superseded by `clusterRef`.
        managed_sources (list[str] | Unset): Source ids; superseded by `provisioningConfig.managedResourceRefs`.
        provisioning_config (ProvisioningConfig | Unset): How the integration provisions.
        before_provisioning_rule (BeforeProvisioningRule | Unset): The rule run on a provisioning plan before it becomes
            a ticket.
    """

    id: str
    name: str
    description: str
    type_: str
    attributes: SimIntegrationAttributes
    created: datetime.datetime | Unset = UNSET
    modified: datetime.datetime | Unset = UNSET
    owner_ref: OwnerRef | Unset = UNSET
    cluster_ref: SourceClusterRef | Unset = UNSET
    cluster: str | Unset = UNSET
    managed_sources: list[str] | Unset = UNSET
    provisioning_config: ProvisioningConfig | Unset = UNSET
    before_provisioning_rule: BeforeProvisioningRule | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        type_ = self.type_

        attributes = self.attributes.to_dict()

        created: str | Unset = UNSET
        if not isinstance(self.created, Unset):
            created = self.created.isoformat()

        modified: str | Unset = UNSET
        if not isinstance(self.modified, Unset):
            modified = self.modified.isoformat()

        owner_ref: dict[str, Any] | Unset = UNSET
        if not isinstance(self.owner_ref, Unset):
            owner_ref = self.owner_ref.to_dict()

        cluster_ref: dict[str, Any] | Unset = UNSET
        if not isinstance(self.cluster_ref, Unset):
            cluster_ref = self.cluster_ref.to_dict()

        cluster = self.cluster

        managed_sources: list[str] | Unset = UNSET
        if not isinstance(self.managed_sources, Unset):
            managed_sources = self.managed_sources

        provisioning_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.provisioning_config, Unset):
            provisioning_config = self.provisioning_config.to_dict()

        before_provisioning_rule: dict[str, Any] | Unset = UNSET
        if not isinstance(self.before_provisioning_rule, Unset):
            before_provisioning_rule = self.before_provisioning_rule.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "type": type_,
                "attributes": attributes,
            }
        )
        if created is not UNSET:
            field_dict["created"] = created
        if modified is not UNSET:
            field_dict["modified"] = modified
        if owner_ref is not UNSET:
            field_dict["ownerRef"] = owner_ref
        if cluster_ref is not UNSET:
            field_dict["clusterRef"] = cluster_ref
        if cluster is not UNSET:
            field_dict["cluster"] = cluster
        if managed_sources is not UNSET:
            field_dict["managedSources"] = managed_sources
        if provisioning_config is not UNSET:
            field_dict["provisioningConfig"] = provisioning_config
        if before_provisioning_rule is not UNSET:
            field_dict["beforeProvisioningRule"] = before_provisioning_rule

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.before_provisioning_rule import BeforeProvisioningRule
        from ..models.owner_ref import OwnerRef
        from ..models.provisioning_config import ProvisioningConfig
        from ..models.sim_integration_attributes import SimIntegrationAttributes
        from ..models.source_cluster_ref import SourceClusterRef

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        description = d.pop("description")

        type_ = d.pop("type")

        attributes = SimIntegrationAttributes.from_dict(d.pop("attributes"))

        _created = d.pop("created", UNSET)
        created: datetime.datetime | Unset
        if isinstance(_created, Unset):
            created = UNSET
        else:
            created = datetime.datetime.fromisoformat(_created)

        _modified = d.pop("modified", UNSET)
        modified: datetime.datetime | Unset
        if isinstance(_modified, Unset):
            modified = UNSET
        else:
            modified = datetime.datetime.fromisoformat(_modified)

        _owner_ref = d.pop("ownerRef", UNSET)
        owner_ref: OwnerRef | Unset
        if isinstance(_owner_ref, Unset):
            owner_ref = UNSET
        else:
            owner_ref = OwnerRef.from_dict(_owner_ref)

        _cluster_ref = d.pop("clusterRef", UNSET)
        cluster_ref: SourceClusterRef | Unset
        if isinstance(_cluster_ref, Unset):
            cluster_ref = UNSET
        else:
            cluster_ref = SourceClusterRef.from_dict(_cluster_ref)

        cluster = d.pop("cluster", UNSET)

        managed_sources = cast(list[str], d.pop("managedSources", UNSET))

        _provisioning_config = d.pop("provisioningConfig", UNSET)
        provisioning_config: ProvisioningConfig | Unset
        if isinstance(_provisioning_config, Unset):
            provisioning_config = UNSET
        else:
            provisioning_config = ProvisioningConfig.from_dict(_provisioning_config)

        _before_provisioning_rule = d.pop("beforeProvisioningRule", UNSET)
        before_provisioning_rule: BeforeProvisioningRule | Unset
        if isinstance(_before_provisioning_rule, Unset):
            before_provisioning_rule = UNSET
        else:
            before_provisioning_rule = BeforeProvisioningRule.from_dict(
                _before_provisioning_rule
            )

        sim_integration = cls(
            id=id,
            name=name,
            description=description,
            type_=type_,
            attributes=attributes,
            created=created,
            modified=modified,
            owner_ref=owner_ref,
            cluster_ref=cluster_ref,
            cluster=cluster,
            managed_sources=managed_sources,
            provisioning_config=provisioning_config,
            before_provisioning_rule=before_provisioning_rule,
        )

        sim_integration.additional_properties = d
        return sim_integration

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
