"""Export: the tenant's integrations as desired-state documents."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._documents import DesiredStateError, Document, canonical
from ._secrets import SecretNamer, default_secret_name, hide_secrets

if TYPE_CHECKING:
    from sim_client.client import SimClient

logger = logging.getLogger("sim_client")


async def export_integrations(
    sim: SimClient, *, secret_name: SecretNamer | None = None
) -> list[Document]:
    """Every integration of the tenant as a document, sorted by name, secrets as placeholders.

    Documents are in canonical form (see :mod:`sim_client.desired`), so the same tenant exports
    the same documents run after run. Credential-like ``attributes`` members become
    ``${SIM_<NAME>_<MEMBER>}`` placeholders; ``secret_name(integration_name, member_path)``
    chooses other variable names. An integration without a usable name cannot be matched by a
    plan and is left out, with a WARNING naming its id.
    """
    namer = secret_name or default_secret_name
    documents: list[Document] = []
    for integration in await sim.list_integrations():
        wire = integration.to_dict()
        name = wire.get("name")
        if not isinstance(name, str) or not name.strip():
            logger.warning("export: integration %s has no usable name; left out", integration.id)
            continue
        try:
            documents.append(canonical(wire))
        except DesiredStateError:
            logger.warning("export: integration %s is nested too deeply; left out", integration.id)
    documents.sort(key=lambda document: str(document["name"]))
    taken: set[str] = set()
    for document in documents:
        attributes: Any = document.get("attributes")
        if isinstance(attributes, dict | list | str):
            document["attributes"] = hide_secrets(attributes, document["name"], namer, taken)
    return documents
