"""Test doubles for code that uses the SIM Integrations API.

:class:`FakeSimServer` is an in-memory, stateful fake of the service, with fault injection,
usable in-process (``fake.transport``) or over a loopback socket (``fake.serve()``). It needs
the ``testing`` extra: ``pip install 'sim-client[testing]'``.
"""

import sys

EXTRA_MODULES = ("jsonpatch", "starlette", "uvicorn")
"""What the ``testing`` extra installs."""

try:
    from ._fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN, FakeSimServer
    from ._faults import RecordedRequest
except ModuleNotFoundError as exc:  # pragma: no cover - depends on what is installed
    if exc.name not in EXTRA_MODULES:
        raise
    _missing = (
        f"sim_client.testing needs the testing extra ({exc.name} is missing): "
        "pip install 'sim-client[testing]'"
    )
    if sys.argv[:1] == ["-m"]:  # python -m sim_client.testing, being located
        raise SystemExit(f"error: {_missing}") from None
    raise ModuleNotFoundError(_missing, name=exc.name) from None

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN",
    "FakeSimServer",
    "RecordedRequest",
]
