"""Export: the tenant's integrations as desired-state documents."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from typing import Any

from ._documents import DesiredStateError, Document, canonical
from ._protocol import IntegrationClient
from ._secrets import SecretNamer, default_secret_name, hide_secrets

logger = logging.getLogger("sim_client")


async def export_integrations(
    sim: IntegrationClient, *, secret_name: SecretNamer | None = None
) -> list[Document]:
    """Every integration of the tenant as a document, sorted by name, secrets as placeholders.

    Documents are in canonical form (see :mod:`sim_client.desired`), so the same tenant exports
    the same documents run after run. Credential-like ``attributes`` members become
    ``${SIM_<NAME>_<MEMBER>}`` placeholders; ``secret_name(integration_name, member_path)``
    chooses other variable names. Names that two secrets would share get a short hash of the
    integration's id and member path as a suffix (see :mod:`sim_client.desired._secrets`). An
    integration without a usable name cannot be matched by a plan and is left out, with a
    WARNING naming its id.
    """
    namer = secret_name or default_secret_name
    found: list[tuple[str, Document]] = []
    for integration in await sim.list_integrations():
        wire = integration.to_dict()
        name = wire.get("name")
        if not isinstance(name, str) or not name.strip():
            logger.warning("export: integration %r has no usable name; left out", integration.id)
            continue
        try:
            found.append((integration.id, canonical(wire)))
        except DesiredStateError:
            logger.warning("export: integration %r is nested too deeply; left out", integration.id)
    found.sort(key=lambda item: str(item[1]["name"]))
    claims: defaultdict[str, set[tuple[str, tuple[str, ...]]]] = defaultdict(set)
    for integration_id, document in found:
        attributes: Any = document.get("attributes")

        def claim(member: tuple[str, ...], owner: str = integration_id, doc: Any = document) -> str:
            claims[namer(doc["name"], member)].add((owner, member))
            return "X"

        hide_secrets(attributes, claim)
    for integration_id, document in found:
        attributes = document.get("attributes")
        if not isinstance(attributes, dict | list | str):
            continue

        def name_for(
            member: tuple[str, ...], owner: str = integration_id, doc: Any = document
        ) -> str:
            name = namer(doc["name"], member)
            if len(claims[name]) == 1:
                return name
            return f"{name}_{_short_hash(owner, member)}"

        document["attributes"] = hide_secrets(attributes, name_for)
    return [document for _, document in found]


def _short_hash(integration_id: str, member: tuple[str, ...]) -> str:
    text = "\0".join((integration_id, *member))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6].upper()
