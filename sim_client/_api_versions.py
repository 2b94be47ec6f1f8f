"""The API versions ``SimClient`` can address: where each puts an operation, and its headers.

An :class:`~sim_client._generated.operations.Operation` names its collection
(``/sim-integrations``) and the path below it (``/{id}``); each version places that collection
under the tenant root in its own way (``/beta/sim-integrations``, ``/sim-integrations/v1``).
:meth:`ApiVersion.url` is the one place an operation becomes a URL. The versioned APIs are
experimental and want ``X-SailPoint-Experimental: true`` on every API request.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal
from urllib.parse import quote

from sim_client._generated.operations import Operation

__all__ = [
    "API_VERSIONS",
    "EXPERIMENTAL_HEADER",
    "ApiName",
    "ApiVersion",
    "api_version",
    "split_base_url",
]

ApiName = Literal["beta", "v2024", "v2025", "v2026", "v1"]

EXPERIMENTAL_HEADER = "X-SailPoint-Experimental"
"""The header every versioned API wants, with the value ``true``, on each API request."""

_EXPERIMENTAL_HEADERS: Mapping[str, str] = MappingProxyType({EXPERIMENTAL_HEADER: "true"})
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class ApiVersion:
    """One API version: its API root under the tenant root and its collection path."""

    name: str
    root: str
    """The API root relative to the tenant root, e.g. ``/beta`` or ``/sim-integrations/v1``."""
    collection: str
    """The path of the SIM Integrations collection relative to the tenant root."""
    experimental: bool
    """Whether every API request must carry ``X-SailPoint-Experimental: true``."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The headers every API request of this version carries (never the token request)."""
        return _EXPERIMENTAL_HEADERS if self.experimental else _NO_HEADERS

    def url(self, tenant_root: str, operation: Operation, params: Mapping[str, str]) -> str:
        """The URL of ``operation`` under ``tenant_root``, each path parameter percent-encoded
        (no ``/`` or ``..`` in a value can change which resource is addressed)."""
        path = operation.path
        if operation.path_params:
            path = path.format_map({name: _segment(params[name]) for name in params})
        return tenant_root + self.collection + path


API_VERSIONS: dict[str, ApiVersion] = {
    version.name: version
    for version in (
        ApiVersion("beta", "/beta", "/beta/sim-integrations", experimental=False),
        ApiVersion("v2024", "/v2024", "/v2024/sim-integrations", experimental=True),
        ApiVersion("v2025", "/v2025", "/v2025/sim-integrations", experimental=True),
        ApiVersion("v2026", "/v2026", "/v2026/sim-integrations", experimental=True),
        ApiVersion("v1", "/sim-integrations/v1", "/sim-integrations/v1", experimental=True),
    )
}
"""Every version ``SimClient(api=...)`` accepts, by name."""


def api_version(name: object) -> ApiVersion:
    """The version called ``name`` (any letter case); ValueError for an unknown one."""
    if not isinstance(name, str):
        raise TypeError(f"api must be a str, not {type(name).__name__}")
    try:
        return API_VERSIONS[name.strip().lower()]
    except KeyError:
        choices = ", ".join(repr(known) for known in API_VERSIONS)
        raise ValueError(f"unknown api {name!r}; use one of {choices}") from None


def split_base_url(base_url: str, version: ApiVersion) -> str:
    """The tenant root of ``base_url``, which may end in ``version``'s API root.

    A ``base_url`` that ends in the API root of another version is a ValueError: the client
    would otherwise address a version the caller did not ask for. So is one that ends in a
    collection path (``.../v2025/sim-integrations``): every path would be doubled.
    """
    path_start = base_url.find("/", base_url.index("://") + 3)  # an absolute URL (checked)
    if path_start < 0:
        return base_url  # no path at all (a host may be called "beta")
    path = base_url[path_start:]
    for other in API_VERSIONS.values():
        if other.collection != other.root and path.endswith(other.collection):
            tenant_root = base_url.removesuffix(other.collection)
            raise ValueError(
                f"base_url ends in the collection path {other.collection!r}; give the tenant "
                f"root {tenant_root!r} (or the API root {tenant_root + other.root!r})"
            )
    if path.endswith("/sim-integrations"):
        raise ValueError(
            "base_url ends in the collection path '/sim-integrations'; give the tenant root "
            f"{base_url.removesuffix('/sim-integrations')!r}"
        )
    for other in API_VERSIONS.values():
        if path.endswith(other.root):
            if other is not version:
                raise ValueError(
                    f"base_url ends in {other.root!r}, the root of api={other.name!r}, but "
                    f"api={version.name!r}; give the tenant root, or api={other.name!r}"
                )
            return base_url.removesuffix(other.root)
    return base_url


@functools.lru_cache(maxsize=1024)
def _segment(value: str) -> str:
    """``value`` percent-encoded as one path segment (remembered: a tenant has few ids)."""
    return quote(value, safe="")
