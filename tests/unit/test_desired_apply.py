"""apply(): orderly stops (a failing callback, cancellation), masked secrets, fresh targets."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from sim_client import SimClient
from sim_client.desired import (
    ApplyInterrupted,
    Outcome,
    StalePlanError,
    WrongTenantError,
    apply,
)
from sim_client.desired import plan as plan_for
from sim_client.testing import FakeSimServer

SECRET = "s3cr3t-Value/with+chars"
Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


def tenant(handler: Handler) -> SimClient:
    return SimClient(
        "http://127.0.0.1", token="static-token-0123", transport=httpx.MockTransport(handler)
    )


def created(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(201, json={"id": body["name"], **body})


def desired(count: int) -> list[dict[str, Any]]:
    return [{"name": f"n{i}", "attributes": {"password": "${SIM_P}"}} for i in range(count)]


async def test_a_failing_callback_stops_new_writes_waits_for_those_in_flight_and_raises() -> None:
    posts: list[str] = []
    second_started = asyncio.Event()
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[])
        name = json.loads(request.content)["name"]
        posts.append(name)
        if name == "n0":
            await second_started.wait()
        else:
            second_started.set()
            await release.wait()  # in flight when the callback fails
        return created(request)

    seen: list[str] = []

    def closed_pipe(outcome: Outcome) -> None:
        seen.append(outcome.action.name)
        release.set()
        raise BrokenPipeError("stdout is closed")

    async with tenant(handler) as sim:
        plan = await plan_for(sim, desired(6), secrets={"SIM_P": SECRET})
        with pytest.raises(BrokenPipeError):
            await apply(sim, plan, concurrency=2, on_outcome=closed_pipe)
    assert posts == ["n0", "n1"]  # no write started after the failure
    assert seen == ["n0"]  # never called again once it failed
    assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []


async def test_cancelling_apply_waits_for_writes_in_flight_and_counts_what_was_done() -> None:
    started: list[str] = []
    both_in_flight = asyncio.Event()
    release = asyncio.Event()
    finished: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[])
        name = json.loads(request.content)["name"]
        started.append(name)
        if len(started) == 2:
            both_in_flight.set()
        await release.wait()
        finished.append(name)
        return created(request)

    async with tenant(handler) as sim:
        plan = await plan_for(sim, desired(5), secrets={"SIM_P": SECRET})
        task = asyncio.create_task(apply(sim, plan, concurrency=2))
        await both_in_flight.wait()
        task.cancel()
        for _ in range(5):
            await asyncio.sleep(0)
        assert not task.done()  # waiting for the writes in flight
        release.set()
        with pytest.raises(ApplyInterrupted) as caught:
            await task
    interrupted = caught.value
    assert isinstance(interrupted, asyncio.CancelledError)
    assert started == finished == ["n0", "n1"]
    assert (interrupted.done, interrupted.not_started) == (2, 3)
    assert str(interrupted) == "interrupted: 2 done, 3 not started; plan again"
    statuses = [o.status for o in interrupted.result.outcomes]
    assert statuses == ["created", "created", "skipped", "skipped", "skipped"]


@pytest.mark.parametrize(
    "attributes",
    [{"password": "${SIM_P}"}, {"password": SECRET}, {"oauth": {"clientSecret": SECRET}}],
    ids=["placeholder", "literal", "nested-literal"],
)
async def test_a_secret_echoed_by_the_service_is_masked_in_every_output(
    attributes: dict[str, Any],
) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[])
        echoed = request.content.decode()
        return httpx.Response(
            400,
            json={
                "detailCode": "400.1 Bad Request Content",
                "trackingId": "t-1",
                "messages": [{"locale": "en-US", "text": f"cannot read {echoed}"}],
            },
        )

    async with tenant(handler) as sim:
        plan = await plan_for(
            sim, [{"name": "n0", "attributes": attributes}], secrets={"SIM_P": SECRET}
        )
        seen: list[Outcome] = []
        result = await apply(sim, plan, on_outcome=seen.append)
    (outcome,) = result.outcomes
    assert outcome.status == "failed"
    assert outcome.error is not None
    texts = [
        outcome.render(),
        json.dumps(outcome.to_dict()),
        result.to_json(),
        repr(outcome),
        repr(result),
        str(outcome.error),
        repr(outcome.error),
        json.dumps(getattr(outcome.error, "body", None)),
        json.dumps(getattr(outcome.error, "messages", None)),
        repr(seen),
    ]
    for text in texts:
        assert SECRET not in text, text
        assert "s3cr3t" not in text, text
    assert "cannot read" in outcome.render()


async def test_a_target_whose_content_changed_with_the_same_modified_is_stale() -> None:
    record = {"id": "1", "name": "A", "description": "old", "modified": "2024-01-01T00:00:00Z"}
    puts: list[bytes] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            puts.append(request.content)
            return httpx.Response(200, json=record)
        if request.url.path.endswith("/1"):
            return httpx.Response(200, json=record)
        return httpx.Response(200, json=[record])

    async with tenant(handler) as sim:
        plan = await plan_for(sim, [{"name": "A", "description": "new"}])
        record["description"] = "changed by someone else"  # modified left as it was
        result = await apply(sim, plan)
    (outcome,) = result.outcomes
    assert outcome.status == "failed"
    assert isinstance(outcome.error, StalePlanError)
    assert puts == []


async def test_a_plan_is_refused_on_another_tenant_before_any_request() -> None:
    fake = FakeSimServer()
    async with fake.client() as sim:
        plan = await plan_for(sim, [{"name": "A"}])
    other = FakeSimServer()
    for options in ({"base_url": "http://127.0.0.2"}, {"api": "v2025"}):
        async with other.client(**options) as elsewhere:
            other.requests.clear()
            with pytest.raises(
                WrongTenantError, match=re.escape("this plan was made for http://127.0.0.1/beta")
            ):
                await apply(elsewhere, plan)
            assert other.requests == []
    assert other.integrations == {}


async def test_an_unexpected_error_stops_new_writes_and_is_raised_once_all_ended() -> None:
    class Record:
        def __init__(self, name: str) -> None:
            self.id = name

        def to_dict(self) -> dict[str, Any]:
            return {"id": self.id}

    class Broken:
        base_url = "https://acme.example/beta"

        def __init__(self) -> None:
            self.creates: list[str] = []

        async def list_integrations(self) -> list[Record]:
            return []

        async def create_integration(self, details: dict[str, Any]) -> Record:
            self.creates.append(details["name"])
            await asyncio.sleep(0)  # the next write starts meanwhile
            if details["name"] == "n0":
                raise RuntimeError("a bug")
            return Record(details["name"])

    broken = Broken()
    plan = await plan_for(broken, [{"name": f"n{i}"} for i in range(5)])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="a bug"):
        await apply(broken, plan, concurrency=2)  # type: ignore[arg-type]
    assert broken.creates == ["n0", "n1"]
    assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []
