# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
"""The operations of the fragment as data: one :class:`Operation` per operationId.

The client reads this table to build its requests; nothing here sends anything. ``path`` is
relative to the collection ``collection``, which each API version places under its own root.
"""

from dataclasses import dataclass
from typing import Any

from .models.json_patch_operation import JsonPatchOperation
from .models.sim_integration import SimIntegration
from .models.sim_integration_details import SimIntegrationDetails


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: what to send, where, and what a success answers."""

    name: str
    """The operationId in snake case, e.g. ``get_sim_integration``."""
    method: str
    """The HTTP method, upper case."""
    collection: str
    """The first segment of the fragment's path, e.g. ``/sim-integrations``."""
    path: str
    """The rest of the path, a template of ``{name}`` parameters (may be empty)."""
    path_params: tuple[str, ...]
    """The names of the path parameters, in order."""
    body: Any
    """The request body's type (a model, ``list[Model]``), or None."""
    content_type: str | None
    """The request body's media type, or None."""
    response: Any
    """The type of a success answer's body (a model, ``list[Model]``), or None for no body."""
    success: tuple[int, ...]
    """The 2xx statuses the fragment lists."""


GET_SIM_INTEGRATIONS = Operation(
    name="get_sim_integrations",
    method="GET",
    collection="/sim-integrations",
    path="",
    path_params=(),
    body=None,
    content_type=None,
    response=list[SimIntegration],
    success=(200,),
)

CREATE_SIM_INTEGRATION = Operation(
    name="create_sim_integration",
    method="POST",
    collection="/sim-integrations",
    path="",
    path_params=(),
    body=SimIntegrationDetails,
    content_type="application/json",
    response=SimIntegration,
    success=(200,),
)

GET_SIM_INTEGRATION = Operation(
    name="get_sim_integration",
    method="GET",
    collection="/sim-integrations",
    path="/{id}",
    path_params=("id",),
    body=None,
    content_type=None,
    response=SimIntegration,
    success=(200,),
)

PUT_SIM_INTEGRATION = Operation(
    name="put_sim_integration",
    method="PUT",
    collection="/sim-integrations",
    path="/{id}",
    path_params=("id",),
    body=SimIntegrationDetails,
    content_type="application/json",
    response=SimIntegration,
    success=(200,),
)

DELETE_SIM_INTEGRATION = Operation(
    name="delete_sim_integration",
    method="DELETE",
    collection="/sim-integrations",
    path="/{id}",
    path_params=("id",),
    body=None,
    content_type=None,
    response=None,
    success=(
        200,
        204,
    ),
)

PATCH_SIM_ATTRIBUTES = Operation(
    name="patch_sim_attributes",
    method="PATCH",
    collection="/sim-integrations",
    path="/{id}",
    path_params=("id",),
    body=list[JsonPatchOperation],
    content_type="application/json-patch+json",
    response=SimIntegration,
    success=(200,),
)

PATCH_BEFORE_PROVISIONING_RULE = Operation(
    name="patch_before_provisioning_rule",
    method="PATCH",
    collection="/sim-integrations",
    path="/{id}/beforeProvisioningRule",
    path_params=("id",),
    body=list[JsonPatchOperation],
    content_type="application/json-patch+json",
    response=SimIntegration,
    success=(200,),
)

OPERATIONS: dict[str, Operation] = {
    GET_SIM_INTEGRATIONS.name: GET_SIM_INTEGRATIONS,
    CREATE_SIM_INTEGRATION.name: CREATE_SIM_INTEGRATION,
    GET_SIM_INTEGRATION.name: GET_SIM_INTEGRATION,
    PUT_SIM_INTEGRATION.name: PUT_SIM_INTEGRATION,
    DELETE_SIM_INTEGRATION.name: DELETE_SIM_INTEGRATION,
    PATCH_SIM_ATTRIBUTES.name: PATCH_SIM_ATTRIBUTES,
    PATCH_BEFORE_PROVISIONING_RULE.name: PATCH_BEFORE_PROVISIONING_RULE,
}
"""Every operation of the fragment, by name."""
