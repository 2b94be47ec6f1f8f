"""The README's and the docs' examples that define functions are called with real arguments
(test_docs_examples runs every block; these check what the functions do); the README lists a
justification for every dependency."""

from __future__ import annotations

import asyncio
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sim_client.testing import FakeSimServer
from tests.doc_examples import ROOT, blocks


def python_block(page: str, containing: str) -> str:
    (block,) = [
        b.code for b in blocks(ROOT / page) if b.language == "python" and containing in b.code
    ]
    return block


def defined(page: str, containing: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    code = python_block(page, containing)
    exec(compile(code, page, "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


@pytest.mark.loopback
async def test_the_quickstart_runs_against_the_fake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = python_block("README.md", "async def main()").replace("asyncio.run(main())", "")
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
    namespace = defined("docs/testing.md", "async def test_my_sync_job()")
    await asyncio.wait_for(namespace["test_my_sync_job"](), 30)


@pytest.mark.loopback
async def test_the_transport_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    namespace = defined("docs/transports.md", "transport=AiohttpTransport()")
    fake = FakeSimServer()
    fake.add_integration({"name": "ServiceNow prod"})
    async with fake.serve() as base_url:
        assert await namespace["names"](base_url, fake.token) == ["ServiceNow prod"]


async def test_the_errors_example_describes_each_outcome(strict_reading: bool) -> None:
    fake = FakeSimServer()
    stored = fake.add_integration({"name": "ServiceNow prod"})
    async with fake.client(strict=strict_reading) as sim:
        namespace: dict[str, Any] = {"sim": sim}
        code = python_block("docs/errors.md", "async def describe(")
        code = code[: code.index("\nprint(await")]
        exec(compile(code, "docs/errors.md", "exec"), namespace)  # noqa: S102 - our docs
        describe = namespace["describe"]
        assert await describe(stored["id"]) == "ServiceNow prod"
        assert (await describe("nope")).startswith("failed: GET /beta/sim-integrations/nope -> 404")
        fake.fail(429, retry_after=600)  # longer than the client waits: raised at once
        assert await describe(stored["id"]) == "busy, try again in 600.0 s"


def test_every_dependency_has_its_line_in_the_readme() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Dependencies") :]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    for requirement in requirements:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]
        assert re.search(rf"^- `{re.escape(name)}` — \S", section, re.M), name


def test_the_readme_links_only_to_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert targets
    for target in targets:
        if not target.startswith("http"):
            assert Path(ROOT / target).is_file(), target
