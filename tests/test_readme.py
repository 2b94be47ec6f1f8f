"""The README's examples run: the quickstart against the fake over loopback, the fake example."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from sim_client.testing import FakeSimServer

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def python_block(containing: str) -> str:
    blocks: list[str] = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    (block,) = [b for b in blocks if containing in b]
    return block


@pytest.mark.loopback
async def test_the_quickstart_runs_against_the_fake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = python_block("async def main()").replace("asyncio.run(main())", "")
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    fake = FakeSimServer()
    async with fake.serve() as base_url:
        monkeypatch.setenv("SAIL_BASE_URL", base_url)
        monkeypatch.setenv("SAIL_CLIENT_ID", fake.client_id)
        monkeypatch.setenv("SAIL_CLIENT_SECRET", fake.client_secret)
        monkeypatch.delenv("SAIL_ACCESS_TOKEN", raising=False)
        await namespace["main"]()
    out = capsys.readouterr().out
    assert "ServiceNow prod HR + AD" in out
    assert out.count("gone: ") == 1
    assert fake.integrations == {}


@pytest.mark.loopback
async def test_the_fake_example_runs() -> None:
    namespace: dict[str, Any] = {}
    code = python_block("async def test_my_sync_job()")
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    await asyncio.wait_for(namespace["test_my_sync_job"](), 30)


@pytest.mark.loopback
async def test_the_transport_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, Any] = {}
    code = python_block("transport=AiohttpTransport()")
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    fake = FakeSimServer()
    fake.add_integration({"name": "ServiceNow prod"})
    async with fake.serve() as base_url:
        assert await namespace["names"](base_url, fake.token) == ["ServiceNow prod"]
