# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from enum import StrEnum


class ManagedResourceRefType(StrEnum):
    """The values of ManagedResourceRefType the fragment lists."""

    SOURCE = "SOURCE"

    def __str__(self) -> str:
        return str(self.value)
