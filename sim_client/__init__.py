"""Async client for the Identity Security Cloud beta SIM Integrations API.

>>> async with SimClient("https://acme.api.identitynow.com", token="...") as sim:
...     integrations = await sim.list_integrations()
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

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
from sim_client.rate_limit import RateLimit

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
    "RateLimit",
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

# Configuration as code: imported on first use, so that `import sim_client` stays light.
_DESIRED = ("ApplyResult", "DesiredStateError", "Plan", "StalePlanError")
__all__ += _DESIRED

if TYPE_CHECKING:
    from sim_client.desired import ApplyResult as ApplyResult
    from sim_client.desired import DesiredStateError as DesiredStateError
    from sim_client.desired import Plan as Plan
    from sim_client.desired import StalePlanError as StalePlanError


def __getattr__(name: str) -> object:
    if name in _DESIRED:
        from sim_client import desired

        return getattr(desired, name)
    raise AttributeError(f"module 'sim_client' has no attribute {name!r}")
