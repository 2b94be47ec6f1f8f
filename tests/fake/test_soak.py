"""A seeded soak: 1,000 mixed calls with about 20 % injected faults, over a loopback socket.

The whole run is planned in advance from ``random.Random(SEED)``: for each call, its
operation, the integration it works on, the faults its requests meet and, from the retry
rules of the contract (API.md), the outcome it must have and whether it changes anything.
The run then has to match the plan exactly: outcome class of every call, the content of every
returned integration, every request the server logged, the number of retries, the server's
final state.

Faults must reach the call they were planned for, whatever the interleaving. The fake matches
a fault by method and path prefix, first queued first served, so:

- each of the 16 tasks owns its own integrations and works on them one call at a time, so a
  fault scoped to ``METHOD /beta/sim-integrations/{id}`` can only meet that task's call;
- a fault on the collection path (``GET`` or ``POST /beta/sim-integrations``), which any
  call could meet, is queued and consumed while that call runs alone (an asyncio
  readers-writer gate: calls share it, such a call takes it exclusively);
- a call is given only the faults it consumes, so none is left over for the next one.

It prints its figures (calls, faults by kind, retries, outcomes) in every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from sim_client import SimClient, SimError, SimIntegration
from sim_client.testing import FakeSimServer
from tests.loopback_helpers import (
    close_and_check,
    make_transport,
    no_proxies,
    open_connections,
    pooled_connections,
    port_of,
)

SEED = 20_261_127
CALLS = 1_000
WORKERS = 16
SLOTS_PER_WORKER = 3
FAULT_RATE = 0.2  # share of calls whose requests meet faults
MAX_RETRIES = 2
TIME_LIMIT = 60.0
API = "/beta/sim-integrations"

Kind = Literal["429", "502", "503", "504", "drop", "drop-handled", "delay", "malformed"]
Op = Literal["list", "get", "create", "update", "patch", "patch_rule", "delete", "find", "upsert"]
Target = Literal["collection", "item", "rule"]

KIND_WEIGHTS: dict[Kind, int] = {
    "429": 20,
    "502": 7,
    "503": 12,
    "504": 7,
    "drop": 15,
    "drop-handled": 10,
    "delay": 12,
    "malformed": 17,
}
ALL_KINDS: tuple[Kind, ...] = tuple(KIND_WEIGHTS)
# The faults a request of each method may meet. Left out: an answer lost after a POST or
# PATCH took effect (not replayed, so the test could not know the state either), after a
# DELETE took effect (the replay answers 404; tests/loopback/test_faults_loopback.py pins
# that), and a malformed body for a DELETE (whose body is never read).
NO_LOST_ANSWER = tuple(k for k in ALL_KINDS if k != "drop-handled")
ALLOWED: dict[str, tuple[Kind, ...]] = {
    "GET": ALL_KINDS,
    "PUT": ALL_KINDS,
    "POST": NO_LOST_ANSWER,
    "PATCH": NO_LOST_ANSWER,
    "DELETE": tuple(k for k in NO_LOST_ANSWER if k != "malformed"),
}
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})
ERROR_OF: dict[Kind, str] = {
    "429": "RateLimitError",
    "502": "ServerError",
    "503": "ServerError",
    "504": "ServerError",
    "drop": "APIConnectionError",
    "drop-handled": "APIConnectionError",
    "malformed": "ResponseDecodeError",
}
# The status the fake logs for an attempt that meets a fault (None: no answer).
LOGGED_STATUS: dict[Kind, int | None] = {
    "429": 429,
    "502": 502,
    "503": 503,
    "504": 504,
    "drop": None,
    "drop-handled": None,
    "malformed": 200,
}
_WRONG_TYPES = {"id": 5, "name": "n", "description": "", "type": "t", "attributes": {}}
MALFORMED_ONE: tuple[bytes, ...] = (
    b'{"id": "0123", "name": "cut sh',
    b"<html><body>Bad Gateway</body></html>",
    b"",
    json.dumps(_WRONG_TYPES).encode(),
)
MALFORMED_LIST: tuple[bytes, ...] = (
    b'[{"id": "0123", "na',
    b'{"items": []}',
    json.dumps([_WRONG_TYPES]).encode(),
)
OPS_ON_LIVE: dict[Op, int] = {
    "list": 8,
    "get": 20,
    "update": 12,
    "patch": 12,
    "patch_rule": 8,
    "delete": 6,
    "find": 10,
    "upsert": 10,
}
OPS_ON_GONE: dict[Op, int] = {"create": 45, "upsert": 30, "get": 10, "find": 10, "list": 5}
WRITES = frozenset({"create", "update", "patch", "patch_rule", "delete", "upsert"})
PROJECTED = ("id", "name", "description", "attributes", "beforeProvisioningRule")


# --- the plan ---


@dataclass(frozen=True)
class Fault:
    kind: Kind
    retry_after: str | None = None
    seconds: float = 0.0
    body: bytes = b""


@dataclass(frozen=True)
class Request:
    """One logical request of a call (with its retries), the faults it meets, how it ends."""

    method: str
    target: Target
    faults: tuple[Fault, ...]
    error: str | None  # the error class it ends in, None when it is served
    applied: bool  # whether the server carried it out at least once
    retries: int
    statuses: tuple[int | None, ...]  # what the fake logs for each attempt
    retry_after_waits: tuple[float, ...]  # the Retry-After values waited for


@dataclass(frozen=True)
class Call:
    index: int
    worker: int
    op: Op
    slot: int
    name: str  # the name it creates, finds or upserts (the slot's name otherwise)
    on_live: bool  # whether the slot's integration exists when the call starts
    requests: tuple[Request, ...]  # the requests it gets to send
    expected: str  # its outcome: a result type name or an error class name
    baseline: str  # its outcome without faults
    applies: bool  # whether it changes the slot's integration

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(f for r in self.requests for f in r.faults)

    @property
    def exclusive(self) -> bool:
        """Whether a fault of it sits on the collection path, which any call could meet."""
        return any(r.faults and r.target == "collection" for r in self.requests)

    @property
    def idempotent(self) -> bool:
        return all(r.method in IDEMPOTENT for r in self.requests)

    @property
    def within_budget(self) -> bool:
        """Every fault it meets is one the client retries, and no more of them than it may."""
        return all(r.error is None for r in self.requests) and not any(
            f.kind == "malformed" for f in self.faults
        )


def slot_name(worker: int, slot: int, generation: int) -> str:
    return f"soak-w{worker:02d}-s{slot}-g{generation}"


def shape(op: Op, live: bool) -> list[tuple[str, Target]]:
    """The requests an operation sends, in order."""
    if op in ("list", "find"):
        return [("GET", "collection")]
    if op == "upsert":
        return [("GET", "collection"), ("PUT", "item") if live else ("POST", "collection")]
    single: dict[Op, list[tuple[str, Target]]] = {
        "get": [("GET", "item")],
        "create": [("POST", "collection")],
        "update": [("PUT", "item")],
        "patch": [("PATCH", "item")],
        "patch_rule": [("PATCH", "rule")],
        "delete": [("DELETE", "item")],
    }
    return single[op]


def baseline_outcome(op: Op, live: bool) -> str:
    if op == "list":
        return "list"
    if op == "delete":
        return "None"
    if op == "find":
        return "SimIntegration" if live else "None"
    if op == "get":
        return "SimIntegration" if live else "NotFoundError"
    return "SimIntegration"


def simulate(method: str, target: Target, faults: Sequence[Fault], normal: int) -> Request:
    """How a request meeting ``faults`` in turn ends under the contract's retry rules.

    Only the faults it actually meets are kept: the rest would outlive the call.
    """
    met: list[Fault] = []
    statuses: list[int | None] = []
    waits: list[float] = []
    applied = False
    retries = 0
    refusals = 0  # 429s in a row
    for fault in faults:
        met.append(fault)
        if fault.kind == "delay":  # served, only later
            statuses.append(normal)
            return Request(method, target, tuple(met), None, True, retries, (*statuses,), (*waits,))
        statuses.append(LOGGED_STATUS[fault.kind])
        applied = applied or fault.kind == "drop-handled"
        if fault.kind == "429":  # waited for, never counted against max_retries
            refusals += 1
            if fault.retry_after is not None and refusals == 1:  # later ones back off
                waits.append(float(fault.retry_after))
            continue
        refusals = 0
        retryable = fault.kind != "malformed" and method in IDEMPOTENT
        if not retryable or retries == MAX_RETRIES:
            error = ERROR_OF[fault.kind]
            return Request(
                method, target, tuple(met), error, applied, retries, (*statuses,), (*waits,)
            )
        retries += 1
        if fault.retry_after is not None:
            waits.append(float(fault.retry_after))
    statuses.append(normal)
    return Request(method, target, tuple(met), None, True, retries, (*statuses,), (*waits,))


def draw_faults(rng: random.Random, method: str, target: Target) -> tuple[Fault, ...]:
    allowed = ALLOWED[method]
    count = rng.choices((1, 2, 3), weights=(60, 25, 15))[0]
    kinds = rng.choices(allowed, weights=[KIND_WEIGHTS[k] for k in allowed], k=count)
    faults = []
    for kind in kinds:
        if kind == "429":
            faults.append(Fault(kind, retry_after=rng.choice(("0", "0.01", None))))
        elif kind == "delay":
            faults.append(Fault(kind, seconds=rng.choice((0.005, 0.01, 0.02, 0.05))))
        elif kind == "malformed":
            bodies = MALFORMED_LIST if (method, target) == ("GET", "collection") else MALFORMED_ONE
            faults.append(Fault(kind, body=rng.choice(bodies)))
        else:
            faults.append(Fault(kind))
    return tuple(faults)


def make_plan(seed: int = SEED) -> list[Call]:
    """Every call of the soak, in order, with the outcome each must have."""
    rng = random.Random(seed)
    live = [[True] * SLOTS_PER_WORKER for _ in range(WORKERS)]
    generation = [[0] * SLOTS_PER_WORKER for _ in range(WORKERS)]
    calls = []
    for index in range(CALLS):
        worker = index % WORKERS
        slot = rng.randrange(SLOTS_PER_WORKER)
        on_live = live[worker][slot]
        weights = OPS_ON_LIVE if on_live else OPS_ON_GONE
        op = rng.choices(list(weights), weights=list(weights.values()))[0]
        if op == "create" or (op == "upsert" and not on_live):
            generation[worker][slot] += 1  # every name is sent in one call only
        name = slot_name(worker, slot, generation[worker][slot])
        steps = shape(op, on_live)
        faulted = rng.randrange(len(steps)) if rng.random() < FAULT_RATE else None
        requests: list[Request] = []
        for number, (method, target) in enumerate(steps):
            faults = draw_faults(rng, method, target) if number == faulted else ()
            if method == "DELETE":
                normal = 204
            elif (method, target, on_live) == ("GET", "item", False):
                normal = 404  # a get by the id of a deleted integration
            else:
                normal = 200
            request = simulate(method, target, faults, normal)
            requests.append(request)
            if request.error is not None:
                break
        last = requests[-1]
        applies = op in WRITES and len(requests) == len(steps) and last.applied
        if applies:
            live[worker][slot] = op != "delete"
        baseline = baseline_outcome(op, on_live)
        expected = last.error or baseline
        calls.append(
            Call(index, worker, op, slot, name, on_live, (*requests,), expected, baseline, applies)
        )
    return calls


# --- running it ---


@dataclass
class Slot:
    """What one integration owned by a task must look like on the server."""

    id: str
    name: str
    state: dict[str, Any] | None  # the projected fields without the id; None when deleted

    def expected(self) -> dict[str, Any]:
        assert self.state is not None
        return {"id": self.id, **self.state}


@dataclass
class Outcome:
    name: str
    error: BaseException | None = None


@dataclass
class Run:
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    content_errors: list[str] = field(default_factory=list)
    peak_in_flight: int = 0
    in_flight: int = 0


class Gate:
    """A readers-writer gate for asyncio: many shared holders, or one exclusive holder.

    A waiting exclusive holder keeps new shared holders out, so it cannot starve.
    """

    def __init__(self) -> None:
        self._condition = asyncio.Condition()
        self._shared = 0
        self._exclusive = False
        self._waiting = 0

    @contextlib.asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        async with self._condition:
            await self._condition.wait_for(lambda: not self._exclusive and not self._waiting)
            self._shared += 1
        try:
            yield
        finally:
            async with self._condition:
                self._shared -= 1
                self._condition.notify_all()

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        async with self._condition:
            self._waiting += 1
            try:
                await self._condition.wait_for(lambda: not self._exclusive and not self._shared)
            finally:
                self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            async with self._condition:
                self._exclusive = False
                self._condition.notify_all()


def project(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in PROJECTED if key in data}


def details(call: Call) -> dict[str, Any]:
    return {
        "name": call.name,
        "description": f"{call.op} by call {call.index}",
        "attributes": {"call": call.index},
    }


def path_of(target: Target, slot: Slot) -> str:
    if target == "collection":
        return API
    suffix = "/beforeProvisioningRule" if target == "rule" else ""
    return f"{API}/{slot.id}{suffix}"


def arm(fake: FakeSimServer, call: Call, slot: Slot) -> None:
    """Queue the call's faults, each scoped to the method and path of its request."""
    for request in call.requests:
        path = path_of(request.target, slot)
        for fault in request.faults:
            method = request.method
            if fault.kind == "429":
                fake.fail(429, method=method, path=path, retry_after=fault.retry_after)
            elif fault.kind in ("502", "503", "504"):
                fake.fail(int(fault.kind), method=method, path=path)
            elif fault.kind in ("drop", "drop-handled"):
                fake.drop(method=method, path=path, handled=fault.kind == "drop-handled")
            elif fault.kind == "delay":
                fake.delay(fault.seconds, method=method, path=path)
            else:
                fake.fail(200, method=method, path=path, body=fault.body)


