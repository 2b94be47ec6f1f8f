"""What configuration as code needs of a client: the calls it makes, as a :class:`typing.Protocol`.

:class:`sim_client.SimClient` fits it; so does any object with these members (a test double,
a wrapper that logs). Nothing here imports the client itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class IntegrationRecord(Protocol):
    """An integration as a client answers it: its id and its wire form."""

    @property
    def id(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


class IntegrationClient(Protocol):
    """The calls that export, plan and apply make, and the API root a plan is bound to."""

    @property
    def base_url(self) -> str: ...

    async def list_integrations(self) -> Sequence[IntegrationRecord]: ...

    async def get_integration(self, integration_id: str) -> IntegrationRecord: ...

    async def create_integration(self, details: Mapping[str, Any]) -> IntegrationRecord: ...

    async def update_integration(
        self, integration_id: str, details: Mapping[str, Any]
    ) -> IntegrationRecord: ...

    async def delete_integration(self, integration_id: str) -> None: ...
