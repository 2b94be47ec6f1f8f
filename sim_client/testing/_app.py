"""The fake service as an ASGI app: routing, request checks, token endpoint."""

from __future__ import annotations

import json
from typing import Any, NoReturn
from urllib.parse import parse_qs, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ._auth import Credentials
from ._errors import ApiError, bad_request
from ._faults import TOKEN_PATH, raw_path
from ._store import IntegrationStore

API_PREFIX = "/beta/sim-integrations"
# Every path family the service serves the collection at, and whether it is experimental.
API_PREFIXES = {
    API_PREFIX: False,
    "/v2024/sim-integrations": True,
    "/v2025/sim-integrations": True,
    "/sim-integrations/v1": True,
}
EXPERIMENTAL_HEADER = "X-SailPoint-Experimental"
JSON = "application/json"
JSON_PATCH = "application/json-patch+json"
FORM = "application/x-www-form-urlencoded"


class SimApp:
    """Serves ``/oauth/token`` and the collection at every prefix of :data:`API_PREFIXES`
    (``/beta/sim-integrations[...]``, ``/sim-integrations/v1[...]``, ...) from one store.

    Routing works on the raw path, so an id with an encoded ``/`` stays one segment. A request
    to an experimental family without ``X-SailPoint-Experimental: true`` is a 400.
    """

    def __init__(self, store: IntegrationStore, credentials: Credentials) -> None:
        self.store = store
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no lifespan or websocket support needed
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request, raw_path(scope))
        except ApiError as exc:
            response = JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
        await response(scope, receive, send)

    async def _dispatch(self, request: Request, path: str) -> Response:
        method = request.method
        if path == TOKEN_PATH:
            _allow(method, "POST")
            return await self._token(request)
        prefix = _api_prefix(path)
        if prefix is None:
            raise ApiError(404, f"No endpoint at {path}.")
        refusal = self.credentials.check(request.headers.get("authorization"))
        if refusal is not None:
            return JSONResponse(
                {"error": refusal}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        if API_PREFIXES[prefix] and request.headers.get(EXPERIMENTAL_HEADER) != "true":
            raise bad_request(
                f"This API is experimental: send the header {EXPERIMENTAL_HEADER}: true."
            )
        rest = path[len(prefix) + 1 :].split("/") if path != prefix else []
        store = self.store
        if not rest:
            _allow(method, "GET", "POST")
            if method == "GET":
                return JSONResponse(store.list())
            return JSONResponse(store.create(await _json(request, JSON)))
        integration_id = unquote(rest[0])
        if len(rest) == 1 and integration_id:
            _allow(method, "GET", "PUT", "PATCH", "DELETE")
            if method == "GET":
                return JSONResponse(store.get(integration_id))
            if method == "PUT":
                return JSONResponse(store.replace(integration_id, await _json(request, JSON)))
            if method == "PATCH":
                return JSONResponse(store.patch(integration_id, await _json(request, JSON_PATCH)))
            store.delete(integration_id)
            return Response(status_code=204)
        if len(rest) == 2 and integration_id and rest[1] == "beforeProvisioningRule":
            _allow(method, "PATCH")
            operations = await _json(request, JSON_PATCH)
            return JSONResponse(store.patch_rule(integration_id, operations))
        raise ApiError(404, f"No endpoint at {path}.")

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
                "scope": "sp:scopes:all",
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


def _api_prefix(path: str) -> str | None:
    """The prefix of :data:`API_PREFIXES` that ``path`` is under, if any."""
    for prefix in API_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return None


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
        return json.loads(await request.body(), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
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
