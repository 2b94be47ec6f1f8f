"""``python -m sim_client.testing``: serve a fake SIM Integrations tenant on 127.0.0.1.

Prints ``SAIL_BASE_URL``, ``SAIL_CLIENT_ID`` and ``SAIL_CLIENT_SECRET`` lines on stdout
(``eval``-friendly; with ``--token``, ``SAIL_ACCESS_TOKEN`` instead of the client pair), then
blocks, serving, until Ctrl-C or SIGTERM. The credentials are random for each run: the fake
accepts no well-known ones. It limits each client as the service does (100 requests per 10 s;
``--rate-limit N/SECONDS`` or ``off``) and refuses request bodies over 1 MiB (413).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import signal
import sys
from collections.abc import Sequence

from sim_client.rate_limit import RateLimit
from sim_client.testing import FakeSimServer

SERVICE_LIMIT = "100/10"
MAX_BODY = 1024 * 1024

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


async def serve(*, sample: bool, rate_limit: RateLimit | None, port: int, token_only: bool) -> None:
    token = f"fake-{secrets.token_hex(24)}"
    client_id = f"fake-client-{secrets.token_hex(8)}"
    client_secret = secrets.token_urlsafe(32)
    fake = FakeSimServer(
        tokens=(token,),
        clients={client_id: client_secret},
        rate_limit=rate_limit,
        max_body=MAX_BODY,
    )
    if sample:
        for details in SAMPLE:
            fake.add_integration(details)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)
    async with fake.serve(port=port) as base_url:
        print(f"SAIL_BASE_URL={base_url}")
        if token_only:
            print(f"SAIL_ACCESS_TOKEN={token}", flush=True)
        else:
            print(f"SAIL_CLIENT_ID={client_id}")
            print(f"SAIL_CLIENT_SECRET={client_secret}", flush=True)
        limit = "no rate limit" if rate_limit is None else rate_limit.describe()
        print(f"serving a fake SIM Integrations tenant ({limit}); Ctrl-C stops it", file=sys.stderr)
        await stop.wait()


def rate_limit_option(text: str) -> RateLimit | None:
    """``N/SECONDS`` (e.g. ``100/10``) or ``off``."""
    if text.strip().lower() == "off":
        return None
    requests, slash, per = text.partition("/")
    try:
        if not slash:
            raise ValueError
        return RateLimit(int(requests), per=float(per))
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"expected N/SECONDS such as {SERVICE_LIMIT}, or off; got {text!r}"
        ) from None


def port_option(text: str) -> int:
    """A TCP port, 0 for a free one."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535; got {text!r}")
    return port


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim_client.testing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sample", action="store_true", help="start with example integrations")
    parser.add_argument(
        "--rate-limit",
        type=rate_limit_option,
        default=rate_limit_option(SERVICE_LIMIT),
        metavar="N/SECONDS",
        help=f"requests allowed per client and window, or off (default: {SERVICE_LIMIT}, "
        "the service's)",
    )
    parser.add_argument(
        "--port", type=port_option, default=0, help="the port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--token",
        action="store_true",
        help="print SAIL_ACCESS_TOKEN (a static bearer token) instead of the client id and secret",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                sample=args.sample,
                rate_limit=args.rate_limit,
                port=args.port,
                token_only=args.token,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
