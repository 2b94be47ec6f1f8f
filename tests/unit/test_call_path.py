"""The path of one call through the package, as ``docs/architecture.md`` draws it.

A steady-state ``get_integration`` (token cached, rate-limit slot free) is traced with
``sys.setprofile``: at every function entered, the chain of the package's hand-written modules
on the stack (generated modules, the clock and third-party code left out, a module's
consecutive frames counted once). The request reaches the transport through ``client`` ->
``_pipeline`` -> ``_transfer``, the answer becomes a model through ``client`` ->
``_responses``, and no module is entered twice on one stack.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

import httpx

from sim_client import SimClient
from tests.mock_api import BASE_URL, TOKEN, integration, json_response

Chain = tuple[str, ...]
# Data the package reads (the generated models and operations) and its one replaceable clock.
_LEFT_OUT = ("sim_client._generated", "sim_client._clock")


def _chain(frame: FrameType | None) -> Chain:
    """The hand-written modules on the stack of ``frame``, outermost first."""
    modules: list[str] = []
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        ours = name.startswith("sim_client") and not name.startswith(_LEFT_OUT)
        if ours and (not modules or modules[-1] != name):
            modules.append(name)
        frame = frame.f_back
    return tuple(reversed(modules))


async def _traced_get(transport_chains: list[Chain]) -> tuple[list[Chain], list[Chain]]:
    """Every chain seen during one warm ``get_integration``, and those at a model's decoding."""

    def answer(request: httpx.Request) -> httpx.Response:
        transport_chains.append(_chain(sys._getframe()))
        return json_response(200, integration())

    chains: list[Chain] = []
    decoding: list[Chain] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        chain = _chain(frame)
        chains.append(chain)
        if frame.f_code.co_name == "from_dict" and "sim_client._generated" in str(
            frame.f_globals.get("__name__")
        ):
            decoding.append(chain)

    async with SimClient(BASE_URL, token=TOKEN, transport=httpx.MockTransport(answer)) as sim:
        await sim.get_integration("2c9180835d2e5168015d32f890ca1581")  # warm: imports, budget
        transport_chains.clear()
        sys.setprofile(profile)
        try:
            await sim.get_integration("2c9180835d2e5168015d32f890ca1581")
        finally:
            sys.setprofile(None)
    return chains, decoding


async def test_a_request_reaches_the_transport_through_three_modules() -> None:
    at_transport: list[Chain] = []
    await _traced_get(at_transport)
    assert at_transport == [("sim_client.client", "sim_client._pipeline", "sim_client._transfer")]


async def test_an_answer_becomes_a_model_through_client_and_responses() -> None:
    _, decoding = await _traced_get([])
    assert decoding
    assert set(decoding) == {("sim_client.client", "sim_client._responses")}


async def test_no_module_is_entered_twice_on_one_stack() -> None:
    chains, _ = await _traced_get([])
    assert chains
    revisited = {chain for chain in chains if len(set(chain)) != len(chain)}
    assert revisited == set()


async def test_the_call_is_handed_on_by_four_modules_at_most() -> None:
    # A module "hands on" when another hand-written module runs above it on a stack; the rest
    # (argument checks, URL table, budget, token source, notices, reader) answer and return.
    chains, _ = await _traced_get([])
    handing_on = {module for chain in chains for module in chain[:-1]}
    assert handing_on <= {
        "sim_client.client",
        "sim_client._pipeline",
        "sim_client._transfer",  # to a hand-written transport (AiohttpTransport)
        "sim_client._responses",
    }
    assert {"sim_client.client", "sim_client._pipeline", "sim_client._responses"} <= handing_on
