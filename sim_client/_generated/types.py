# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
"""Contains some shared types for properties"""

from collections.abc import Mapping
from typing import IO, Literal


class Unset:
    """The type of :data:`UNSET`: a field the answer did not carry, or carried in a shape the
    model does not read (its raw value is then in ``additional_properties``)."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()
"""The value of a model field that is not set; false in a boolean context."""

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


__all__ = ["UNSET", "FileTypes", "RequestFiles", "Unset"]
