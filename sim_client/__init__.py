"""Async client for the Identity Security Cloud beta SIM Integrations API.

>>> async with SimClient("https://acme.api.identitynow.com", token="...") as sim:
...     integrations = await sim.list_integrations()
"""

__version__ = "0.1.0"

from sim_client.auth import ClientCredentialsAuth, StaticTokenAuth
from sim_client.client import DEFAULT_TIMEOUT, SimClient
from sim_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    SimError,
)
from sim_client.models import (
    UNSET,
    BeforeProvisioningRule,
    DtoType,
    JsonPatchOperation,
    JsonPatchOperationOp,
    ManagedResourceRef,
    OwnerRef,
    PlanInitializerScript,
    ProvisioningConfig,
    SimIntegration,
    SimIntegrationDetails,
    SourceClusterRef,
    Unset,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "UNSET",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BeforeProvisioningRule",
    "ClientClosedError",
    "ClientCredentialsAuth",
    "ConflictError",
    "DtoType",
    "JsonPatchOperation",
    "JsonPatchOperationOp",
    "ManagedResourceRef",
    "NotFoundError",
    "OwnerRef",
    "PermissionDeniedError",
    "PlanInitializerScript",
    "ProvisioningConfig",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "SimClient",
    "SimError",
    "SimIntegration",
    "SimIntegrationDetails",
    "SourceClusterRef",
    "StaticTokenAuth",
    "Unset",
    "__version__",
]
