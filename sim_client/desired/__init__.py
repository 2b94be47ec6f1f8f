"""Configuration as code for SIM integrations: export, plan and apply desired-state documents.

>>> documents = await sim.export_integrations()          # or export_integrations(sim)
>>> plan = await sim.plan(documents, prune=True)        # what would change; print(plan)
>>> result = await sim.apply(plan)                      # each action's outcome

Documents are integrations in the wire's camelCase without the fields the service assigns;
credentials in ``attributes`` travel as ``${SIM_<NAME>_<MEMBER>}`` placeholders. The module
docstrings of ``_documents`` (canonical form, what ``null`` means, defaults) and ``_secrets``
(which members are credentials, placeholder syntax) state the rules. Everything here uses only
the public methods of :class:`sim_client.SimClient`.
"""

from ._apply import ApplyResult, Outcome, StalePlanError, apply
from ._documents import READ_ONLY_FIELDS, SERVICE_DEFAULTS, DesiredStateError, canonical, map_ids
from ._export import export_integrations
from ._files import load_documents, load_id_map
from ._plan import MISSING, Action, Change, DuplicateNameError, Plan, desired_documents, plan
from ._secrets import SENSITIVE, default_secret_name, is_credential_name, masked

__all__ = [
    "MISSING",
    "READ_ONLY_FIELDS",
    "SENSITIVE",
    "SERVICE_DEFAULTS",
    "Action",
    "ApplyResult",
    "Change",
    "DesiredStateError",
    "DuplicateNameError",
    "Outcome",
    "Plan",
    "StalePlanError",
    "apply",
    "canonical",
    "default_secret_name",
    "desired_documents",
    "export_integrations",
    "is_credential_name",
    "load_documents",
    "load_id_map",
    "map_ids",
    "masked",
    "plan",
]
