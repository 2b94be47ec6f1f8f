"""``SimClient``: the public face of the SIM Integrations API; each operation in one line.

A method checks its arguments (:mod:`sim_client._bodies`), builds the request of its row of
:mod:`sim_client._generated.operations` and hands it to :func:`sim_client._pipeline.send`,
which owns the life of the call; the plain methods return the raw answer's ``parse()``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from sim_client._api_versions import ApiName, api_version, split_base_url
from sim_client._bodies import Details, Operation, check_id, check_name, details_body, patch_body
from sim_client._clock import now, wait
from sim_client._generated import operations as ops
from sim_client._http import CookielessAsyncClient
from sim_client._pipeline import Connection, Options, send
from sim_client._responses import RawResponse
from sim_client._settings import (
    check_headers,
    check_max_rate_limit_wait,
    check_max_response_bytes,
    check_max_retries,
    check_timeout,
    check_url,
)
from sim_client._transfer import DEFAULT_MAX_RESPONSE_BYTES, Transfer, attempt_deadline
from sim_client._version import __version__
from sim_client.auth import ClientCredentialsAuth, make_auth
from sim_client.models import SimIntegration
from sim_client.rate_limit import RateLimit

if TYPE_CHECKING:
    from sim_client.desired import ApplyResult, Outcome, Plan

__all__ = ["DEFAULT_RATE_LIMIT", "DEFAULT_TIMEOUT", "RawResponseClient", "SimClient"]

DEFAULT_TIMEOUT = httpx.Timeout(30.0)
"""The timeout when none is given: 30 s for each of connect, write, pool and read."""
DEFAULT_RATE_LIMIT = RateLimit(100, per=10.0)
"""The service's documented limit: 100 requests per 10 s per client id."""
DEFAULT_MAX_RATE_LIMIT_WAIT = 120.0
"""How long one call may wait for the rate limit (slots and 429 pauses together), by default."""
# The default argument, told apart by identity from a timeout the caller passed.
_TIMEOUT_NOT_GIVEN = httpx.Timeout(30.0)


