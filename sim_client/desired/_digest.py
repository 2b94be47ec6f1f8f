"""Keyed digests of JSON values: how a plan remembers content without keeping it in clear."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


def digest(salt: str, value: Any) -> str:
    """HMAC-SHA256 of ``value``'s canonical JSON, keyed with ``salt`` (hex).

    The key is the plan's own random salt: equal records give equal digests within one plan,
    and a digest of a record holding a secret cannot be looked up in a precomputed table.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(bytes.fromhex(salt), text.encode("ascii"), hashlib.sha256).hexdigest()