async def perform(sim: SimClient, call: Call, slot: Slot) -> object:
    i = call.index
    match call.op:
        case "list":
            return await sim.list_integrations()
        case "find":
            return await sim.find_integration(call.name)
        case "get":
            return await sim.get_integration(slot.id)
        case "create":
            return await sim.create_integration(details(call))
        case "update":
            return await sim.update_integration(slot.id, details(call))
        case "patch":
            operations: list[dict[str, Any]] = [
                {"op": "replace", "path": "/description", "value": f"patched by call {i}"},
                {"op": "add", "path": "/attributes/patch", "value": i},
            ]
            return await sim.patch_integration(slot.id, operations)
        case "patch_rule":
            rule: list[dict[str, Any]] = [
                {"op": "add", "path": "/name", "value": f"rule {i}"},
                {"op": "add", "path": "/type", "value": "RULE"},
            ]
            return await sim.patch_before_provisioning_rule(slot.id, rule)
        case "delete":
            await sim.delete_integration(slot.id)
            return None
        case "upsert":
            return await sim.upsert_integration(details(call))


def outcome_name(result: object) -> str:
    return "None" if result is None else type(result).__name__


def apply(call: Call, slot: Slot, result: object, run: Run) -> None:
    """Bring the slot's expected state up to date with what the call did at the server."""
    if not call.applies:
        return
    if call.op == "delete":
        slot.state = None
    elif call.op in ("create", "upsert", "update"):
        if not call.on_live:  # created: the server chose the id
            if not isinstance(result, SimIntegration):
                run.content_errors.append(f"call {call.index}: created, but got {result!r}")
                return
            slot.id = result.id
        slot.name = call.name
        slot.state = details(call)
    else:
        assert slot.state is not None
        if call.op == "patch":
            slot.state["description"] = f"patched by call {call.index}"
            slot.state["attributes"] = {**slot.state["attributes"], "patch": call.index}
        else:
            rule = slot.state.get("beforeProvisioningRule", {})
            slot.state["beforeProvisioningRule"] = {
                **rule,
                "name": f"rule {call.index}",
                "type": "RULE",
            }


