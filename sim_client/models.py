"""The data models of the API: the generated attrs classes under their public names.

``SimIntegration`` is what the service returns; ``SimIntegrationDetails`` is what a caller
sends to create or replace one; ``JsonPatchOperation`` is one RFC 6902 operation. Each has
``from_dict`` (wire camelCase in) and ``to_dict`` (wire camelCase out); unknown fields are
kept in ``additional_properties``.
"""

from typing import TYPE_CHECKING

from sim_client._generated.models.before_provisioning_rule import BeforeProvisioningRule
from sim_client._generated.models.dto_type import DtoType
from sim_client._generated.models.json_patch_operation import JsonPatchOperation
from sim_client._generated.models.json_patch_operation_op import JsonPatchOperationOp
from sim_client._generated.models.managed_resource_ref import ManagedResourceRef
from sim_client._generated.models.owner_ref import OwnerRef
from sim_client._generated.models.plan_initializer_script import PlanInitializerScript
from sim_client._generated.models.provisioning_config import ProvisioningConfig
from sim_client._generated.models.sim_integration import SimIntegration
from sim_client._generated.models.sim_integration_attributes import SimIntegrationAttributes
from sim_client._generated.models.sim_integration_details import SimIntegrationDetails
from sim_client._generated.models.source_cluster_ref import SourceClusterRef
from sim_client._generated.types import UNSET, Unset

if TYPE_CHECKING:
    from sim_client._generated.models.error_message_dto import ErrorMessageDto
    from sim_client._generated.models.error_response_dto import ErrorResponseDto
    from sim_client._generated.models.locale_origin import LocaleOrigin

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

# The models of the service's error bodies: imported on first use, as no call decodes them.
_ON_FIRST_USE = ("ErrorMessageDto", "ErrorResponseDto", "LocaleOrigin")


def __getattr__(name: str) -> object:
    if name in _ON_FIRST_USE:
        from sim_client._generated import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
