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
    require_fields,
    strict_reading,
)

from ..models.before_provisioning_rule import BeforeProvisioningRule
from ..models.owner_ref import OwnerRef
from ..models.provisioning_config import ProvisioningConfig
from ..models.sim_integration_attributes import SimIntegrationAttributes
from ..models.source_cluster_ref import SourceClusterRef
from ..types import UNSET, Unset

T = TypeVar("T", bound="SimIntegration")
_new = object.__new__

_KNOWN_KEYS = frozenset(
    (
        "id",
        "name",
        "description",
        "type",
        "created",
        "modified",
        "ownerRef",
        "clusterRef",
        "cluster",
        "managedSources",
        "provisioningConfig",
        "attributes",
        "beforeProvisioningRule",
    )
)


@_attrs_define
class SimIntegration:
    """An integration as the service returns it.

    Attributes:
        id (str): The integration's id.
        name (str | Unset): The integration's name, unique within the tenant.
        description (str | Unset): A free-text description.
        type_ (str | Unset): The integration type, e.g. `ServiceNowSDIM` or `ServiceNow`.
        created (datetime.datetime | Unset): When the integration was created.
        modified (datetime.datetime | Unset): When the integration was last changed.
        owner_ref (OwnerRef | Unset): The identity that owns the integration.
        cluster_ref (SourceClusterRef | Unset): The cluster (virtual appliance) that runs the integration.
        cluster (str | Unset): Cluster id; superseded by `clusterRef`.
        managed_sources (list[str] | Unset): Source ids; superseded by `provisioningConfig.managedResourceRefs`.
        provisioning_config (ProvisioningConfig | Unset): How the integration provisions.
        attributes (SimIntegrationAttributes | Unset): Connection settings of the integration. Example: {'instance':
            'acme.service-now.com', 'username': 'sailpoint-sim'}.
        before_provisioning_rule (BeforeProvisioningRule | Unset): The rule run on a provisioning plan before it becomes
            a ticket.
    """

    id: str
    name: str | Unset = UNSET
    description: str | Unset = UNSET
    type_: str | Unset = UNSET
    created: datetime.datetime | Unset = UNSET
    modified: datetime.datetime | Unset = UNSET
    owner_ref: OwnerRef | Unset = UNSET
    cluster_ref: SourceClusterRef | Unset = UNSET
    cluster: str | Unset = UNSET
    managed_sources: list[str] | Unset = UNSET
    provisioning_config: ProvisioningConfig | Unset = UNSET
    attributes: SimIntegrationAttributes | Unset = UNSET
    before_provisioning_rule: BeforeProvisioningRule | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        type_ = self.type_

        created: str | Unset = UNSET
        if not isinstance(self.created, Unset):
            created = format_datetime(self.created)

        modified: str | Unset = UNSET
        if not isinstance(self.modified, Unset):
            modified = format_datetime(self.modified)

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

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        before_provisioning_rule: dict[str, Any] | Unset = UNSET
        if not isinstance(self.before_provisioning_rule, Unset):
            before_provisioning_rule = self.before_provisioning_rule.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if type_ is not UNSET:
            field_dict["type"] = type_
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
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
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
                    f"SimIntegration: expected dict, got {type(src_dict).__name__}"
                )
            src_dict = dict(src_dict)
        return _read(cls, src_dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "id",
                "name",
                "description",
                "type_",
                "created",
                "modified",
                "owner_ref",
                "cluster_ref",
                "cluster",
                "managed_sources",
                "provisioning_config",
                "attributes",
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
    if "id" not in src_dict:
        raise ValueError("SimIntegration.id: required field is missing")
    require_fields(
        src_dict, "SimIntegration", ("name", "description", "type", "attributes")
    )
    raw: dict[str, Any] | None = None
    id = src_dict["id"]
    if not isinstance(id, str):
        raise TypeError(f"SimIntegration.id: expected str, got {type(id).__name__}")

    try:
        name = src_dict.get("name", UNSET)
        if not isinstance(name, str) and name is not UNSET:
            raise TypeError(
                f"SimIntegration.name: expected str, got {type(name).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "name", src_dict["name"])
        name = UNSET

    try:
        description = src_dict.get("description", UNSET)
        if not isinstance(description, str) and description is not UNSET:
            raise TypeError(
                f"SimIntegration.description: expected str, got {type(description).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "description", src_dict["description"])
        description = UNSET

    try:
        type_ = src_dict.get("type", UNSET)
        if not isinstance(type_, str) and type_ is not UNSET:
            raise TypeError(
                f"SimIntegration.type: expected str, got {type(type_).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "type", src_dict["type"])
        type_ = UNSET

    try:
        _created = src_dict.get("created", UNSET)
        created: datetime.datetime | Unset = UNSET
        if _created is not UNSET:
            if not isinstance(_created, str):
                raise TypeError(
                    f"SimIntegration.created: expected str, got {type(_created).__name__}"
                )
            try:
                created = parse_datetime(_created)
            except ValueError:
                raise ValueError(
                    "SimIntegration.created: not an ISO 8601 date-time"
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
                    f"SimIntegration.modified: expected str, got {type(_modified).__name__}"
                )
            try:
                modified = parse_datetime(_modified)
            except ValueError:
                raise ValueError(
                    "SimIntegration.modified: not an ISO 8601 date-time"
                ) from None

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "modified", src_dict["modified"])
        modified = UNSET

    try:
        _owner_ref = src_dict.get("ownerRef", UNSET)
        owner_ref: OwnerRef | Unset = UNSET
        if _owner_ref is not UNSET:
            if not isinstance(_owner_ref, dict):
                raise TypeError(
                    f"SimIntegration.ownerRef: expected dict, got {type(_owner_ref).__name__}"
                )
            owner_ref = _read_owner_ref(OwnerRef, _owner_ref)

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "ownerRef", src_dict["ownerRef"])
        owner_ref = UNSET

    try:
        _cluster_ref = src_dict.get("clusterRef", UNSET)
        cluster_ref: SourceClusterRef | Unset = UNSET
        if _cluster_ref is not UNSET:
            if not isinstance(_cluster_ref, dict):
                raise TypeError(
                    f"SimIntegration.clusterRef: expected dict, got {type(_cluster_ref).__name__}"
                )
            cluster_ref = _read_source_cluster_ref(SourceClusterRef, _cluster_ref)

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "clusterRef", src_dict["clusterRef"])
        cluster_ref = UNSET

    try:
        cluster = src_dict.get("cluster", UNSET)
        if not isinstance(cluster, str) and cluster is not UNSET:
            raise TypeError(
                f"SimIntegration.cluster: expected str, got {type(cluster).__name__}"
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "cluster", src_dict["cluster"])
        cluster = UNSET

    try:
        managed_sources: list[str] | Unset = src_dict.get("managedSources", UNSET)
        if managed_sources is not UNSET:
            if not isinstance(managed_sources, list):
                raise TypeError(
                    f"SimIntegration.managedSources: expected list, got {type(managed_sources).__name__}"
                )
            for managed_sources_item in managed_sources:
                if not isinstance(managed_sources_item, str):
                    raise TypeError(
                        f"SimIntegration.managedSources[]: expected str, got {type(managed_sources_item).__name__}"
                    )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "managedSources", src_dict["managedSources"])
        managed_sources = UNSET

    try:
        _provisioning_config = src_dict.get("provisioningConfig", UNSET)
        provisioning_config: ProvisioningConfig | Unset = UNSET
        if _provisioning_config is not UNSET:
            if not isinstance(_provisioning_config, dict):
                raise TypeError(
                    f"SimIntegration.provisioningConfig: expected dict, got {type(_provisioning_config).__name__}"
                )
            provisioning_config = _read_provisioning_config(
                ProvisioningConfig, _provisioning_config
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "provisioningConfig", src_dict["provisioningConfig"])
        provisioning_config = UNSET

    try:
        _attributes = src_dict.get("attributes", UNSET)
        attributes: SimIntegrationAttributes | Unset = UNSET
        if _attributes is not UNSET:
            if not isinstance(_attributes, dict):
                raise TypeError(
                    f"SimIntegration.attributes: expected dict, got {type(_attributes).__name__}"
                )
            attributes = _read_sim_integration_attributes(
                SimIntegrationAttributes, _attributes
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(raw, error, "attributes", src_dict["attributes"])
        attributes = UNSET

    try:
        _before_provisioning_rule = src_dict.get("beforeProvisioningRule", UNSET)
        before_provisioning_rule: BeforeProvisioningRule | Unset = UNSET
        if _before_provisioning_rule is not UNSET:
            if not isinstance(_before_provisioning_rule, dict):
                raise TypeError(
                    f"SimIntegration.beforeProvisioningRule: expected dict, got {type(_before_provisioning_rule).__name__}"
                )
            before_provisioning_rule = _read_before_provisioning_rule(
                BeforeProvisioningRule, _before_provisioning_rule
            )

    except (TypeError, ValueError) as error:
        raw = keep_raw(
            raw, error, "beforeProvisioningRule", src_dict["beforeProvisioningRule"]
        )
        before_provisioning_rule = UNSET

    if cls is SimIntegration:
        sim_integration = _new(cls)
        sim_integration.id = id
        sim_integration.name = name
        sim_integration.description = description
        sim_integration.type_ = type_
        sim_integration.created = created
        sim_integration.modified = modified
        sim_integration.owner_ref = owner_ref
        sim_integration.cluster_ref = cluster_ref
        sim_integration.cluster = cluster
        sim_integration.managed_sources = managed_sources
        sim_integration.provisioning_config = provisioning_config
        sim_integration.attributes = attributes
        sim_integration.before_provisioning_rule = before_provisioning_rule
        sim_integration.additional_properties = {}
    else:
        sim_integration = cls(
            id,
            name,
            description,
            type_,
            created,
            modified,
            owner_ref,
            cluster_ref,
            cluster,
            managed_sources,
            provisioning_config,
            attributes,
            before_provisioning_rule,
        )

    if (
        len(src_dict) != 13
        or name is UNSET
        or description is UNSET
        or type_ is UNSET
        or created is UNSET
        or modified is UNSET
        or owner_ref is UNSET
        or cluster_ref is UNSET
        or cluster is UNSET
        or managed_sources is UNSET
        or provisioning_config is UNSET
        or attributes is UNSET
        or before_provisioning_rule is UNSET
    ):
        if not _KNOWN_KEYS.issuperset(src_dict):
            sim_integration.additional_properties = {
                prop_name: prop
                for prop_name, prop in src_dict.items()
                if prop_name not in _KNOWN_KEYS
            }
        if raw is not None:
            sim_integration.additional_properties.update(raw)
    return sim_integration


from ..models.before_provisioning_rule import _read as _read_before_provisioning_rule
from ..models.owner_ref import _read as _read_owner_ref
from ..models.provisioning_config import _read as _read_provisioning_config
from ..models.sim_integration_attributes import (
    _read as _read_sim_integration_attributes,
)
from ..models.source_cluster_ref import _read as _read_source_cluster_ref