def check_content(call: Call, slot: Slot, own: list[Slot], result: object, run: Run) -> None:
    """Compare what a call returned with what its task knows the server holds."""
    problem = None
    if isinstance(result, SimIntegration):
        got = project(result.to_dict())
        if slot.state is None or got != slot.expected():
            problem = f"returned {got}, expected {slot.state and slot.expected()}"
    elif isinstance(result, list):
        listed = {
            item.id: project(item.to_dict()) for item in result if isinstance(item, SimIntegration)
        }
        names = {item["name"] for item in listed.values()}
        for mine in own:
            if mine.state is not None and listed.get(mine.id) != mine.expected():
                problem = f"listed {listed.get(mine.id)}, expected {mine.expected()}"
            if mine.state is None and mine.name in names:
                problem = f"listed {mine.name}, which was deleted"
    if problem is not None:
        run.content_errors.append(f"call {call.index} ({call.op}): {problem}")


async def run_call(
    sim: SimClient, fake: FakeSimServer, call: Call, slot: Slot, own: list[Slot], run: Run
) -> None:
    arm(fake, call, slot)
    run.in_flight += 1
    run.peak_in_flight = max(run.peak_in_flight, run.in_flight)
    try:
        result = await perform(sim, call, slot)
    except SimError as error:
        run.outcomes[call.index] = Outcome(type(error).__name__, error)
        apply(call, slot, None, run)
        return
    except Exception as error:  # any other exception is a failure of the client
        run.outcomes[call.index] = Outcome(f"unexpected {type(error).__name__}", error)
        return
    finally:
        run.in_flight -= 1
    run.outcomes[call.index] = Outcome(outcome_name(result))
    apply(call, slot, result, run)
    check_content(call, slot, own, result, run)


