"""``SimClient``: the async facade over the generated SIM Integrations layer.

Each operation checks its arguments, asks the generated endpoint module for the request
(method, path with the id percent-encoded, body, content type), sends it through one
``httpx.AsyncClient`` under the retry policy and the token flow, maps a non-2xx answer to a
typed error and decodes a 2xx body into the generated model. The generated ``asyncio_detailed``
functions are not used for sending: they decode error bodies eagerly and would raise a raw
``JSONDecodeError`` on a non-JSON error page.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from sim_client import __version__
from sim_client._api_versions import ApiName, api_version, split_base_url
from sim_client._arguments import (
    Details,
    Operation,
    check_id,
    check_max_response_bytes,
    check_name,
    check_timeout,
    check_url,
    details_body,
    patch_body,
)
from sim_client._generated.api.sim_integrations import (
    create_sim_integration,
    delete_sim_integration,
    get_sim_integration,
    get_sim_integrations,
    patch_before_provisioning_rule,
    patch_sim_attributes,
    put_sim_integration,
)
from sim_client._http import CookielessAsyncClient
from sim_client._reading import strict_reading
from sim_client._retry import RetryPolicy
from sim_client._transfer import DEFAULT_MAX_RESPONSE_BYTES, Transfer, attempt_deadline, exchange
from sim_client.auth import ClientCredentialsAuth, make_auth
from sim_client.errors import (
    APIStatusError,
    ClientClosedError,
    ResponseDecodeError,
    SimError,
    describe_request,
    make_status_error,
    redact,
)
from sim_client.models import SimIntegration

if TYPE_CHECKING:
    from sim_client.desired import ApplyResult, Outcome, Plan

__all__ = ["DEFAULT_TIMEOUT", "SimClient"]

logger = logging.getLogger("sim_client")

#: The timeout when none is given: 30 s for each of connect, write, pool and read.
DEFAULT_TIMEOUT = httpx.Timeout(30.0)
# The default argument, told apart by identity from a timeout the caller passed.
_TIMEOUT_NOT_GIVEN = httpx.Timeout(30.0)
_DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
T = TypeVar("T")


class SimClient:
    """Async client for the SIM Integrations API of one Identity Security Cloud tenant.

    Use it as ``async with SimClient(...) as sim:`` or call :meth:`aclose` when done. Give
    exactly one credential source: ``token``, or ``client_id`` and ``client_secret``. ``api``
    picks the API version: ``"beta"`` (default), ``"v2024"``, ``"v2025"`` or ``"v1"``.
    """

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
    ) -> None:
        self._api = api_version(api)
        root = check_url(base_url, "base_url").rstrip("/")
        tenant_root = split_base_url(root, self._api)
        self._tenant_root = tenant_root
        self._api_root = tenant_root + self._api.root
        self._auth = make_auth(token, client_id, client_secret, token_url, tenant_root)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError("max_retries must be an integer >= 0")
        checked_timeout = check_timeout(timeout)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError("http_client must be an httpx.AsyncClient")
        if http_client is not None and transport is not None:
            raise ValueError("give http_client or transport, not both")
        self._owns_http = http_client is None
        # A per-request timeout only where the client's own must be overridden: an injected
        # client given an explicit timeout, or one without any. Otherwise the client's applies.
        self._timeout: httpx.Timeout | None = None
        if http_client is None:
            http_client = CookielessAsyncClient(
                timeout=checked_timeout,
                transport=transport,
                headers={
                    "User-Agent": f"sim-client/{__version__} python-httpx/{httpx.__version__}",
                    "Accept": "application/json",
                },
            )
        elif timeout is not _TIMEOUT_NOT_GIVEN or _unbounded(http_client.timeout):
            self._timeout = checked_timeout
        self._http = http_client
        self._transfer = Transfer(
            http_client,
            self._timeout,
            attempt_deadline(self._timeout or http_client.timeout),
            check_max_response_bytes(max_response_bytes),
        )
        self._retry = RetryPolicy(max_retries, logger=logger)
        if not isinstance(strict, bool):
            raise TypeError("strict must be a bool")
        self._strict = strict
        self._closed = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client from ``SAIL_BASE_URL`` and ``SAIL_CLIENT_ID`` + ``SAIL_CLIENT_SECRET`` or
        ``SAIL_ACCESS_TOKEN``, and ``SAIL_API`` if set; ``options`` go to the constructor as
        they are (an ``api`` option wins over ``SAIL_API``)."""
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
            options.setdefault("api", env["SAIL_API"].strip())
        return cls(
            base_url, token=token, client_id=client_id, client_secret=client_secret, **options
        )

    def __repr__(self) -> str:
        kind = "client_credentials" if isinstance(self._auth, ClientCredentialsAuth) else "token"
        state = (", strict=True" if self._strict else "") + (", closed" if self._closed else "")
        return (
            f"SimClient(base_url={self._api_root!r}, api={self._api.name!r}, auth={kind}, "
            f"max_retries={self._retry.max_retries}{state})"
        )

    @property
    def base_url(self) -> str:
        """The API root of the chosen ``api``, e.g. ``https://acme.api.identitynow.com/beta``."""
        return self._api_root

    @property
    def strict(self) -> bool:
        """Whether answers that misfit the fragment raise ResponseDecodeError."""
        return self._strict

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` has been called."""
        return self._closed

    async def __aenter__(self) -> Self:
        self._ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Refuse further calls and close the HTTP client if this client created it."""
        if self._closed:
            return
        self._closed = True
        self._retry.wake()  # a call waiting to retry ends now, not after its Retry-After
        if self._owns_http:
            await self._http.aclose()

    # The seven operations.

    async def list_integrations(self) -> list[SimIntegration]:
        """Every SIM integration of the tenant."""
        return await self._call(get_sim_integrations._get_kwargs(), self._decode_list)

    async def get_integration(self, integration_id: str) -> SimIntegration:
        """The integration with this id; :class:`~sim_client.NotFoundError` if there is none."""
        request = get_sim_integration._get_kwargs(id=check_id(integration_id))
        return await self._call(request, self._decode_one)

    async def create_integration(self, details: Details) -> SimIntegration:
        """Create an integration; read-only fields in ``details`` are not sent."""
        request = create_sim_integration._get_kwargs(body=details_body(details))
        return await self._call(request, self._decode_one)

    async def update_integration(self, integration_id: str, details: Details) -> SimIntegration:
        """Replace the integration with ``details`` (a full replacement, not a merge)."""
        request = put_sim_integration._get_kwargs(
            id=check_id(integration_id), body=details_body(details)
        )
        return await self._call(request, self._decode_one)

    async def patch_integration(
        self, integration_id: str, operations: Sequence[Operation]
    ) -> SimIntegration:
        """Apply RFC 6902 ``operations`` to the integration."""
        request = patch_sim_attributes._get_kwargs(
            id=check_id(integration_id), body=patch_body(operations)
        )
        return await self._call(request, self._decode_one)

    async def patch_before_provisioning_rule(
        self, integration_id: str, operations: Sequence[Operation]
    ) -> SimIntegration:
        """Apply RFC 6902 ``operations`` to the integration's before-provisioning rule."""
        request = patch_before_provisioning_rule._get_kwargs(
            id=check_id(integration_id), body=patch_body(operations)
        )
        return await self._call(request, self._decode_one)

    async def delete_integration(self, integration_id: str) -> None:
        """Delete the integration."""
        request = delete_sim_integration._get_kwargs(id=check_id(integration_id))
        await self._call(request, _decode_nothing)

    # Conveniences.

    async def find_integration(self, name: str) -> SimIntegration | None:
        """The integration whose name is exactly ``name``, or None."""
        check_name(name)
        for integration in await self.list_integrations():
            if integration.name == name:
                return integration
        return None

    async def upsert_integration(self, details: Details) -> SimIntegration:
        """Replace the integration named ``details``' name, or create it if there is none."""
        body = details_body(details)
        existing = await self.find_integration(body.name)
        if existing is None:
            return await self.create_integration(body)
        return await self.update_integration(existing.id, body)

    # Reading answers.

    def _decode_one(self, response: httpx.Response) -> SimIntegration:
        return decode_integration(response, strict=self._strict)

    def _decode_list(self, response: httpx.Response) -> list[SimIntegration]:
        return decode_integrations(response, strict=self._strict)

    # Sending.

    def _ensure_open(self) -> None:
        if self._closed:
            raise ClientClosedError("this SimClient is closed; create a new one")

    async def _call(self, prepared: dict[str, Any], decode: Callable[[httpx.Response], T]) -> T:
        """Send a request prepared by a generated ``_get_kwargs`` and decode its answer."""
        self._ensure_open()
        try:
            request = self._http.build_request(
                prepared["method"].upper(),
                _url(self._tenant_root + self._api.path(prepared["url"])),
                json=prepared.get("json"),
                timeout=self._timeout if self._timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.InvalidURL as error:
            raise ValueError(f"the request URL is invalid: {error}") from None
        # Our headers win over the client's, as they would passed to build_request, but
        # setting them on the built request skips httpx's copy-and-merge of every header.
        headers = request.headers
        headers["Accept"] = "application/json"
        for name, value in prepared.get("headers", {}).items():
            headers[name] = value
        headers.update(self._api.headers)  # per request: the token request must not carry it
        response = await self._retry.run(
            request.method,
            lambda attempt: self._send(request, attempt),
            describe=lambda: describe_request(request),
        )
        try:
            return decode(response)
        except ResponseDecodeError as error:
            error.hide(self._auth.secrets())
            raise

    async def _send(self, request: httpx.Request, attempt: int) -> httpx.Response:
        """One attempt: the answer if it is 2xx, else the typed error for it."""
        self._ensure_open()
        started = time.perf_counter()
        try:
            response = await self._exchange(request)
        except SimError as error:
            self._log_attempt(request, attempt, started, error)
            raise
        self._log_attempt(request, attempt, started, response)
        return response

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` with a bearer token, replaying it once after a 401 if the token
        source says so; a 2xx answer, else the typed error for it."""
        auth = self._auth
        try:
            for replay in (False, True):
                try:
                    token = await auth.bearer(self._transfer)
                except SimError as error:
                    # Nothing of this request took effect: the retry policy may repeat it.
                    error._api_request_unsent = True
                    raise
                request.headers["Authorization"] = f"Bearer {token}"
                secrets = (token, *auth.secrets())
                response = await exchange(self._transfer, request, secrets=secrets)
                if response.status_code != 401 or replay or not auth.refused(token):
                    break
        except RuntimeError as error:
            if self._closed or self._http.is_closed:
                raise ClientClosedError("the HTTP client was closed during the call") from error
            raise
        if not response.is_success:
            raise make_status_error(response, secrets=secrets)
        return response

    @staticmethod
    def _log_attempt(
        request: httpx.Request,
        attempt: int,
        started: float,
        outcome: httpx.Response | SimError,
    ) -> None:
        """DEBUG: method, path, status (or error class), elapsed ms, attempt, tracking id."""
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if isinstance(outcome, httpx.Response):
            result, tracking_id = str(outcome.status_code), None
        elif isinstance(outcome, APIStatusError):
            result, tracking_id = str(outcome.status_code), outcome.tracking_id
        else:
            result, tracking_id = type(outcome).__name__, None
        logger.debug(
            "%s -> %s in %.1f ms (attempt %d)%s",
            describe_request(request),
            result,
            (time.perf_counter() - started) * 1000,
            attempt,
            f" tracking id {redact(tracking_id)}" if tracking_id else "",
        )

    # Configuration as code.

    async def export_integrations(
        self, *, secret_name: Callable[[str, tuple[str, ...]], str] | None = None
    ) -> list[dict[str, Any]]:
        """The tenant's integrations as desired-state documents, sorted by name, credentials
        as ``${SIM_<NAME>_<MEMBER>}`` placeholders (see :mod:`sim_client.desired`)."""
        from sim_client.desired import export_integrations

        return await export_integrations(self, secret_name=secret_name)

    async def plan(
        self,
        desired: object,
        *,
        prune: bool = False,
        id_map: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> Plan:
        """What it takes to bring the tenant to ``desired``: :func:`sim_client.desired.plan`."""
        from sim_client.desired import plan

        return await plan(self, desired, prune=prune, id_map=id_map, secrets=secrets)

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


@functools.lru_cache(maxsize=512)
def _url(text: str) -> httpx.URL:
    """``text`` parsed, remembered: a tenant has few integrations, and httpx parses a URL
    character by character (about 15 us)."""
    return httpx.URL(text)


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as error:
        raise _decode_error(response, "the body is not JSON", error) from error


def decode_integration(response: httpx.Response, *, strict: bool) -> SimIntegration:
    """One integration from a 2xx answer (see "Reading answers" in the README)."""
    data = _json(response)
    try:
        with strict_reading(strict):
            return SimIntegration.from_dict(data)
    except _DECODE_ERRORS as error:
        raise _decode_error(response, "the body is not a SimIntegration", error) from error


def decode_integrations(response: httpx.Response, *, strict: bool) -> list[SimIntegration]:
    """The integrations of a 2xx list answer; an item that cannot be one names its index."""
    data = _json(response)
    if not isinstance(data, list):
        raise _decode_error(response, "the body is not a JSON array", None)
    try:
        with strict_reading(strict):
            return [SimIntegration.from_dict(item) for item in data]
    except _DECODE_ERRORS:
        pass
    # Only on failure: find the first item that does not decode, to name it.
    with strict_reading(strict):
        for index, item in enumerate(data):
            try:
                SimIntegration.from_dict(item)
            except _DECODE_ERRORS as error:
                problem = f"item {index} is not a SimIntegration"
                raise _decode_error(response, problem, error) from error
    raise _decode_error(response, "an item is not a SimIntegration", None)  # pragma: no cover


def _decode_nothing(response: httpx.Response) -> None:
    return None


def _decode_error(
    response: httpx.Response, problem: str, error: BaseException | None
) -> ResponseDecodeError:
    detail = f" ({type(error).__name__}: {error})" if error is not None else ""
    return ResponseDecodeError(
        f"{describe_request(response.request)} -> {response.status_code}: {problem}{detail}",
        response=response,
    )


def _unbounded(timeout: httpx.Timeout) -> bool:
    """Whether ``timeout`` leaves any phase of a request without a limit."""
    return None in (timeout.connect, timeout.read, timeout.write, timeout.pool)
