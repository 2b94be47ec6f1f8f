"""Every example of the README and the docs runs, against the fake.

- A ``python`` block runs with top-level ``await`` in a namespace holding ``sim`` (a
  :class:`SimClient` on an in-process :class:`FakeSimServer` that holds the sample tenant of
  ``python -m sim_client.testing --sample``), ``fake`` and ``integration_id`` (the id of
  "ServiceNow - HR"); ``SAIL_*`` point at the same fake served over loopback, so
  ``SimClient.from_env()`` reaches it too. A block without top-level ``await`` runs in a
  thread (it may call ``asyncio.run`` itself).
- The ``console`` blocks of a page run in order in one bash session against one such fake
  tenant, in an empty directory; each command's output must match the text shown under it
  (``...`` matches anything, trailing spaces are ignored).
- A block not runnable by design is marked ``<!-- not run: REASON -->``; they are counted.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import inspect
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from sim_client.testing import FakeSimServer
from sim_client.testing.__main__ import SAMPLE
from tests.doc_examples import SHELL, Block, all_blocks, commands, documents

BLOCKS = all_blocks()
PYTHON = [b for b in BLOCKS if b.language == "python" and b.not_run is None]
CONSOLE_PAGES = sorted({b.path for b in BLOCKS if b.language == "console" and b.not_run is None})

NOT_RUN = 8
"""How many blocks are marked not runnable; a new one is a deliberate change of this number."""

SECRET = "s4mple-Passw0rd"
"""The sample tenant's one credential; the docs give it to SIM_SERVICENOW_HR_PASSWORD."""

# Examples of features documented from the contract (shared API.md) that land on other
# branches: a block, or a command or its shown output, containing the key is expected to fail
# until then (strictly: once it runs, the test fails until the entry is removed).
PENDING_PYTHON: dict[str, str] = {}
PENDING_CONSOLE: dict[str, str] = {}


def _pending(text: str, table: dict[str, str]) -> str | None:
    return next((f"{key!r}: {why}" for key, why in table.items() if key in text), None)


def _environment(base_url: str, fake: FakeSimServer) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SAIL_", "SIM_")) and "proxy" not in name.lower()
    }
    env.update(
        SAIL_BASE_URL=base_url,
        SAIL_CLIENT_ID=fake.client_id,
        SAIL_CLIENT_SECRET=fake.client_secret,
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        COLUMNS="120",
        NO_COLOR="1",
        TERM="dumb",
        PYTHONUNBUFFERED="1",  # stdout and stderr interleave as on a terminal
    )
    return env


def sample_fake() -> FakeSimServer:
    fake = FakeSimServer()
    for details in SAMPLE:
        fake.add_integration(details)
    return fake


def test_blocks_not_run_are_marked_and_counted() -> None:
    unmarked = [b.where for b in BLOCKS if b.language in SHELL and b.not_run is None]
    assert unmarked == [], "a shell block is run (write it as console) or marked not run"
    not_run = [f"{b.where}: {b.not_run}" for b in BLOCKS if b.not_run is not None]
    assert len(not_run) == NOT_RUN, "\n".join(not_run)


def test_every_pending_key_is_used() -> None:
    python = "".join(b.code for b in PYTHON)
    console = "".join(b.code for b in BLOCKS if b.language == "console" and b.not_run is None)
    assert [key for key in PENDING_PYTHON if key not in python] == []
    assert [key for key in PENDING_CONSOLE if key not in console] == []


def test_every_page_has_a_runnable_example_or_is_prose() -> None:
    assert len(documents()) > 10
    assert len(PYTHON) >= 20
    assert len(CONSOLE_PAGES) >= 3


@pytest.mark.loopback
@pytest.mark.parametrize("block", PYTHON, ids=lambda b: b.where)
async def test_python_example_runs(
    block: Block, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pending = _pending(block.code, PENDING_PYTHON)
    monkeypatch.chdir(tmp_path)
    fake = sample_fake()
    async with fake.serve() as base_url:
        for name, value in _environment(base_url, fake).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SIM_SERVICENOW_HR_PASSWORD", SECRET)
        (hr,) = [i for i in fake.integrations.values() if i["name"] == "ServiceNow - HR"]
        async with fake.client() as sim:
            namespace: dict[str, Any] = {
                "__name__": "__docs__",
                "sim": sim,
                "fake": fake,
                "integration_id": hr["id"],
            }
            try:
                await asyncio.wait_for(_run(block, namespace), 60)
            except Exception:
                if pending:
                    pytest.xfail(pending)
                raise
    assert pending is None, f"{block.where} runs now: remove {pending} from PENDING_PYTHON"


async def _run(block: Block, namespace: dict[str, Any]) -> None:
    source = "\n" * block.line + block.code  # tracebacks give the line in the page
    code = compile(source, block.path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & inspect.CO_COROUTINE:
        await eval(code, namespace)  # noqa: S307 - our own documentation
    else:
        await asyncio.to_thread(exec, code, namespace)


SEPARATOR = "@@ next command @@"


@pytest.mark.loopback
@pytest.mark.parametrize("page", CONSOLE_PAGES)
async def test_console_examples_show_what_the_command_prints(page: str, tmp_path: Path) -> None:
    run = [b for b in BLOCKS if b.path == page and b.language == "console" and not b.not_run]
    steps = [command for block in run for command in commands(block)]
    script = "exec 2>&1 </dev/null\n" + "".join(
        f"printf '%s\\n' '{SEPARATOR}'\n{step.command}\n" for step in steps
    )
    fake = sample_fake()
    async with fake.serve() as base_url:
        process = await asyncio.create_subprocess_exec(
            "bash",
            "--noprofile",
            "--norc",
            "-c",
            script,
            cwd=tmp_path,
            env=_environment(base_url, fake),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 300)
    outputs = out.decode().split(SEPARATOR + "\n")[1:]
    assert len(outputs) == len(steps)
    failures: list[str] = []
    pending: list[str] = []
    for step, got in zip(steps, outputs, strict=True):
        if _matches(step.expected, got):
            continue
        reason = _pending(step.command + step.expected, PENDING_CONSOLE)
        if reason is None and pending:  # it may follow from an earlier pending step
            reason = "after a pending step"
        report = f"{step.block.path}:{step.line}: $ {step.command}\n--- shown\n"
        report += f"{step.expected}--- printed\n{got}"
        (pending if reason else failures).append(report if not reason else f"{reason}\n{report}")
    assert SECRET not in out.decode()
    assert not failures, "\n".join(failures + pending)
    expected_pending = {_pending(s.command + s.expected, PENDING_CONSOLE) for s in steps} - {None}
    if pending:
        pytest.xfail("\n".join(pending))
    assert not expected_pending, f"{page} runs now: remove {expected_pending} from PENDING_CONSOLE"


def _matches(expected: str, got: str) -> bool:
    def tidy(text: str) -> str:
        return "".join(line.rstrip() + "\n" for line in text.splitlines())

    return doctest.OutputChecker().check_output(tidy(expected), tidy(got), doctest.ELLIPSIS)


def test_a_console_step_is_parsed_with_its_output() -> None:
    block = Block("x.md", 3, "console", "$ a \\\n  --b\none\n$ c\n", None)
    first, second = commands(block)
    assert (first.line, first.command, first.expected) == (4, "a \n  --b", "one\n")
    assert (second.line, second.command, second.expected) == (7, "c", "")
    assert _matches("id ...\nx\n", "id 123  \nx\n")
    assert not _matches("x\n", "y\n")
