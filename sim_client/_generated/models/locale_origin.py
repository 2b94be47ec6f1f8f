# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from enum import StrEnum


class LocaleOrigin(StrEnum):
    """How the locale was chosen (a string, or null)."""

    DEFAULT = "DEFAULT"
    REQUEST = "REQUEST"

    def __str__(self) -> str:
        return str(self.value)
