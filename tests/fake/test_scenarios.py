"""SimClient against the stateful fake, in-process and over a real loopback socket (one suite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from sim_client import (
    APIConnectionError,
    BadRequestError,
    NotFoundError,
    SimClient,
    SimIntegration,
)
from sim_client.testing import FakeSimServer
from tests.loopback_helpers import TRANSPORTS, make_transport


@pytest.fixture
def fake() -> FakeSimServer:
    return FakeSimServer()


@pytest.fixture(
    params=[
        "in-process",
        *(pytest.param(f"loopback-{name}", marks=pytest.mark.loopback) for name in TRANSPORTS),
    ]
)
async def sim(
    request: pytest.FixtureRequest, fake: FakeSimServer, strict_reading: bool
) -> AsyncIterator[SimClient]:
    """A client-credentials SimClient on the fake, in-process or over loopback on a transport."""
    if request.param == "in-process":
        async with fake.client(strict=strict_reading) as client:
            yield client
        return
    transport = make_transport(request.param.removeprefix("loopback-"))
    async with (
        fake.serve() as base_url,
        SimClient(
            base_url,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            http_client=httpx.AsyncClient(trust_env=False, transport=transport),
            strict=strict_reading,
        ) as client,
    ):
        yield client


def handled(fake: FakeSimServer, method: str) -> list[int | None]:
    """The statuses of the fake's logged ``method`` requests to the integrations."""
    return [r.status for r in fake.requests if r.method == method and "/oauth/" not in r.path]


async def test_create_get_patch_put_delete(sim: SimClient, fake: FakeSimServer) -> None:
    created = await sim.create_integration(
        {"name": "ServiceNow", "description": "first", "attributes": {"instance": "acme"}}
    )
    assert len(created.id) == 32
    assert created.created == created.modified
    assert (await sim.get_integration(created.id)).to_dict() == created.to_dict()

    patched = await sim.patch_integration(
        created.id, [{"op": "replace", "path": "/description", "value": "second"}]
    )
    assert patched.description == "second"
    assert patched.modified >= created.modified  # type: ignore[operator]

    ruled = await sim.patch_before_provisioning_rule(
        created.id,
        [
            {"op": "add", "path": "/name", "value": "Rule"},
            {"op": "add", "path": "/id", "value": "r"},
        ],
    )
    assert ruled.before_provisioning_rule.to_dict() == {"name": "Rule", "id": "r"}  # type: ignore[union-attr]

    replaced = await sim.update_integration(
        created.id, {"name": "ServiceNow", "type": "ServiceNow"}
    )
    assert replaced.type_ == "ServiceNow"
    assert replaced.description == ""  # a full replacement: the old description is gone
    assert replaced.id == created.id

    assert [i.id for i in await sim.list_integrations()] == [created.id]
    await sim.delete_integration(created.id)
    assert await sim.list_integrations() == []
    with pytest.raises(NotFoundError) as raised:
        await sim.get_integration(created.id)
    assert raised.value.tracking_id
    assert fake.integrations == {}


async def test_names_are_unique(sim: SimClient) -> None:
    await sim.create_integration({"name": "dup"})
    with pytest.raises(BadRequestError) as raised:
        await sim.create_integration({"name": "dup"})
    assert raised.value.messages
    assert raised.value.tracking_id
    assert len(await sim.list_integrations()) == 1


async def test_a_failed_patch_changes_nothing(sim: SimClient) -> None:
    created = await sim.create_integration({"name": "n", "description": "keep"})
    with pytest.raises(BadRequestError):
        await sim.patch_integration(
            created.id,
            [
                {"op": "replace", "path": "/description", "value": "lost"},
                {"op": "test", "path": "/name", "value": "not the name"},
            ],
        )
    assert (await sim.get_integration(created.id)).description == "keep"


async def test_find_and_upsert(sim: SimClient) -> None:
    assert await sim.find_integration("target") is None
    first = await sim.upsert_integration({"name": "target", "description": "v1"})
    second = await sim.upsert_integration({"name": "target", "description": "v2"})
    assert second.id == first.id
    found = await sim.find_integration("target")
    assert found is not None
    assert found.description == "v2"
    assert len(await sim.list_integrations()) == 1


async def test_ids_cannot_escape_their_path_segment(sim: SimClient) -> None:
    created = await sim.create_integration({"name": "n"})
    for sneaky in (f"../sim-integrations/{created.id}", f"{created.id}/beforeProvisioningRule"):
        with pytest.raises(NotFoundError):
            await sim.get_integration(sneaky)


async def test_a_queued_429_is_retried(
    sim: SimClient, fake: FakeSimServer, waits: list[float]
) -> None:
    fake.fail(429, retry_after="1", method="POST", path="/beta/")
    created = await sim.create_integration({"name": "after-429"})
    assert isinstance(created, SimIntegration)
    assert waits == [1.0]
    assert handled(fake, "POST") == [429, 200]


async def test_a_dropped_post_is_not_replayed(
    sim: SimClient, fake: FakeSimServer, waits: list[float]
) -> None:
    fake.drop(method="POST", path="/beta/", handled=True)
    with pytest.raises(APIConnectionError):
        await sim.create_integration({"name": "maybe"})
    assert handled(fake, "POST") == [None]
    assert [i["name"] for i in fake.integrations.values()] == ["maybe"]
    assert waits == []


async def test_a_dropped_get_is_retried(
    sim: SimClient, fake: FakeSimServer, waits: list[float]
) -> None:
    fake.drop(method="GET")
    assert await sim.list_integrations() == []
    assert handled(fake, "GET") == [None, 200]
    assert len(waits) == 1


async def test_many_concurrent_calls_share_one_token(sim: SimClient, fake: FakeSimServer) -> None:
    results = await asyncio.gather(*(sim.list_integrations() for _ in range(50)))
    assert all(result == [] for result in results)
    assert fake.token_requests == 1


async def test_an_expired_token_is_replaced_after_a_401(
    sim: SimClient, fake: FakeSimServer
) -> None:
    await sim.list_integrations()
    fake.expire_tokens()
    assert await sim.list_integrations() == []
    assert fake.token_requests == 2
    assert handled(fake, "GET") == [200, 401, 200]
