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
    from ..models.sim_integration_details_attributes import (
        SimIntegrationDetailsAttributes,
    )
    from ..models.sim_integration_details_request import SimIntegrationDetailsRequest
    from ..models.sim_integration_details_status_map import (
        SimIntegrationDetailsStatusMap,
    )


T = TypeVar("T", bound="SimIntegrationDetails")


@_attrs_define
class SimIntegrationDetails:
    """What a caller sends to create or replace an integration. `id`, `created` and `modified` are assigned by the service;
    sim_client never sends them (D6).

        Attributes:
            name (str): The integration's name, unique within the tenant.
            id (str | Unset): Assigned by the service.
            created (datetime.datetime | Unset): When the integration was created.
            modified (datetime.datetime | Unset): When the integration was last changed.
            description (str | Unset): A free-text description.
            type_ (str | Unset): The integration type, e.g. `ServiceNowSDIM` or `ServiceNow`.
            attributes (None | SimIntegrationDetailsAttributes | Unset): Connection settings of the integration, credentials
                included.
            sources (list[str] | Unset): Ids of the sources whose provisioning this integration handles.
            cluster (str | Unset): Id of the cluster (virtual appliance) that runs the integration.
            status_map (SimIntegrationDetailsStatusMap | Unset): Maps a ticket state to a provisioning result, e.g.
                `closed_complete` to `Committed`.
            request (SimIntegrationDetailsRequest | Unset): Templates for the description and body of the tickets created.
            before_provisioning_rule (BeforeProvisioningRule | Unset): The rule run on a provisioning plan before it becomes
                a ticket.
    """

    name: str
    id: str | Unset = UNSET
    created: datetime.datetime | Unset = UNSET
    modified: datetime.datetime | Unset = UNSET
    description: str | Unset = UNSET
    type_: str | Unset = UNSET
    attributes: None | SimIntegrationDetailsAttributes | Unset = UNSET
    sources: list[str] | Unset = UNSET
    cluster: str | Unset = UNSET
    status_map: SimIntegrationDetailsStatusMap | Unset = UNSET
    request: SimIntegrationDetailsRequest | Unset = UNSET
    before_provisioning_rule: BeforeProvisioningRule | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.sim_integration_details_attributes import (
            SimIntegrationDetailsAttributes,
        )

        name = self.name

        id = self.id

        created: str | Unset = UNSET
        if not isinstance(self.created, Unset):
            created = self.created.isoformat()

        modified: str | Unset = UNSET
        if not isinstance(self.modified, Unset):
            modified = self.modified.isoformat()

        description = self.description

        type_ = self.type_

        attributes: dict[str, Any] | None | Unset
        if isinstance(self.attributes, Unset):
            attributes = UNSET
        elif isinstance(self.attributes, SimIntegrationDetailsAttributes):
            attributes = self.attributes.to_dict()
        else:
            attributes = self.attributes

        sources: list[str] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = self.sources

        cluster = self.cluster

        status_map: dict[str, Any] | Unset = UNSET
        if not isinstance(self.status_map, Unset):
            status_map = self.status_map.to_dict()

        request: dict[str, Any] | Unset = UNSET
        if not isinstance(self.request, Unset):
            request = self.request.to_dict()

        before_provisioning_rule: dict[str, Any] | Unset = UNSET
        if not isinstance(self.before_provisioning_rule, Unset):
            before_provisioning_rule = self.before_provisioning_rule.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if created is not UNSET:
            field_dict["created"] = created
        if modified is not UNSET:
            field_dict["modified"] = modified
        if description is not UNSET:
            field_dict["description"] = description
        if type_ is not UNSET:
            field_dict["type"] = type_
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if sources is not UNSET:
            field_dict["sources"] = sources
        if cluster is not UNSET:
            field_dict["cluster"] = cluster
        if status_map is not UNSET:
            field_dict["statusMap"] = status_map
        if request is not UNSET:
            field_dict["request"] = request
        if before_provisioning_rule is not UNSET:
            field_dict["beforeProvisioningRule"] = before_provisioning_rule

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.before_provisioning_rule import BeforeProvisioningRule
        from ..models.sim_integration_details_attributes import (
            SimIntegrationDetailsAttributes,
        )
        from ..models.sim_integration_details_request import (
            SimIntegrationDetailsRequest,
        )
        from ..models.sim_integration_details_status_map import (
            SimIntegrationDetailsStatusMap,
        )

        d = dict(src_dict)
        name = d.pop("name")

        id = d.pop("id", UNSET)

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

        description = d.pop("description", UNSET)

        type_ = d.pop("type", UNSET)

        def _parse_attributes(
            data: object,
        ) -> None | SimIntegrationDetailsAttributes | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attributes_type_0 = SimIntegrationDetailsAttributes.from_dict(data)

                return attributes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SimIntegrationDetailsAttributes | Unset, data)

        attributes = _parse_attributes(d.pop("attributes", UNSET))

        sources = cast(list[str], d.pop("sources", UNSET))

        cluster = d.pop("cluster", UNSET)

        _status_map = d.pop("statusMap", UNSET)
        status_map: SimIntegrationDetailsStatusMap | Unset
        if isinstance(_status_map, Unset):
            status_map = UNSET
        else:
            status_map = SimIntegrationDetailsStatusMap.from_dict(_status_map)

        _request = d.pop("request", UNSET)
        request: SimIntegrationDetailsRequest | Unset
        if isinstance(_request, Unset):
            request = UNSET
        else:
            request = SimIntegrationDetailsRequest.from_dict(_request)

        _before_provisioning_rule = d.pop("beforeProvisioningRule", UNSET)
        before_provisioning_rule: BeforeProvisioningRule | Unset
        if isinstance(_before_provisioning_rule, Unset):
            before_provisioning_rule = UNSET
        else:
            before_provisioning_rule = BeforeProvisioningRule.from_dict(
                _before_provisioning_rule
            )

        sim_integration_details = cls(
            name=name,
            id=id,
            created=created,
            modified=modified,
            description=description,
            type_=type_,
            attributes=attributes,
            sources=sources,
            cluster=cluster,
            status_map=status_map,
            request=request,
            before_provisioning_rule=before_provisioning_rule,
        )

        sim_integration_details.additional_properties = d
        return sim_integration_details

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
