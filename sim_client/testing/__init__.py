"""Test doubles for code that uses the SIM Integrations API.

:class:`FakeSimServer` is an in-memory, stateful fake of the service, with fault injection,
usable in-process (``fake.transport``) or over a loopback socket (``fake.serve()``). It needs
the ``testing`` extra: ``pip install 'sim-client[testing]'``.
"""

from ._fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN, FakeSimServer
from ._faults import RecordedRequest

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN",
    "FakeSimServer",
    "RecordedRequest",
]
