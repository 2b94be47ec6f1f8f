# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from sim_client._reading import (
    format_datetime,
    keep_raw,
    model_repr,
    parse_datetime,
    strict_reading,
)

from ..models.before_provisioning_rule import BeforeProvisioningRule
from ..models.sim_integration_details_attributes import SimIntegrationDetailsAttributes
from ..models.sim_integration_details_request import SimIntegrationDetailsRequest
from ..models.sim_integration_details_status_map import SimIntegrationDetailsStatusMap
from ..types import UNSET, Unset

T = TypeVar("T", bound="SimIntegrationDetails")
_new = object.__new__

_KNOWN_KEYS = frozenset(
    (
        "name",
        "id",
        "created",
        "modified",
        "description",
        "type",
        "attributes",
        "sources",
        "cluster",
        "statusMap",
        "request",
        "beforeProvisioningRule",
    )
)


@_attrs_define
class SimIntegrationDetails:
    """What a caller sends to create or replace an integration. `id`, `created` and `modified` are assigned by the service;
    sim_client never sends them (D6).

        Attributes:
            name (str): The integration's name, unique within the tenant; not blank.
            id (str | Unset): Assigned by the service.
            created (datetime.datetime | Unset): When the integration was created.
            modified (datetime.datetime | Unset): When the integration was last changed.
            description (str | Unset): A free-text description.
            type_ (str | Unset): The integration type, e.g. `ServiceNowSDIM` or `ServiceNow`.
            attributes (None | SimIntegrationDetailsAttributes | Unset): Connection settings of the integration, credentials
                included. Example: {'instance': 'acme.service-now.com', 'username': 'sailpoint-sim'}.
            sources (list[str] | Unset): Ids of the sources whose provisioning this integration handles.
            cluster (str | Unset): Id of the cluster (virtual appliance) that runs the integration.
            status_map (SimIntegrationDetailsStatusMap | Unset): Maps a ticket state to a provisioning result, e.g.
                `closed_complete` to `Committed`. Example: {'closed_complete': 'Committed', 'closed_rejected': 'Failed',
                'in_process': 'Queued'}.
            request (SimIntegrationDetailsRequest | Unset): Templates for the description and body of the tickets created.
                Example: {'short_description': 'SailPoint access request $!plan.arguments.identityRequestId'}.
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
        name = self.name

        id = self.id

        created: str | Unset = UNSET
        if not isinstance(self.created, Unset):
            created = format_datetime(self.created)

        modified: str | Unset = UNSET
        if not isinstance(self.modified, Unset):
            modified = format_datetime(self.modified)

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
                    f"SimIntegrationDetails: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "name",
                "id",
                "created",
                "modified",
                "description",
                "type_",
                "attributes",
                "sources",
                "cluster",
                "status_map",
                "request",
                "before_provisioning_rule",
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
    if "name" not in src_dict:
        raise ValueError("SimIntegrationDetails.name: required field is missing")
    raw: dict[str, Any] | None = None
    name = src_dict["name"]
    if not isinstance(name, str):
        raise TypeError(
            f"SimIntegrationDetails.name: expected str, got {type(name).__name__}"
        )

    try:
        id = src_dict.get("id", UNSET)
        if not isinstance(id, str) and id is not UNSET:
            raise TypeError(
                f"SimIntegrationDetails.id: expected str, got {type(id).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "id", src_dict["id"])
        id = UNSET

    try:
        _created = src_dict.get("created", UNSET)
        created: datetime.datetime | Unset = UNSET
        if _created is not UNSET:
            if not isinstance(_created, str):
                raise TypeError(
                    f"SimIntegrationDetails.created: expected str, got {type(_created).__name__}"
                )
            try:
                created = parse_datetime(_created)
            except ValueError:
                raise ValueError(
                    "SimIntegrationDetails.created: not an ISO 8601 date-time"
                ) from None

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "created", src_dict["created"])
        created = UNSET

    try:
        _modified = src_dict.get("modified", UNSET)
        modified: datetime.datetime | Unset = UNSET
        if _modified is not UNSET:
            if not isinstance(_modified, str):
                raise TypeError(
                    f"SimIntegrationDetails.modified: expected str, got {type(_modified).__name__}"
                )
            try:
                modified = parse_datetime(_modified)
            except ValueError:
                raise ValueError(
                    "SimIntegrationDetails.modified: not an ISO 8601 date-time"
                ) from None

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "modified", src_dict["modified"])
        modified = UNSET

    try:
        description = src_dict.get("description", UNSET)
        if not isinstance(description, str) and description is not UNSET:
            raise TypeError(
                f"SimIntegrationDetails.description: expected str, got {type(description).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "description", src_dict["description"])
        description = UNSET

    try:
        type_ = src_dict.get("type", UNSET)
        if not isinstance(type_, str) and type_ is not UNSET:
            raise TypeError(
                f"SimIntegrationDetails.type: expected str, got {type(type_).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "type", src_dict["type"])
        type_ = UNSET

    try:
        _attributes = src_dict.get("attributes", UNSET)
        attributes: None | SimIntegrationDetailsAttributes | Unset
        if _attributes is UNSET:
            attributes = UNSET
        elif _attributes is None:
            attributes = _attributes
        elif isinstance(_attributes, dict):
            attributes_type_0 = _read_sim_integration_details_attributes(
                SimIntegrationDetailsAttributes, _attributes
            )
            attributes = attributes_type_0
        else:
            raise TypeError(
                f"SimIntegrationDetails.attributes: expected None | SimIntegrationDetailsAttributes, got {type(_attributes).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "attributes", src_dict["attributes"])
        attributes = UNSET

    try:
        sources: list[str] | Unset = src_dict.get("sources", UNSET)
        if sources is not UNSET:
            if not isinstance(sources, list):
                raise TypeError(
                    f"SimIntegrationDetails.sources: expected list, got {type(sources).__name__}"
                )
            for sources_item in sources:
                if not isinstance(sources_item, str):
                    raise TypeError(
                        f"SimIntegrationDetails.sources[]: expected str, got {type(sources_item).__name__}"
                    )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "sources", src_dict["sources"])
        sources = UNSET

    try:
        cluster = src_dict.get("cluster", UNSET)
        if not isinstance(cluster, str) and cluster is not UNSET:
            raise TypeError(
                f"SimIntegrationDetails.cluster: expected str, got {type(cluster).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "cluster", src_dict["cluster"])
        cluster = UNSET

    try:
        _status_map = src_dict.get("statusMap", UNSET)
        status_map: SimIntegrationDetailsStatusMap | Unset = UNSET
        if _status_map is not UNSET:
            if not isinstance(_status_map, dict):
                raise TypeError(
                    f"SimIntegrationDetails.statusMap: expected dict, got {type(_status_map).__name__}"
                )
            status_map = _read_sim_integration_details_status_map(
                SimIntegrationDetailsStatusMap, _status_map
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "statusMap", src_dict["statusMap"])
        status_map = UNSET

    try:
        _request = src_dict.get("request", UNSET)
        request: SimIntegrationDetailsRequest | Unset = UNSET
        if _request is not UNSET:
            if not isinstance(_request, dict):
                raise TypeError(
                    f"SimIntegrationDetails.request: expected dict, got {type(_request).__name__}"
                )
            request = _read_sim_integration_details_request(
                SimIntegrationDetailsRequest, _request
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "request", src_dict["request"])
        request = UNSET

    try:
        _before_provisioning_rule = src_dict.get("beforeProvisioningRule", UNSET)
        before_provisioning_rule: BeforeProvisioningRule | Unset = UNSET
        if _before_provisioning_rule is not UNSET:
            if not isinstance(_before_provisioning_rule, dict):
                raise TypeError(
                    f"SimIntegrationDetails.beforeProvisioningRule: expected dict, got {type(_before_provisioning_rule).__name__}"
                )
            before_provisioning_rule = _read_before_provisioning_rule(
                BeforeProvisioningRule, _before_provisioning_rule
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(
            raw, error, "beforeProvisioningRule", src_dict["beforeProvisioningRule"]
        )
        before_provisioning_rule = UNSET

    if cls is SimIntegrationDetails:
        sim_integration_details = _new(cls)
        sim_integration_details.name = name
        sim_integration_details.id = id
        sim_integration_details.created = created
        sim_integration_details.modified = modified
        sim_integration_details.description = description
        sim_integration_details.type_ = type_
        sim_integration_details.attributes = attributes
        sim_integration_details.sources = sources
        sim_integration_details.cluster = cluster
        sim_integration_details.status_map = status_map
        sim_integration_details.request = request
        sim_integration_details.before_provisioning_rule = before_provisioning_rule
        sim_integration_details.additional_properties = {}
    else:
        sim_integration_details = cls(
            name,
            id,
            created,
            modified,
            description,
            type_,
            attributes,
            sources,
            cluster,
            status_map,
            request,
            before_provisioning_rule,
        )

    if (
        len(src_dict) != 12
        or id is UNSET
        or created is UNSET
        or modified is UNSET
        or description is UNSET
        or type_ is UNSET
        or attributes is UNSET
        or sources is UNSET
        or cluster is UNSET
        or status_map is UNSET
        or request is UNSET
        or before_provisioning_rule is UNSET
    ):
        if not _KNOWN_KEYS.issuperset(src_dict):
            sim_integration_details.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            sim_integration_details.additional_properties.update(raw)
    return sim_integration_details


from ..models.before_provisioning_rule import _read as _read_before_provisioning_rule
from ..models.sim_integration_details_attributes import (
    _read as _read_sim_integration_details_attributes,
)
from ..models.sim_integration_details_request import (
    _read as _read_sim_integration_details_request,
)
from ..models.sim_integration_details_status_map import (
    _read as _read_sim_integration_details_status_map,
)
