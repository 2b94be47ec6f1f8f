"""Checks of the client's settings (URLs, timeouts, limits, credentials), made at construction."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping

import httpx

_HEADER_SAFE = re.compile(r"[!-~]+")
_HEADER_VALUE = re.compile(r"[ -~]*")
# Headers a view may not set: the token's, and those that describe the request's own body.
_OWN_HEADERS = frozenset({"authorization", "host", "content-length", "content-type"})


def check_url(url: object, what: str) -> str:
    """``url`` if it is https, or http to a loopback host; ValueError otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"{what} must be a non-empty URL string")
    text = url.strip()
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as error:
        raise ValueError(f"{what} is not a valid URL: {error}") from None
    if not parsed.host:
        raise ValueError(f"{what} must be an absolute URL with a host")
    # Even an empty "?" or "#" would swallow every path appended to the URL.
    if "?" in text or "#" in text:
        raise ValueError(f"{what} must not carry a query or fragment")
    if parsed.userinfo:
        raise ValueError(f"{what} must not carry a user name or password")
    if parsed.scheme == "https" or (parsed.scheme == "http" and _is_loopback(parsed.host)):
        return str(parsed)
    raise ValueError(f"{what} must use https (plain http is allowed for loopback hosts only)")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # httpx gives an IPv6 host unbracketed
    except ValueError:
        return False


def check_timeout(timeout: object) -> httpx.Timeout:
    """``timeout`` as an ``httpx.Timeout``: a positive number of seconds or one already."""
    if isinstance(timeout, httpx.Timeout):
        phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if not all(phase is None or _seconds(phase) is not None for phase in phases):
            raise ValueError("each phase of an httpx.Timeout must be None or finite seconds > 0")
        return timeout
    seconds = _seconds(timeout)
    if seconds is None:
        raise ValueError("timeout must be a positive number of seconds or an httpx.Timeout")
    return httpx.Timeout(seconds)


def _seconds(value: object) -> float | None:
    """``value`` as a positive, finite number of seconds, else None (an infinite timeout
    overflows where aiohttp rounds it to an integer; a zero one means "none" to aiohttp)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def check_max_response_bytes(limit: object) -> int:
    """``max_response_bytes``: a positive integer."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("max_response_bytes must be a positive integer")
    return limit


def check_credential(value: object, what: str) -> str:
    """A credential: a non-empty string of visible ASCII (it travels in a header or form)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str")
    if not is_header_safe(value):
        raise ValueError(f"{what} must be a non-empty string of visible ASCII characters")
    return value


def is_header_safe(value: str) -> bool:
    """Whether ``value`` is a non-empty run of visible ASCII, safe in a header or a form."""
    return _HEADER_SAFE.fullmatch(value) is not None


def check_max_retries(max_retries: object) -> int:
    """``max_retries``: an integer >= 0."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError("max_retries must be an integer >= 0")
    return max_retries


def check_max_rate_limit_wait(seconds: object) -> float:
    """``max_rate_limit_wait``: finite seconds >= 0."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError("max_rate_limit_wait must be a number of seconds")
    try:
        value = float(seconds)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value) or value < 0:
        raise ValueError("max_rate_limit_wait must be finite seconds >= 0")
    return value


def check_headers(headers: object) -> dict[str, str]:
    """Extra headers of a view: visible ASCII names, values of visible ASCII and spaces, none
    of the client's own (``Authorization``, ``Host``, those of the body)."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise TypeError("headers must be a mapping of header names to values")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("headers must map str to str")
        if not is_header_safe(name) or not _HEADER_VALUE.fullmatch(value):
            raise ValueError(
                "header names must be visible ASCII, and values visible ASCII and spaces"
            )
        if name.lower() in _OWN_HEADERS:
            raise ValueError(f"the {name} header is the client's own; it cannot be set")
    return dict(headers)