async def soak(
    sim: SimClient, fake: FakeSimServer, plan: list[Call], slots: list[list[Slot]]
) -> Run:
    run = Run()
    gate = Gate()

    async def task(worker: int) -> None:
        own = slots[worker]
        for call in plan:
            if call.worker != worker:
                continue
            section = gate.exclusive() if call.exclusive else gate.shared()
            async with section:
                await run_call(sim, fake, call, own[call.slot], own, run)

    async with asyncio.timeout(TIME_LIMIT):
        await asyncio.gather(*(task(worker) for worker in range(WORKERS)))
    return run


def seed_slots(fake: FakeSimServer) -> list[list[Slot]]:
    slots = []
    for worker in range(WORKERS):
        own = []
        for slot in range(SLOTS_PER_WORKER):
            state: dict[str, Any] = {
                "name": slot_name(worker, slot, 0),
                "description": "seeded",
                "attributes": {"seed": slot},
            }
            stored = fake.add_integration(state)
            own.append(Slot(stored["id"], state["name"], state))
        slots.append(own)
    return slots


def target_of(path: str) -> Target:
    if path == API:
        return "collection"
    return "rule" if path.endswith("/beforeProvisioningRule") else "item"


def figures(plan: list[Call], run: Run, fake: FakeSimServer, retries: int, elapsed: float) -> str:
    api_requests = [r for r in fake.requests if r.path.startswith(API)]
    faults = [f for call in plan for f in call.faults]
    with_faults = [call for call in plan if call.faults]
    by_kind = Counter(f.kind for f in faults)
    waited = sum(len(r.retry_after_waits) for call in plan for r in call.requests)
    budget = [c for c in with_faults if c.idempotent and c.within_budget]
    lines = [
        f"soak: seed {SEED}, {len(plan)} calls by {WORKERS} tasks "
        f"(peak {run.peak_in_flight} in flight) in {elapsed:.2f} s",
        "  calls by operation: "
        + ", ".join(f"{op} {n}" for op, n in sorted(Counter(c.op for c in plan).items())),
        f"  requests: {len(api_requests)} to the API, {fake.token_requests} token request(s)",
        f"  faults: {len(faults)} injected into {len(with_faults)} calls "
        f"({len(with_faults) / len(plan):.1%} of calls, "
        f"{len(faults) / len(api_requests):.1%} of requests), "
        f"{sum(c.exclusive for c in plan)} of those calls run alone",
        "  faults by kind: " + ", ".join(f"{k} {by_kind[k]}" for k in ALL_KINDS),
        f"  retries: {retries} ({waited} after a Retry-After)",
        "  outcomes: "
        + ", ".join(
            f"{name} {n}"
            for name, n in Counter(o.name for o in run.outcomes.values()).most_common()
        ),
        f"  idempotent calls with faults within their retry budget: {len(budget)}, "
        f"succeeded {sum(run.outcomes[c.index].name == c.baseline for c in budget)}",
    ]
    return "\n".join(lines)


