"""Which stream carries what, with the real command in its own process: a closed stdout, no
terminal to ask on, the question on the terminal while stdout goes to a file, and Ctrl-C in
the middle of an apply. The tenant is a fake served on loopback by a small script."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.loopback_helpers import PROXY_VARIABLES

pytestmark = pytest.mark.loopback

SIM_CLIENT = str(Path(sys.executable).with_name("sim-client"))
COUNT = 8
# A fake tenant with COUNT integrations; each PUT waits a second before it is served.
SERVER = f"""
import asyncio
import os
from sim_client.testing import FakeSimServer

async def main():
    fake = FakeSimServer()
    for i in range({COUNT}):
        fake.add_integration({{"name": f"item-{{i}}", "description": "old"}})
    if os.environ.get("FAIL_ONE_PUT"):
        fake.fail(400, method="PUT")
    fake.delay(1.0, method="PUT", times=100)
    async with fake.serve() as base_url:
        print(f"SAIL_BASE_URL={{base_url}}")
        print(f"SAIL_CLIENT_ID={{fake.client_id}}")
        print(f"SAIL_CLIENT_SECRET={{fake.client_secret}}", flush=True)
        await asyncio.Event().wait()

try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
"""


def serve(**settings: str) -> Iterator[dict[str, str]]:
    """The served fake's SAIL_* variables, with the rest of the environment."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, env={**env, **settings}
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline().strip() for _ in range(3)]
        yield {**env, **dict(line.split("=", 1) for line in lines)}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


@pytest.fixture
def tenant() -> Iterator[dict[str, str]]:
    yield from serve()


@pytest.fixture
def desired(tenant: dict[str, str], tmp_path: Path) -> Path:
    """Every integration with a new description: COUNT updates."""
    path = tmp_path / "desired.yaml"
    items = [{"name": f"item-{i}", "description": "new"} for i in range(COUNT)]
    path.write_text(yaml.safe_dump({"integrations": items}))
    return path


def run(env: dict[str, str], *args: str | Path, **options: Any) -> subprocess.CompletedProcess[str]:
    options = {
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "stdin": subprocess.DEVNULL,
        **options,
    }
    result: subprocess.CompletedProcess[str] = subprocess.run(
        [SIM_CLIENT, *map(str, args)],
        text=True,
        env=env,
        timeout=60,
        check=False,
        start_new_session=True,  # no controlling terminal
        **options,
    )
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in (text or "")
        assert env["SAIL_CLIENT_SECRET"] not in (text or "")
    return result


def descriptions(env: dict[str, str]) -> list[str]:
    listed = json.loads(run(env, "list", "--json").stdout)
    return [item["description"] for item in listed]


def closed_pipe() -> int:
    """The write end of a pipe whose reader has gone: every write fails with EPIPE."""
    read, write = os.pipe()
    os.close(read)
    return write


def test_list_into_a_closed_pipe_ends_cleanly_with_exit_code_0(tenant: dict[str, str]) -> None:
    stdout = closed_pipe()
    try:
        result = run(tenant, "list", stdout=stdout, stderr=subprocess.PIPE)
    finally:
        os.close(stdout)
    assert result.returncode == 0
    assert result.stderr == ""


def test_list_piped_into_head_exits_0(tenant: dict[str, str]) -> None:
    result: subprocess.CompletedProcess[str] = subprocess.run(
        ["bash", "-c", f'"{SIM_CLIENT}" list | head -1; echo "exit=${{PIPESTATUS[0]}}"'],
        capture_output=True,
        text=True,
        env=tenant,
        timeout=60,
        check=False,
    )
    header, status = result.stdout.splitlines()
    assert header.split() == ["id", "name", "type", "description"]
    assert status == "exit=0"
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


def test_apply_into_a_closed_pipe_carries_out_the_approved_plan(
    tenant: dict[str, str], desired: Path
) -> None:
    stdout = closed_pipe()
    try:
        result = run(
            tenant,
            "apply",
            desired,
            "--yes",
            "--concurrency",
            "8",
            stdout=stdout,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(stdout)
    assert result.returncode == 0
    assert result.stderr == ""
    assert descriptions(tenant) == ["new"] * COUNT  # nothing cut short, nothing left running


def test_a_failure_behind_a_closed_stdout_is_reported_on_stderr(tmp_path: Path) -> None:
    for env in serve(FAIL_ONE_PUT="1"):
        path = tmp_path / "desired.yaml"
        path.write_text(yaml.safe_dump([{"name": "item-0", "description": "new"}]))
        stdout = closed_pipe()
        try:
            result = run(env, "apply", path, "--yes", stdout=stdout, stderr=subprocess.PIPE)
        finally:
            os.close(stdout)
        assert result.returncode == 1
        assert result.stderr == (
            "error: apply incomplete: 1 failed; stdout was closed, plan again\n"
        )


def test_without_a_terminal_apply_refuses_at_once_even_with_stdout_in_a_file(
    tenant: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log"
    with log.open("w") as stdout:
        result = run(tenant, "apply", desired, stdout=stdout, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert "no terminal to ask on" in result.stderr
    assert "pass --yes" in result.stderr
    assert "?" not in log.read_text()  # the plan is there, no question
    assert "~ update item-0" in log.read_text()
    assert descriptions(tenant) == ["old"] * COUNT


def test_the_question_goes_to_the_terminal_and_outcomes_to_stdout(
    tenant: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    controller, terminal = pty.openpty()
    log = tmp_path / "log"
    try:
        with log.open("w") as stdout:
            process = subprocess.Popen(
                [SIM_CLIENT, "apply", str(desired), "--concurrency", "8"],
                stdin=terminal,
                stdout=stdout,
                stderr=terminal,
                env=tenant,
            )
            seen = _read_until(controller, b"[y/N]: ")
            os.write(controller, b"y\n")
            assert process.wait(timeout=60) == 0
    finally:
        os.close(terminal)
        os.close(controller)
    assert "Apply these 8 change(s)?" in seen.decode()
    written = log.read_text()
    assert "Apply these" not in written
    assert written.count("updated item-") == COUNT
    assert written.rstrip().endswith(f"Apply complete: {COUNT} updated.")


def _read_until(fd: int, marker: bytes) -> bytes:
    seen = b""
    deadline = time.monotonic() + 30
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {marker!r} on the terminal; seen {seen!r}"
        seen += os.read(fd, 4096)
    return seen


def test_ctrl_c_stops_new_writes_waits_for_those_in_flight_and_exits_130(
    tenant: dict[str, str], desired: Path
) -> None:
    process = subprocess.Popen(
        [SIM_CLIENT, "apply", str(desired), "--yes", "--concurrency", "2"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=tenant,
    )
    assert process.stdout is not None and process.stderr is not None
    printed: list[str] = []
    while not (printed and printed[-1].startswith("updated ")):
        printed.append(process.stdout.readline())
        assert printed[-1], "the apply ended before any outcome"
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in errors
    outcomes = [line for line in [*printed, *rest.splitlines()] if line.startswith("updated ")]
    assert errors.splitlines()[0] == "stopping: no new writes; waiting for those under way"
    (summary,) = [line for line in errors.splitlines() if line.startswith("interrupted: ")]
    done = len(outcomes)
    assert summary == f"interrupted: {done} done, {COUNT - done} not started; plan again"
    assert 0 < done < COUNT
    # Every write that was under way ended and was reported; none started after Ctrl-C.
    assert descriptions(tenant).count("new") == done
