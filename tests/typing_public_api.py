"""Checked by mypy (not run): the public API used the way the README shows, fully typed."""

from __future__ import annotations

from typing import assert_type

import httpx

from sim_client import (
    APIStatusError,
    JsonPatchOperation,
    JsonPatchOperationOp,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    SimClient,
    SimIntegration,
    SimIntegrationDetails,
)


async def uses_the_public_api() -> None:
    async with SimClient(
        "https://acme.api.identitynow.com",
        client_id="id",
        client_secret="secret",
        timeout=httpx.Timeout(10.0),
        max_retries=3,
        http_client=httpx.AsyncClient(),
    ) as sim:
        assert_type(await sim.list_integrations(), list[SimIntegration])
        created = await sim.create_integration(SimIntegrationDetails(name="n"))
        assert_type(created, SimIntegration)
        assert_type(created.id, str)
        assert_type(await sim.get_integration(created.id), SimIntegration)
        assert_type(await sim.update_integration(created.id, {"name": "n2"}), SimIntegration)
        ops = [JsonPatchOperation(op=JsonPatchOperationOp.REPLACE, path="/description", value="d")]
        assert_type(await sim.patch_integration(created.id, ops), SimIntegration)
        rule_ops = [{"op": "replace", "path": "/name", "value": "Rule"}]
        assert_type(await sim.patch_before_provisioning_rule(created.id, rule_ops), SimIntegration)
        assert_type(await sim.find_integration("n2"), SimIntegration | None)
        assert_type(await sim.upsert_integration({"name": "n3"}), SimIntegration)
        assert_type(await sim.delete_integration(created.id), None)
    try:
        await SimClient.from_env().get_integration("x")
    except NotFoundError as error:
        assert_type(error.status_code, int)
        assert_type(error.tracking_id, str | None)
        assert_type(error.messages, list[str])
    except RateLimitError as error:
        assert_type(error.retry_after, float | None)
    except ResponseDecodeError as error:
        assert_type(error.body, str)
    except APIStatusError as error:
        assert_type(error.response, httpx.Response)