class SimClient:
    """Async client for the SIM Integrations API of one Identity Security Cloud tenant.

    Use it as ``async with SimClient(...) as sim:`` or call :meth:`aclose` when done. Give
    exactly one credential source: ``token``, or ``client_id`` and ``client_secret``. ``api``
    picks the API version: ``"beta"`` (default), ``"v2024"``, ``"v2025"``, ``"v2026"`` or
    ``"v1"``. ``rate_limit`` keeps the client within the service's limit (shared by every client
    of the process with the same tenant and credentials); ``None`` turns it off.
    """

    _connection: Connection
    _options: Options
    _strict: bool
    _view: bool

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        timeout: float | httpx.Timeout = _TIMEOUT_NOT_GIVEN,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        strict: bool = False,
        api: ApiName = "beta",
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT,
    ) -> None:
        version = api_version(api)
        tenant_root = split_base_url(check_url(base_url, "base_url").rstrip("/"), version)
        auth = make_auth(token, client_id, client_secret, token_url, tenant_root)
        retries = check_max_retries(max_retries)
        checked_timeout = check_timeout(timeout)
        limit = check_max_response_bytes(max_response_bytes)
        max_wait = check_max_rate_limit_wait(max_rate_limit_wait)
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise TypeError("rate_limit must be a RateLimit or None")
        if not isinstance(strict, bool):
            raise TypeError("strict must be a bool")
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError("http_client must be an httpx.AsyncClient")
        if http_client is not None and transport is not None:
            raise ValueError("give http_client or transport, not both")
        owns_http = http_client is None
        # An injected client's own timeout applies, unless a timeout was given or it has none.
        request_timeout: httpx.Timeout | None = None
        if http_client is None:
            http_client = CookielessAsyncClient(
                timeout=checked_timeout,
                transport=transport,
                headers={
                    "User-Agent": f"sim-client/{__version__} python-httpx/{httpx.__version__}",
                    "Accept": "application/json",
                },
            )
        elif timeout is not _TIMEOUT_NOT_GIVEN or None in http_client.timeout.as_dict().values():
            request_timeout = checked_timeout
        budget = None
        if rate_limit is not None:
            from sim_client._budget import budget_for, budget_key  # here: loads asyncio

            key = budget_key(tenant_root, auth.budget_identity())
            budget = budget_for(rate_limit, key, clock=now, sleep=wait)
        self._connection = Connection(
            http=http_client,
            auth=auth,
            api=version,
            tenant_root=tenant_root,
            budget=budget,
            owns_http=owns_http,
        )
        transfer = Transfer(
            http_client,
            request_timeout,
            attempt_deadline(request_timeout or http_client.timeout),
            limit,
            direct=transport if owns_http else None,
        )
        self._options = _options(transfer, self._connection, retries, max_wait, {})
        self._strict = strict
        self._view = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client from ``SAIL_BASE_URL`` and ``SAIL_CLIENT_ID`` + ``SAIL_CLIENT_SECRET`` or
        ``SAIL_ACCESS_TOKEN``, and ``SAIL_API`` if set (any letter case); ``options`` go to the
        constructor as they are (an ``api`` option wins over ``SAIL_API``)."""
        env = os.environ if environ is None else environ
        base_url = env.get("SAIL_BASE_URL", "").strip()
        if not base_url:
            raise ValueError("SAIL_BASE_URL is not set")
        client_id = env.get("SAIL_CLIENT_ID") or None
        client_secret = env.get("SAIL_CLIENT_SECRET") or None
        token = env.get("SAIL_ACCESS_TOKEN") or None
        if token and (client_id or client_secret):
            raise ValueError(
                "set either SAIL_ACCESS_TOKEN or SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, not both"
            )
        if not token and not (client_id and client_secret):
            raise ValueError(
                "set SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (or SAIL_ACCESS_TOKEN) for credentials"
            )
        if env.get("SAIL_API", "").strip():
            try:
                api_version(env["SAIL_API"])
            except ValueError as error:
                raise ValueError(f"SAIL_API: {error}") from None
            options.setdefault("api", env["SAIL_API"].strip().lower())
        return cls(
            base_url, token=token, client_id=client_id, client_secret=client_secret, **options
        )

    def __repr__(self) -> str:
        connection = self._connection
        credentials = isinstance(connection.auth, ClientCredentialsAuth)
        kind = "client_credentials" if credentials else "token"
        state = ", strict=True" * self._strict + ", closed" * connection.closed
        return (
            f"SimClient(base_url={self.base_url!r}, api={connection.api.name!r}, auth={kind}, "
            f"max_retries={self._options.max_retries}{state})"
        )

    @property
    def base_url(self) -> str:
        """The API root of the chosen ``api``, e.g. ``https://acme.api.identitynow.com/beta``."""
        return self._connection.tenant_root + self._connection.api.root

    @property
    def api(self) -> str:
        """The API version this client addresses (``"beta"``, ``"v2025"``, ...)."""
        return self._connection.api.name

    @property
    def strict(self) -> bool:
        """Whether answers that misfit the fragment raise ResponseDecodeError."""
        return self._strict

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` has been called (on this client or the one it is a view of)."""
        return self._connection.closed

    async def __aenter__(self) -> Self:
        self._connection.ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Refuse further calls, end calls waiting to retry, and close the HTTP client if this
        client created it. A view made by :meth:`with_options` has nothing to close."""
        if not self._view:
            await self._connection.close()

    # Views.

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_rate_limit_wait: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SimClient:
        """This client with other settings for the calls made through the result: the same
        connection pool, token and rate-limit budget; nothing to close. ``headers`` are added
        to every API request of the view (never to the token request)."""
        options = self._options
        transfer = options.transfer
        if timeout is not None:
            checked = check_timeout(timeout)
            transfer = dataclasses.replace(
                transfer, timeout=checked, deadline=attempt_deadline(checked)
            )
        merged = {**options.headers, **check_headers(headers)}
        view = object.__new__(SimClient)
        view._connection = self._connection
        view._strict = self._strict
        view._view = True
        view._options = _options(
            transfer,
            self._connection,
            options.max_retries if max_retries is None else check_max_retries(max_retries),
            options.max_rate_limit_wait
            if max_rate_limit_wait is None
            else check_max_rate_limit_wait(max_rate_limit_wait),
            merged,
        )
        return view

    @property
    def with_raw_response(self) -> RawResponseClient:
        """The operations returning the raw answer (:class:`~sim_client.RawResponse`):
        ``await sim.with_raw_response.get_integration(id)``."""
        return RawResponseClient(self)

    # The seven operations.

    async def list_integrations(self) -> list[SimIntegration]:
        """Every SIM integration of the tenant."""
        return (await self.with_raw_response.list_integrations()).parse()

    async def get_integration(self, integration_id: str) -> SimIntegration:
        """The integration with this id; :class:`~sim_client.NotFoundError` if there is none."""
        return (await self.with_raw_response.get_integration(integration_id)).parse()

    async def create_integration(self, details: Details) -> SimIntegration:
        """Create an integration; read-only fields in ``details`` are not sent."""
        return (await self.with_raw_response.create_integration(details)).parse()

    async def update_integration(self, integration_id: str, details: Details) -> SimIntegration:
        """Replace the integration with ``details`` (a full replacement, not a merge)."""
        return (await self.with_raw_response.update_integration(integration_id, details)).parse()

    async def patch_integration(
        self, integration_id: str, operations: Sequence[Operation]
    ) -> SimIntegration:
        """Apply RFC 6902 ``operations`` to the integration."""
        raw = await self.with_raw_response.patch_integration(integration_id, operations)
        return raw.parse()

    async def patch_before_provisioning_rule(
        self, integration_id: str, operations: Sequence[Operation]
    ) -> SimIntegration:
        """Apply RFC 6902 ``operations`` to the integration's before-provisioning rule."""
        raw = await self.with_raw_response.patch_before_provisioning_rule(
            integration_id, operations
        )
        return raw.parse()

    async def delete_integration(self, integration_id: str) -> None:
        """Delete the integration."""
        await self.with_raw_response.delete_integration(integration_id)

    # Conveniences.

    async def find_integration(self, name: str) -> SimIntegration | None:
        """The integration whose name is exactly ``name``, or None."""
        return (await self.with_raw_response.find_integration(name)).parse()

    async def upsert_integration(self, details: Details) -> SimIntegration:
        """Replace the integration named ``details``' name, or create it if there is none."""
        body = details_body(details)
        existing = await self.find_integration(body.name)
        if existing is None:
            return await self.create_integration(body)
        return await self.update_integration(existing.id, body)

    # Sending.

    async def _call(
        self, operation: ops.Operation, body: Any = None, **params: str
    ) -> RawResponse[Any]:
        """Send ``operation`` with ``body`` (a model or a list of models) and path ``params``."""
        connection = self._connection
        connection.ensure_open()
        options = self._options
        url = connection.api.url(connection.tenant_root, operation, params)
        content = None
        if body is not None:
            document = (
                [item.to_dict() for item in body] if isinstance(body, list) else body.to_dict()
            )
            content = json.dumps(
                document, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
        headers = options.request_headers[operation.content_type]
        try:
            request = options.transfer.request(operation.method, _url(url), headers, content)
        except httpx.InvalidURL as error:
            raise ValueError(f"the request URL is invalid: {error}") from None
        response = await send(connection, options, operation, request)
        return RawResponse(
            response, operation.response, strict=self._strict, secrets=connection.secrets()
        )

    # Configuration as code.

    async def export_integrations(
        self, *, secret_name: Callable[[str, tuple[str, ...]], str] | None = None
    ) -> list[dict[str, Any]]:
        """The tenant's integrations as desired-state documents, sorted by name, credentials
        as ``${SIM_<NAME>_<MEMBER>}`` placeholders (see :mod:`sim_client.desired`)."""
        from sim_client.desired import export_integrations

        return await export_integrations(self, secret_name=secret_name)

    async def plan(self, desired: object, **options: Any) -> Plan:
        """What it takes to bring the tenant to ``desired``: :func:`sim_client.desired.plan`,
        whose keyword arguments (``prune``, ``id_map``, ``secrets``, ``max_deletes``, ...)
        ``options`` are."""
        from sim_client.desired import plan

        return await plan(self, desired, **options)

    async def apply(
        self,
        plan: Plan,
        *,
        concurrency: int = 4,
        fail_fast: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> ApplyResult:
        """Carry out ``plan``, each action's outcome reported: :func:`sim_client.desired.apply`."""
        from sim_client.desired import apply

        return await apply(
            self, plan, concurrency=concurrency, fail_fast=fail_fast, on_outcome=on_outcome
        )


class RawResponseClient:
    """The operations of a :class:`SimClient`, each returning the raw answer
    (:class:`~sim_client.RawResponse`) instead of the model; errors are the same."""

    __slots__ = ("_client",)

    def __init__(self, client: SimClient) -> None:
        self._client = client

    async def list_integrations(self) -> RawResponse[list[SimIntegration]]:
        """``GET`` the collection."""
        return await self._client._call(ops.GET_SIM_INTEGRATIONS)

    async def get_integration(self, integration_id: str) -> RawResponse[SimIntegration]:
        """``GET`` one integration."""
        return await self._client._call(ops.GET_SIM_INTEGRATION, id=check_id(integration_id))

    async def create_integration(self, details: Details) -> RawResponse[SimIntegration]:
        """``POST`` a new integration."""
        return await self._client._call(ops.CREATE_SIM_INTEGRATION, details_body(details))

    async def update_integration(
        self, integration_id: str, details: Details
    ) -> RawResponse[SimIntegration]:
        """``PUT`` a full replacement."""
        body, id_ = details_body(details), check_id(integration_id)
        return await self._client._call(ops.PUT_SIM_INTEGRATION, body, id=id_)

    async def patch_integration(
        self, integration_id: str, operations: Sequence[Operation]
    ) -> RawResponse[SimIntegration]:
        """``PATCH`` the integration with RFC 6902 operations."""
        body, id_ = patch_body(operations), check_id(integration_id)
        return await self._client._call(ops.PATCH_SIM_ATTRIBUTES, body, id=id_)

    async def patch_before_provisioning_rule(
        self, integration_id: str, operations: Sequence[Operation]
    ) -> RawResponse[SimIntegration]:
        """``PATCH`` the integration's before-provisioning rule."""
        body, id_ = patch_body(operations), check_id(integration_id)
        return await self._client._call(ops.PATCH_BEFORE_PROVISIONING_RULE, body, id=id_)

    async def delete_integration(self, integration_id: str) -> RawResponse[None]:
        """``DELETE`` the integration."""
        return await self._client._call(ops.DELETE_SIM_INTEGRATION, id=check_id(integration_id))

    async def find_integration(self, name: str) -> RawResponse[SimIntegration | None]:
        """The list answer; ``parse()`` gives the integration named exactly ``name``, or None."""
        check_name(name)
        raw = await self.list_integrations()
        return raw._map(lambda found: next((i for i in found if i.name == name), None))


@functools.lru_cache(maxsize=512)
def _url(text: str) -> httpx.URL:
    """``text`` parsed, remembered: a tenant has few integrations, and httpx parses a URL
    character by character (about 15 us)."""
    return httpx.URL(text)


def _options(
    transfer: Transfer,
    connection: Connection,
    max_retries: int,
    max_rate_limit_wait: float,
    headers: Mapping[str, str],
) -> Options:
    url, api_headers = httpx.URL(connection.tenant_root), connection.api.headers
    by_type = {
        kind: transfer.headers(url, {**api_headers, **headers}, kind)
        for kind in {operation.content_type for operation in ops.OPERATIONS.values()}
    }
    return Options(transfer, max_retries, max_rate_limit_wait, headers, by_type)