# --- the tests ---


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    no_proxies(monkeypatch)


def test_the_plan_is_fixed_by_its_seed_and_mixes_every_fault() -> None:
    plan = make_plan()
    assert plan == make_plan(SEED)
    assert plan != make_plan(SEED + 1)
    assert len(plan) == CALLS
    with_faults = [call for call in plan if call.faults]
    assert 0.15 <= len(with_faults) / CALLS <= 0.25
    assert {f.kind for call in plan for f in call.faults} == set(ALL_KINDS)
    assert set(Counter(call.op for call in plan)) == set(OPS_ON_LIVE) | set(OPS_ON_GONE)
    over_budget = [c for c in with_faults if c.idempotent and not c.within_budget]
    assert any(c.expected == c.baseline for c in with_faults)  # faults ridden out
    assert any(c.expected != c.baseline for c in with_faults)  # faults that surface
    assert any(len(r.statuses) == MAX_RETRIES + 1 for c in over_budget for r in c.requests)
    assert any(c.exclusive for c in plan)
    assert any(c.faults and not c.exclusive for c in plan)


@pytest.mark.loopback
async def test_soak(
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
    transport_name: str,
    strict_reading: bool,
) -> None:
    plan = make_plan()
    fake = FakeSimServer()
    slots = seed_slots(fake)
    started = time.monotonic()
    async with fake.serve() as base_url:
        port = port_of(base_url)
        sim = SimClient(
            base_url,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            timeout=10.0,
            max_retries=MAX_RETRIES,
            transport=make_transport(transport_name),
            strict=strict_reading,
            rate_limit=None,  # faults, not the budget, are what this test is about
        )
        try:
            run = await soak(sim, fake, plan, slots)
            elapsed = time.monotonic() - started
            assert pooled_connections(sim) >= 1  # connections are kept alive until closed...
            assert open_connections(port) != []
        finally:
            await close_and_check([sim], port)  # ... and none is left open after
    with capsys.disabled():  # shown in every run, passed or failed
        print(f"\n[{transport_name}] " + figures(plan, run, fake, len(waits), elapsed))

    # Every call ended in a result or one of our errors, and in the one it had to.
    unexpected = {i: o for i, o in run.outcomes.items() if o.name.startswith("unexpected")}
    assert unexpected == {}
    assert len(run.outcomes) == CALLS
    mismatches = [
        f"call {c.index} {c.op} (faults {[f.kind for f in c.faults]}): "
        f"expected {c.expected}, got {run.outcomes[c.index].name} {run.outcomes[c.index].error!r}"
        for c in plan
        if run.outcomes[c.index].name != c.expected
    ]
    assert mismatches == []
    assert run.content_errors == []

    # Every idempotent call whose faults fit in its retry budget succeeded.
    ridden_out = [c for c in plan if c.faults and c.idempotent and c.within_budget]
    assert len(ridden_out) >= 50
    assert [c.index for c in ridden_out if run.outcomes[c.index].name != c.baseline] == []

    # The server saw every request planned, and no POST twice.
    logged = Counter(
        (r.method, target_of(r.path), r.status) for r in fake.requests if r.path.startswith(API)
    )
    planned = Counter(
        (r.method, r.target, status) for c in plan for r in c.requests for status in r.statuses
    )
    assert logged == planned
    posts: dict[str, list[int | None]] = defaultdict(list)
    for record in fake.requests:
        if record.method == "POST" and record.path == API:
            posts[record.body["name"]].append(record.status)
    planned_posts = {
        c.name: list(r.statuses) for c in plan for r in c.requests if r.method == "POST"
    }
    assert posts == planned_posts  # each name by one call, with exactly its planned attempts
    assert [name for name, statuses in posts.items() if 400 in statuses] == []  # no re-create
    assert fake.pending_faults == 0

    # Retries: as many as planned, waiting what Retry-After said when it said something.
    # One wait per retry and per 429 (the client runs without a rate-limit budget here).
    refused = sum(f.kind == "429" for c in plan for r in c.requests for f in r.faults)
    assert len(waits) == sum(r.retries for c in plan for r in c.requests) + refused
    planned_waits = sorted(w for c in plan for r in c.requests for w in r.retry_after_waits)
    assert sorted(w for w in waits if w < 0.1) == planned_waits  # back-off waits are >= 0.375
    assert fake.token_requests == 1

    # The server holds exactly what the calls that took effect left behind.
    expected_state = {s.id: s.expected() for own in slots for s in own if s.state is not None}
    assert {k: project(v) for k, v in fake.integrations.items()} == expected_state
    assert elapsed < TIME_LIMIT
