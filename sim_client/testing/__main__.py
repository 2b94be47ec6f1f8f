"""``python -m sim_client.testing``: serve a fake tenant on loopback until interrupted.

Prints the ``SAIL_BASE_URL``, ``SAIL_CLIENT_ID`` and ``SAIL_CLIENT_SECRET`` lines a client
needs (``eval $(...)``-friendly, flushed at once), then serves until Ctrl-C or SIGTERM.
``--sample`` starts the tenant with a few example integrations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from sim_client.testing import FakeSimServer

SAMPLE = (
    {
        "name": "ServiceNow - HR",
        "description": "Tickets for HR provisioning",
        "type": "ServiceNowSDIM",
        "attributes": {
            "instance": "acme-dev.service-now.com",
            "username": "sailpoint-sim",
            "password": "s4mple-Passw0rd",
        },
        "statusMap": {"closed_complete": "Committed", "closed_rejected": "Failed"},
        "ownerRef": {"type": "IDENTITY", "id": "2c9180867624cbd7017642d8c8c81f67", "name": "Ada"},
        "clusterRef": {"type": "CLUSTER", "id": "2c9180887de347a7017de8859e8c5a90", "name": "VA"},
        "provisioningConfig": {
            "managedResourceRefs": [
                {"type": "SOURCE", "id": "2c9180835d191a86015d28455b4b232a", "name": "Workday"}
            ],
            "noProvisioningRequests": True,
        },
    },
    {
        "name": "ServiceNow - SAP",
        "description": "Tickets for SAP ERP provisioning",
        "type": "ServiceNowSDIM",
        "attributes": {"instance": "acme-dev.service-now.com", "queue": "SAP"},
    },
)


async def serve(sample: bool) -> None:
    fake = FakeSimServer()
    if sample:
        for details in SAMPLE:
            fake.add_integration(details)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)
    async with fake.serve() as base_url:
        print(f"SAIL_BASE_URL={base_url}")
        print(f"SAIL_CLIENT_ID={fake.client_id}")
        print(f"SAIL_CLIENT_SECRET={fake.client_secret}", flush=True)
        print("serving a fake SIM Integrations tenant; Ctrl-C stops it", file=sys.stderr)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim_client.testing", description=__doc__)
    parser.add_argument("--sample", action="store_true", help="start with example integrations")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.sample))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
