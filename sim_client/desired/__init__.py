"""Configuration as code for SIM integrations: export, plan and apply desired-state documents.

>>> documents = await sim.export_integrations()          # or export_integrations(sim)
>>> plan = await sim.plan(documents, prune=True)        # what would change; print(plan)
>>> result = await sim.apply(plan)                      # each action's outcome

A plan can be kept and applied later exactly as reviewed::

    saved = plan.to_saved()                              # JSON-ready; no secret in clear
    later = load_saved_plan(json.dumps(saved))           # or a path; placeholders resolved again
    result = await apply(sim, later)                     # refused on another tenant or if changed

Documents are integrations in the wire's camelCase without the fields the service assigns;
credentials in ``attributes`` travel as ``${SIM_<NAME>_<MEMBER>}`` placeholders. The module
docstrings state the rules: ``_documents`` (canonical form, what ``null`` means, defaults,
unknown fields), ``_secrets`` (which members are credentials, placeholder syntax and allowed
prefixes), ``_files`` (YAML and JSON reading), ``_plan`` (credential removal, prune limits,
unmanaged integrations, id-map warnings), ``_saved`` (the saved form) and ``_apply``
(stopping, masking). Everything here uses a client only through :class:`IntegrationClient`,
which :class:`sim_client.SimClient` fits.
"""

from ._apply import (
    ApplyInterrupted,
    ApplyResult,
    Outcome,
    StalePlanError,
    WrongTenantError,
    apply,
)
from ._documents import (
    READ_ONLY_FIELDS,
    SERVICE_DEFAULTS,
    DesiredStateError,
    LocatedDocument,
    canonical,
    map_ids,
)
from ._export import export_integrations
from ._files import load_documents, load_id_map
from ._model import MISSING, Action, Change, Plan, Unmanaged
from ._plan import DEFAULT_MAX_DELETES, DuplicateNameError, desired_documents, plan
from ._protocol import IntegrationClient, IntegrationRecord
from ._saved import FORMAT_VERSION, load_saved_plan
from ._secrets import (
    DEFAULT_PREFIXES,
    SENSITIVE,
    default_secret_name,
    is_credential_name,
    masked,
)

__all__ = [
    "DEFAULT_MAX_DELETES",
    "DEFAULT_PREFIXES",
    "FORMAT_VERSION",
    "MISSING",
    "READ_ONLY_FIELDS",
    "SENSITIVE",
    "SERVICE_DEFAULTS",
    "Action",
    "ApplyInterrupted",
    "ApplyResult",
    "Change",
    "DesiredStateError",
    "DuplicateNameError",
    "IntegrationClient",
    "IntegrationRecord",
    "LocatedDocument",
    "Outcome",
    "Plan",
    "StalePlanError",
    "Unmanaged",
    "WrongTenantError",
    "apply",
    "canonical",
    "default_secret_name",
    "desired_documents",
    "export_integrations",
    "is_credential_name",
    "load_documents",
    "load_id_map",
    "load_saved_plan",
    "map_ids",
    "masked",
    "plan",
]
