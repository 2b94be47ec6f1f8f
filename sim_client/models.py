"""The data models of the API: the generated attrs classes under their public names.

``SimIntegration`` is what the service returns; ``SimIntegrationDetails`` is what a caller
sends to create or replace one; ``JsonPatchOperation`` is one RFC 6902 operation. Each has
``from_dict`` (wire camelCase in) and ``to_dict`` (wire camelCase out); unknown fields are
kept in ``additional_properties``.
"""

from sim_client._generated.models import (
    BeforeProvisioningRule,
    DtoType,
    ErrorMessageDto,
    ErrorResponseDto,
    JsonPatchOperation,
    JsonPatchOperationOp,
    LocaleOrigin,
    ManagedResourceRef,
    OwnerRef,
    PlanInitializerScript,
    ProvisioningConfig,
    SimIntegration,
    SimIntegrationAttributes,
    SimIntegrationDetails,
    SourceClusterRef,
)
from sim_client._generated.types import UNSET, Unset

__all__ = [
    "UNSET",
    "BeforeProvisioningRule",
    "DtoType",
    "ErrorMessageDto",
    "ErrorResponseDto",
    "JsonPatchOperation",
    "JsonPatchOperationOp",
    "LocaleOrigin",
    "ManagedResourceRef",
    "OwnerRef",
    "PlanInitializerScript",
    "ProvisioningConfig",
    "SimIntegration",
    "SimIntegrationAttributes",
    "SimIntegrationDetails",
    "SourceClusterRef",
    "Unset",
]
