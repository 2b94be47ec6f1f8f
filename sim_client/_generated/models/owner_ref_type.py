# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from enum import StrEnum


class OwnerRefType(StrEnum):
    """The values of OwnerRefType the fragment lists."""

    IDENTITY = "IDENTITY"

    def __str__(self) -> str:
        return str(self.value)
