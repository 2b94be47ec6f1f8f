"""The public names of ``sim_client``, pinned, and the error tree's shape."""

from __future__ import annotations

import sim_client
from sim_client import errors

EXPECTED = {
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
    "RawResponse",
    "RawResponseClient",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "SimClient",
    "SimDeprecationWarning",
    "SimError",
    "SimIntegration",
    "SimIntegrationDetails",
    "SourceClusterRef",
    "StaticTokenAuth",
    "Unset",
    "__version__",
    # Configuration as code (sim_client.desired).
    "ApplyResult",
    "DesiredStateError",
    "Plan",
    "StalePlanError",
}


def test_all_is_pinned() -> None:
    assert set(sim_client.__all__) == EXPECTED
    for name in sim_client.__all__:
        assert getattr(sim_client, name) is not None


def test_the_error_tree() -> None:
    status_errors = [
        errors.BadRequestError,
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.NotFoundError,
        errors.ConflictError,
        errors.RateLimitError,
        errors.ServerError,
    ]
    for cls in status_errors:
        assert cls.__bases__ == (errors.APIStatusError,)
    assert errors.APIStatusError.__bases__ == (errors.SimError,)
    assert errors.APIConnectionError.__bases__ == (errors.SimError,)
    assert errors.APITimeoutError.__bases__ == (errors.APIConnectionError,)
    assert errors.ResponseDecodeError.__bases__ == (errors.SimError,)
    assert errors.ResponseTooLargeError.__bases__ == (errors.ResponseDecodeError,)
    assert issubclass(errors.ClientClosedError, errors.SimError)


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import version

    assert sim_client.__version__ == version("sim-client")
