"""A realistic SimClient session against the fake service over real loopback HTTP.

``python -m scripts.demo`` (or ``make demo``) starts :class:`FakeSimServer` on 127.0.0.1 and
runs the session with client credentials. Its second act serves a sample tenant with
``python -m sim_client.testing --sample`` and runs the ``sim-client`` command against it:
export to YAML, edit a field, plan (exit code 2), apply, plan again (exit code 0). ``--live``
instead lists the integrations of the tenant named by ``SAIL_BASE_URL`` (credentials from
``SAIL_CLIENT_ID``/``SAIL_CLIENT_SECRET`` or ``SAIL_ACCESS_TOKEN``), read-only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from sim_client import NotFoundError, RateLimit, SimClient, SimError, SimIntegration
from sim_client.testing import FakeSimServer

SOURCES = ("HR Active Directory", "Workday", "SAP ERP")


def text(value: object) -> str:
    """A field for a table: its text, or "-" when the service did not send one."""
    return value if isinstance(value, str) else "-"


def table(integrations: Sequence[SimIntegration]) -> str:
    """A plain-text table of integrations: id, name, type, description, rule."""
    rows = [("id", "name", "type", "description", "before-provisioning rule")]
    for item in integrations:
        rule = item.before_provisioning_rule
        rule_name = getattr(rule, "name", None)
        rows.append(
            (
                item.id[:8] + "…",
                text(item.name),
                text(item.type_),
                text(item.description),
                rule_name if isinstance(rule_name, str) else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def step(text: str) -> None:
    print(f"\n== {text}")


async def burst_session() -> int:
    """A burst far over the rate limit, against a fake that limits like the service (scaled
    down to 20 requests per 2 s so that the demo stays short): nothing fails."""
    limit = RateLimit(20, per=2.0)
    fake = FakeSimServer(rate_limit=limit)
    stored = fake.add_integration({"name": "ServiceNow - burst"})
    step(f"a burst of 60 concurrent calls; the service allows {limit.describe()}")
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(trust_env=False) as http,
        SimClient(
            base_url,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            http_client=http,
            rate_limit=limit,
        ) as sim,
    ):
        started = time.perf_counter()
        outcomes = await asyncio.gather(
            *(sim.get_integration(stored["id"]) for _ in range(60)), return_exceptions=True
        )
        elapsed = time.perf_counter() - started
    failed = sum(isinstance(outcome, BaseException) for outcome in outcomes)
    print(
        f"60 calls in {elapsed:.1f} s (the limit allows no less than 4.0 s): "
        f"{failed} failed, {fake.rate_limited} answered 429"
    )
    return 1 if failed else 0


async def fake_session() -> int:
    fake = FakeSimServer(expires_in=600)
    async with fake.serve() as base_url:
        print(f"fake SIM Integrations service listening on {base_url}")
        async with (
            httpx.AsyncClient(trust_env=False) as http,
            SimClient(
                base_url,
                client_id=fake.client_id,
                client_secret=fake.client_secret,
                http_client=http,
            ) as sim,
        ):
            step("create three integrations")
            created = [
                await sim.create_integration(
                    {
                        "name": f"ServiceNow - {source}",
                        "description": f"Tickets for {source} provisioning",
                        "type": "ServiceNowSDIM",
                        "attributes": {"instance": "acme.service-now.com", "queue": source},
                        "statusMap": {"closed_complete": "Committed", "closed_rejected": "Failed"},
                    }
                )
                for source in SOURCES
            ]
            for item in created:
                print(f"created {item.id}  {item.name}")

            step("list them")
            print(table(await sim.list_integrations()))

            step("patch a description (JSON Patch, application/json-patch+json)")
            first = await sim.patch_integration(
                created[0].id,
                [{"op": "replace", "path": "/description", "value": "HR AD, now with on-call"}],
            )
            print(f"{first.name}: {first.description!r}")

            step("patch the before-provisioning rule")
            ruled = await sim.patch_before_provisioning_rule(
                created[1].id,
                [
                    {"op": "add", "path": "/type", "value": "RULE"},
                    {"op": "add", "path": "/id", "value": "048eb3d55c5a4758bd07dccb87741c78"},
                    {"op": "add", "path": "/name", "value": "Disable becomes Modify"},
                ],
            )
            print(f"{ruled.name}: rule {getattr(ruled.before_provisioning_rule, 'name', None)!r}")

            step("upsert by name (exists -> PUT)")
            upserted = await sim.upsert_integration(
                {
                    "name": f"ServiceNow - {SOURCES[2]}",
                    "description": "Replaced by upsert",
                    "type": "ServiceNow",
                }
            )
            print(f"{upserted.name}: type {upserted.type_}, {upserted.description!r}")

            step("the service rate-limits the next call (429, Retry-After: 2)")
            fake.fail(429, retry_after="2", method="GET", path="/beta/")
            started = time.perf_counter()
            listed = await sim.list_integrations()
            print(
                f"listed {len(listed)} integrations after "
                f"{time.perf_counter() - started:.1f} s: the client waited and retried"
            )

            step("ask for an integration that does not exist")
            try:
                await sim.get_integration("00000000000000000000000000000000")
            except NotFoundError as error:
                print(
                    f"{type(error).__name__}: status {error.status_code}, "
                    f"tracking id {error.tracking_id}, messages {error.messages}"
                )

            step("the integrations before clean-up")
            print(table(await sim.list_integrations()))

            step("delete them all")
            for item in await sim.list_integrations():
                await sim.delete_integration(item.id)
            remaining = await sim.list_integrations()
            print(f"{len(remaining)} integrations left")

        step("summary")
        api_calls = [r for r in fake.requests if r.path.startswith("/beta/")]
        by_status: dict[int | None, int] = {}
        for record in api_calls:
            by_status[record.status] = by_status.get(record.status, 0) + 1
        print(
            f"requests to the API: {len(api_calls)}  "
            + "  ".join(
                f"{status}: {count}"
                for status, count in sorted(by_status.items(), key=lambda kv: kv[0] or 0)
            )
        )
        print(f"token requests: {fake.token_requests}")
    return 0 if not remaining else 1


def run_command(env: dict[str, str], folder: str, *args: str) -> int:
    """Run ``sim-client ARGS`` as a subprocess, showing the command line and its output."""
    print(f"$ sim-client {' '.join(args)}")
    script = Path(sys.executable).with_name("sim-client")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sim_client"]
    result = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=120,
        check=False,
    )
    for line in (result.stdout + result.stderr).splitlines():
        print(f"  {line}")
    print(f"  (exit code {result.returncode})")
    return result.returncode


def configuration_as_code() -> int:
    """The second act: the sim-client command against a served sample tenant."""
    step("act two: configuration as code with the sim-client command")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    server = subprocess.Popen(
        [sys.executable, "-m", "sim_client.testing", "--sample"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        for _ in range(3):
            name, _, value = server.stdout.readline().strip().partition("=")
            env[name] = value
        print(f"python -m sim_client.testing --sample is serving on {env['SAIL_BASE_URL']}")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "tenant.yaml"

            step("export the tenant to YAML (credentials become placeholders)")
            exported = run_command(env, folder, "export", "-o", path.name)
            for line in path.read_text().splitlines():
                print(f"  | {line}")

            step("edit a field, and give the placeholder its value from the environment")
            path.write_text(
                path.read_text().replace(
                    "Tickets for SAP ERP provisioning", "Tickets for SAP ERP and S/4HANA"
                )
            )
            print("description of ServiceNow - SAP -> 'Tickets for SAP ERP and S/4HANA'")
            # The sample tenant's well-known test password, kept out of the file.
            env["SIM_SERVICENOW_HR_PASSWORD"] = "s4mple-Passw0rd"  # noqa: S105
            print("SIM_SERVICENOW_HR_PASSWORD set in the environment")

            step("plan: the drift, and exit code 2")
            drift = run_command(env, folder, "plan", path.name)

            step("apply it")
            applied = run_command(env, folder, "apply", path.name, "--yes")

            step("plan again: nothing left to do, exit code 0")
            settled = run_command(env, folder, "plan", path.name)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    return 0 if (exported, drift, applied, settled) == (0, 2, 0, 0) else 1


async def live_session() -> int:
    async with SimClient.from_env() as sim:
        print(f"tenant: {sim.base_url}")
        print(table(await sim.list_integrations()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--live", action="store_true", help="list the real tenant's integrations (read-only)"
    )
    args = parser.parse_args(argv)
    # On stdout, so that the retry and rate-limit lines show in order with the session's own.
    logging.basicConfig(
        level=logging.WARNING, format="   [%(levelname)s %(name)s] %(message)s", stream=sys.stdout
    )
    logging.getLogger("sim_client").setLevel(logging.INFO)
    try:
        if args.live:
            return asyncio.run(live_session())
        return (
            asyncio.run(fake_session()) or asyncio.run(burst_session()) or configuration_as_code()
        )
    except (SimError, ValueError) as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
