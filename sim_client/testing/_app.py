"""The fake service as an ASGI app: routing, request checks, token endpoint."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn
from urllib.parse import parse_qs, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ._auth import Credentials
from ._errors import ApiError, JsonObject, bad_request, default_text
from ._faults import TOKEN_PATH, raw_path
from ._rate_limit import FixedWindowLimiter
from ._records import with_explicit_nulls
from ._store import IntegrationStore

API_PREFIX = "/beta/sim-integrations"
# Every path family the service serves the collection at, and whether it is experimental.
API_PREFIXES = {
    API_PREFIX: False,
    "/v2024/sim-integrations": True,
    "/v2025/sim-integrations": True,
    "/v2026/sim-integrations": True,
    "/sim-integrations/v1": True,
}
EXPERIMENTAL_HEADER = "X-SailPoint-Experimental"
JSON = "application/json"
JSON_PATCH = "application/json-patch+json"
FORM = "application/x-www-form-urlencoded"
TENANT_ID = "3b3c8c4e-7f4e-4b8a-9d4e-2c5f0a1b6e7d"
DELETE_STATUSES = (200, 204)

logger = logging.getLogger(__name__)

Handler = Callable[["SimApp", Request, str], Awaitable[Response]]


class SimApp:
    """Serves the SIM Integrations operations under each prefix of :attr:`families`
    (``/beta/sim-integrations[...]``, ``/sim-integrations/v1[...]``, ...) and ``/oauth/token``,
    from one store.

    Routing works on the raw path, so an id with an encoded ``/`` stays one segment. Below a
    family's prefix, :data:`ROUTES` maps the path's shape to a handler per method. A request to
    an experimental family without ``X-SailPoint-Experimental: true`` is a 400. An answer that
    only a bug in the fake could cause is a recorded 500 ``ErrorResponseDto``.

    Args:
        explicit_nulls: answer ``null`` for every field of an integration that is not set.
        delete_status: the status of a successful DELETE, 204 or the documented 200.
        limiter: the rate limit per client, if any (checked once the token is good).
        notices: headers added to every answer of the API (not of ``/oauth/token``), such as
            the service's ``Deprecation``, ``Sunset`` or ``X-Deprecated``.
    """

    families: tuple[str, ...] = tuple(API_PREFIXES)
    """The path prefixes that serve the operations (an API version each)."""

    def __init__(
        self,
        store: IntegrationStore,
        credentials: Credentials,
        *,
        explicit_nulls: bool = False,
        delete_status: int = 204,
        limiter: FixedWindowLimiter | None = None,
        notices: Mapping[str, str] | None = None,
    ) -> None:
        if delete_status not in DELETE_STATUSES:
            raise ValueError("delete_status must be 200 or 204")
        self.store = store
        self.credentials = credentials
        self.limiter = limiter
        self.explicit_nulls = explicit_nulls
        self.delete_status = delete_status
        self.notices: dict[str, str] = dict(notices or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no lifespan or websocket support needed
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request, raw_path(scope))
        except ApiError as exc:
            response = JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
        except Exception as exc:
            # Only the kind of failure is logged: a message could quote a stored credential.
            logger.error("the fake failed on %s: %s", request.method, type(exc).__name__)
            response = JSONResponse(ApiError(500, default_text(500)).body(), status_code=500)
        if self.notices and raw_path(scope) != TOKEN_PATH:
            response.headers.update(self.notices)
        await response(scope, receive, send)

    async def _dispatch(self, request: Request, path: str) -> Response:
        method = request.method
        if path == TOKEN_PATH:
            _allow(method, "POST")
            return await self._token(request)
        family = next((f for f in self.families if path == f or path.startswith(f + "/")), None)
        if family is None:
            raise ApiError(404, f"No endpoint at {path}.")
        authorization = request.headers.get("authorization")
        refusal = self.credentials.check(authorization)
        if refusal is not None:
            return JSONResponse(
                {"error": refusal}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        if self.limiter is not None and authorization is not None:
            too_many = self.limiter.admit(self.credentials.client_of(authorization))
            if too_many is not None:
                return too_many
        if API_PREFIXES[family] and request.headers.get(EXPERIMENTAL_HEADER) != "true":
            raise bad_request(
                f"This API is experimental: send the header {EXPERIMENTAL_HEADER}: true."
            )
        segments = path[len(family) + 1 :].split("/") if path != family else []
        integration_id = unquote(segments[0]) if segments else ""
        shape = ("{id}", *segments[1:]) if segments and integration_id else tuple(segments)
        handlers = ROUTES.get(shape)
        if handlers is None:
            raise ApiError(404, f"No endpoint at {path}.")
        _allow(method, *handlers)
        return await handlers[method](self, request, integration_id)

    # --- the seven operations ---

    async def _list(self, request: Request, integration_id: str) -> Response:
        return JSONResponse([self.shown(item) for item in self.store.list()])

    async def _create(self, request: Request, integration_id: str) -> Response:
        return self._integration(self.store.create(await _json(request, JSON)))

    async def _get(self, request: Request, integration_id: str) -> Response:
        return self._integration(self.store.get(integration_id))

    async def _replace(self, request: Request, integration_id: str) -> Response:
        body = await _json(request, JSON)
        return self._integration(self.store.replace(integration_id, body))

    async def _patch(self, request: Request, integration_id: str) -> Response:
        operations = await _json(request, JSON_PATCH)
        return self._integration(self.store.patch(integration_id, operations))

    async def _delete(self, request: Request, integration_id: str) -> Response:
        self.store.delete(integration_id)
        return Response(status_code=self.delete_status)

    async def _patch_rule(self, request: Request, integration_id: str) -> Response:
        operations = await _json(request, JSON_PATCH)
        return self._integration(self.store.patch_rule(integration_id, operations))

    def _integration(self, item: JsonObject) -> Response:
        return JSONResponse(self.shown(item))

    def shown(self, item: JsonObject) -> JsonObject:
        """A stored integration as the fake answers it."""
        return with_explicit_nulls(item) if self.explicit_nulls else item

    async def _token(self, request: Request) -> Response:
        if _media_type(request) != FORM:
            return _oauth_error(400, "invalid_request", f"The body must be {FORM}.")
        try:
            form = parse_qs((await request.body()).decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            return _oauth_error(400, "invalid_request", "The body is not UTF-8.")
        grant_type = _single(form, "grant_type")
        client_id = _single(form, "client_id")
        client_secret = _single(form, "client_secret")
        if grant_type != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Use client_credentials.")
        if client_id is None or client_secret is None:
            return _oauth_error(400, "invalid_request", "client_id and client_secret are required.")
        token = self.credentials.issue(client_id, client_secret)
        if token is None:
            return _oauth_error(401, "invalid_client", "Bad credentials.")
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.credentials.expires_in,
                # what else the service's answer carries, which a client must ignore
                "scope": "sp:scopes:all",
                "tenant_id": TENANT_ID,
                "internal": True,
                "pod": "stg01-useast1",
                "strong_auth_supported": False,
                "org": "acme-sb",
                "claims_supported": False,
                "identity_id": None,
                "strong_auth": False,
                "jti": str(uuid.uuid4()),
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


ROUTES: dict[tuple[str, ...], dict[str, Handler]] = {
    (): {"GET": SimApp._list, "POST": SimApp._create},
    ("{id}",): {
        "GET": SimApp._get,
        "PUT": SimApp._replace,
        "PATCH": SimApp._patch,
        "DELETE": SimApp._delete,
    },
    ("{id}", "beforeProvisioningRule"): {"PATCH": SimApp._patch_rule},
}
"""The path below a family's prefix, by shape (``{id}`` for the integration id segment), and
the handler of each method allowed there."""


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise ApiError(
            405, f"Method {method} is not allowed here.", headers={"Allow": ", ".join(allowed)}
        )


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _json(request: Request, media_type: str) -> Any:
    """The request's JSON body, after checking its Content-Type is ``media_type``."""
    if _media_type(request) != media_type:
        raise bad_request(f"Content-Type must be {media_type}.")
    try:
        data = json.loads(await request.body(), parse_constant=_reject_constant)
        # What could not be answered later is refused now: a number too large for a float
        # (1e400) reads as infinity, an escaped lone surrogate as text UTF-8 cannot carry.
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode()
        return data
    except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        raise bad_request("The request body is not valid JSON.") from None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _single(form: dict[str, list[str]], key: str) -> str | None:
    values = form.get(key)
    return values[0] if values and len(values) == 1 else None


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
