# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from enum import StrEnum


class SourceClusterRefType(StrEnum):
    """The values of SourceClusterRefType the fragment lists."""

    CLUSTER = "CLUSTER"

    def __str__(self) -> str:
        return str(self.value)
