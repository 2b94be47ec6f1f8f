"""What the service announces besides the answer: deprecation and sunset notices.

An answer with ``X-Deprecated``, ``Deprecation`` or ``Sunset`` headers is reported once per
operation and API version per process: a :class:`SimDeprecationWarning` through
:func:`warnings.warn` and one WARNING record on the ``sim_client`` logger. Nothing is printed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import warnings

import httpx

from sim_client._masking import MAX_TEXT, excerpt, redact

__all__ = ["SimDeprecationWarning", "notice_deprecation"]

logger = logging.getLogger("sim_client")

_NOTICES = frozenset({b"x-deprecated", b"deprecation", b"sunset"})
_reported: set[tuple[str, str]] = set()
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_lock = threading.Lock()


class SimDeprecationWarning(UserWarning):
    """The service announced that an operation of an API version is deprecated or will end."""


def notice_deprecation(
    response: httpx.Response, operation: str, api: str, secrets: tuple[str, ...] = ()
) -> None:
    """Report the deprecation headers of ``response`` unless this operation and API version
    have been reported already in this process (``secrets`` masked in what is quoted)."""
    if not any(name.lower() in _NOTICES for name, _ in response.headers.raw):
        return
    with _lock:
        if (operation, api) in _reported:
            return
        _reported.add((operation, api))
    headers = response.headers
    said = []
    for name in ("X-Deprecated", "Deprecation", "Sunset"):
        value = headers.get(name)
        if value is not None:
            said.append(f"{name}: {excerpt(redact(value.strip(), secrets), MAX_TEXT // 4)}")
    sunset = headers.get("Sunset")
    when = f"; it ends on {excerpt(redact(sunset.strip(), secrets), 100)}" if sunset else ""
    message = (
        f"the service marks {operation} of API {api} as deprecated{when} "
        f"({', '.join(said)}); see the API's release notes for its replacement"
    )
    logger.warning("%s", message)
    # Attributed to the first line outside this package, the caller's, which a warnings
    # filter can then match by module.
    frame, level = sys._getframe(), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, SimDeprecationWarning, stacklevel=level)
