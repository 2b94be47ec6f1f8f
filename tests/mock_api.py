"""A scripted ``httpx.MockTransport`` for unit tests: records requests, answers from a queue."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import httpx

from sim_client import SimClient

BASE_URL = "https://acme.api.identitynow.com"
TOKEN = "static-token-1f2e3d"
CLIENT_ID = "client-id-4b5a"
CLIENT_SECRET = "client-secret-9c8d7e"
ISSUED_TOKEN = "issued-token-6a5b4c"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def integration(**fields: Any) -> dict[str, Any]:
    """A complete response DTO, as the service sends it."""
    document: dict[str, Any] = {
        "id": "2c9180835d2e5168015d32f890ca1581",
        "name": "aName",
        "description": "Integration description",
        "type": "ServiceNowSDIM",
        "created": "2023-01-03T21:16:22.432Z",
        "modified": "2023-01-03T21:16:22.432Z",
        "ownerRef": {
            "type": "IDENTITY",
            "id": "2c9180a46faadee4016fb4e018c20639",
            "name": "Support",
        },
        "clusterRef": {"type": "CLUSTER", "id": "2c9180847a7fccdd017aa5896f9f4f6f", "name": "VA"},
        "cluster": "xyzzy999",
        "managedSources": ["2c9180835d191a86015d28455b4a2329"],
        "provisioningConfig": {
            "universalManager": False,
            "managedResourceRefs": [
                {"type": "SOURCE", "id": "2c9180855d191c59015d291ceb051111", "name": "My Source 1"}
            ],
            "planInitializerScript": {"source": "<Rule name='Example'/>"},
            "noProvisioningRequests": True,
            "provisioningRequestExpiration": 7,
        },
        "attributes": {"instance": "acme.service-now.com", "password": "sn-password"},
        "beforeProvisioningRule": {"type": "RULE", "id": "048eb3d5", "name": "Before Rule"},
        "unknownField": {"kept": True},
    }
    document.update(fields)
    return document


def crc_broken_bomb(size: int) -> bytes:
    """``size`` zero bytes gzipped, the CRC at the end wrong: inflating all of it fails there."""
    bomb = bytearray(gzip.compress(b"\0" * size, compresslevel=9))
    bomb[-8] ^= 0xFF
    return bytes(bomb)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class MockAPI:
    """Answers each request with the next queued answer (or the default), and records it."""

    def __init__(self, default: Answer | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.queue: list[Answer] = []
        self.default = default if default is not None else json_response(200, integration())
        self.token_answer: Answer = json_response(
            200, {"access_token": ISSUED_TOKEN, "token_type": "bearer", "expires_in": 3600}
        )
        self.transport = httpx.MockTransport(self._handle)

    def answer(self, *answers: Answer) -> None:
        self.queue.extend(answers)

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/oauth/token"]

    @property
    def token_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == "/oauth/token"]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        # A snapshot: a replayed request is the same object with new headers.
        self.requests.append(
            httpx.Request(
                request.method, request.url, headers=request.headers.copy(), content=request.content
            )
        )
        if request.url.path == "/oauth/token":
            chosen = self.token_answer
        else:
            chosen = self.queue.pop(0) if self.queue else self.default
        if isinstance(chosen, Exception):
            raise chosen
        if callable(chosen) and not isinstance(chosen, httpx.Response):
            return chosen(request)
        # Unread, as a real transport answers: whoever needs the body must read it.
        stream = httpx.ByteStream(chosen.content)
        return httpx.Response(chosen.status_code, headers=chosen.headers, stream=stream)

    def client(self, **options: Any) -> SimClient:
        """A SimClient on this transport (a static token unless credentials are given)."""
        if "client_id" not in options and "token" not in options:
            options["token"] = TOKEN
        return SimClient(
            options.pop("base_url", BASE_URL),
            http_client=httpx.AsyncClient(transport=self.transport),
            **options,
        )
