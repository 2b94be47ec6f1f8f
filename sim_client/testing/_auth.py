"""Bearer tokens and OAuth2 client credentials the fake accepts."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterable, Mapping

MISSING = "JWT validation failed: JWT is missing"
INVALID = "JWT validation failed: JWT is invalid"
EXPIRED = "JWT validation failed: JWT is expired"


class Credentials:
    """Static tokens, client-credential pairs and the tokens issued for them.

    Issued tokens expire ``expires_in`` seconds after they were issued; static tokens never do.
    No method returns or formats a secret, so nothing here can leak one into a log.
    """

    def __init__(
        self, tokens: Iterable[str], clients: Mapping[str, str], *, expires_in: int
    ) -> None:
        self.static_tokens: list[str] = list(tokens)
        self.clients: dict[str, str] = dict(clients)
        self.expires_in = expires_in
        self._issued: dict[str, float] = {}  # token -> time.monotonic() deadline
        self._owners: dict[str, str] = {}  # issued token -> client id

    def __repr__(self) -> str:
        return (
            f"<Credentials {len(self.static_tokens)} static token(s), "
            f"{len(self.clients)} client(s), {len(self._issued)} issued token(s)>"
        )

    def issue(self, client_id: str, client_secret: str) -> str | None:
        """A new token for a known client-credential pair, or None."""
        expected = self.clients.get(client_id)
        if expected is None or not secrets.compare_digest(
            expected.encode(), client_secret.encode()
        ):
            return None
        token = f"fake-{secrets.token_hex(24)}"
        self._issued[token] = time.monotonic() + self.expires_in
        self._owners[token] = client_id
        return token

    def client_of(self, authorization: str) -> str:
        """Whose request a good ``Authorization`` value makes: the client id its token was
        issued to, or the static token itself."""
        token = authorization.partition(" ")[2].strip()
        owner = self._owners.get(token)
        return f"client:{owner}" if owner is not None else f"token:{token}"

    def check(self, authorization: str | None) -> str | None:
        """Why an ``Authorization`` header value is refused, or None when it is good."""
        if not authorization:
            return MISSING
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return INVALID
        if token in self.static_tokens:
            return None
        deadline = self._issued.get(token)
        if deadline is None:
            return INVALID
        if time.monotonic() >= deadline:
            return EXPIRED
        return None

    def expire_issued(self) -> None:
        """Let every token issued so far expire now."""
        self._issued = dict.fromkeys(self._issued, -math.inf)
