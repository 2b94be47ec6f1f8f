"""Where ``SimClient``'s time goes: pyinstrument over one benchmark workload.

``python -m scripts.bench.profile aiohttp`` profiles GET one integration with ``SimClient`` on
``AiohttpTransport`` at 64 tasks over loopback (the server in its own process, not profiled);
``python -m scripts.bench.profile get`` profiles ``get_integration`` sequentially over the
in-process canned transport. Prints the functions by their own share of the time (``--tree``:
pyinstrument's call tree; ``--html FILE`` writes its HTML page as well); ``--requests`` sets the
number of calls profiled.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

from sim_client.aiohttp_transport import AiohttpTransport

from .contenders import (
    BASE_URL,
    INTEGRATION_ID,
    CannedTransport,
    Limiter,
    LoopbackServer,
    choose_limiter,
    simclient,
)
from .measure import per_task, throughput_round

TASKS = 64


async def _aiohttp_at_64(url: str, limiter: Limiter, requests: int, profiler: Profiler) -> None:
    async with simclient(url, limiter, transport=AiohttpTransport()) as sim:
        call = lambda: sim.get_integration(INTEGRATION_ID)  # noqa: E731
        await throughput_round(call, TASKS, 4)  # warm-up: connections, first-call imports
        profiler.start()
        await throughput_round(call, TASKS, per_task(requests, TASKS))
        profiler.stop()


async def _get_in_process(limiter: Limiter, requests: int, profiler: Profiler) -> None:
    async with simclient(BASE_URL, limiter, transport=CannedTransport()) as sim:
        for _ in range(50):
            await sim.get_integration(INTEGRATION_ID)
        profiler.start()
        for _ in range(requests):
            await sim.get_integration(INTEGRATION_ID)
        profiler.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("workload", choices=("aiohttp", "get"))
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--tree", action="store_true", help="the call tree, not the flat list")
    parser.add_argument("--top", type=int, default=40, help="lines of the flat list")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML page here")
    args = parser.parse_args(argv)
    limiter = asyncio.run(choose_limiter())
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    if args.workload == "aiohttp":
        with LoopbackServer() as server:
            asyncio.run(_aiohttp_at_64(server.url, limiter, args.requests, profiler))
    else:
        asyncio.run(_get_in_process(limiter, args.requests, profiler))
    renderer = ConsoleRenderer(unicode=True, flat=not args.tree, time="percent_of_total")
    text = profiler.output(renderer)
    print(text if args.tree else "\n".join(text.splitlines()[: args.top + 8]))
    if args.html is not None:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
