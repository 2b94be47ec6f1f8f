# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
"""Contains all the data models used in inputs/outputs"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .before_provisioning_rule import BeforeProvisioningRule
    from .dto_type import DtoType
    from .error_message_dto import ErrorMessageDto
    from .error_response_dto import ErrorResponseDto
    from .json_object import JsonObject
    from .json_patch_operation import JsonPatchOperation
    from .json_patch_operation_op import JsonPatchOperationOp
    from .locale_origin import LocaleOrigin
    from .managed_resource_ref import ManagedResourceRef
    from .managed_resource_ref_type import ManagedResourceRefType
    from .owner_ref import OwnerRef
    from .owner_ref_type import OwnerRefType
    from .plan_initializer_script import PlanInitializerScript
    from .provisioning_config import ProvisioningConfig
    from .rate_limit_body import RateLimitBody
    from .sim_integration import SimIntegration
    from .sim_integration_attributes import SimIntegrationAttributes
    from .sim_integration_details import SimIntegrationDetails
    from .sim_integration_details_attributes import SimIntegrationDetailsAttributes
    from .sim_integration_details_request import SimIntegrationDetailsRequest
    from .sim_integration_details_status_map import SimIntegrationDetailsStatusMap
    from .source_cluster_ref import SourceClusterRef
    from .source_cluster_ref_type import SourceClusterRefType
    from .unauthorized_body import UnauthorizedBody

# Each name's module.
_MODULES = {
    "BeforeProvisioningRule": ".before_provisioning_rule",
    "DtoType": ".dto_type",
    "ErrorMessageDto": ".error_message_dto",
    "ErrorResponseDto": ".error_response_dto",
    "JsonObject": ".json_object",
    "JsonPatchOperation": ".json_patch_operation",
    "JsonPatchOperationOp": ".json_patch_operation_op",
    "LocaleOrigin": ".locale_origin",
    "ManagedResourceRef": ".managed_resource_ref",
    "ManagedResourceRefType": ".managed_resource_ref_type",
    "OwnerRef": ".owner_ref",
    "OwnerRefType": ".owner_ref_type",
    "PlanInitializerScript": ".plan_initializer_script",
    "ProvisioningConfig": ".provisioning_config",
    "RateLimitBody": ".rate_limit_body",
    "SimIntegration": ".sim_integration",
    "SimIntegrationAttributes": ".sim_integration_attributes",
    "SimIntegrationDetails": ".sim_integration_details",
    "SimIntegrationDetailsAttributes": ".sim_integration_details_attributes",
    "SimIntegrationDetailsRequest": ".sim_integration_details_request",
    "SimIntegrationDetailsStatusMap": ".sim_integration_details_status_map",
    "SourceClusterRef": ".source_cluster_ref",
    "SourceClusterRefType": ".source_cluster_ref_type",
    "UnauthorizedBody": ".unauthorized_body",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_MODULES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = (
    "BeforeProvisioningRule",
    "DtoType",
    "ErrorMessageDto",
    "ErrorResponseDto",
    "JsonObject",
    "JsonPatchOperation",
    "JsonPatchOperationOp",
    "LocaleOrigin",
    "ManagedResourceRef",
    "ManagedResourceRefType",
    "OwnerRef",
    "OwnerRefType",
    "PlanInitializerScript",
    "ProvisioningConfig",
    "RateLimitBody",
    "SimIntegration",
    "SimIntegrationAttributes",
    "SimIntegrationDetails",
    "SimIntegrationDetailsAttributes",
    "SimIntegrationDetailsRequest",
    "SimIntegrationDetailsStatusMap",
    "SourceClusterRef",
    "SourceClusterRefType",
    "UnauthorizedBody",
)
