"""The wheel installs into an empty virtual environment with only its declared dependencies."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is missing: run `make venv` first")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("sim_client-0.1.0-*.whl")
    return built


def test_the_wheel_ships_the_package_the_generated_layer_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "sim_client/py.typed" in names
    assert "sim_client/_generated/py.typed" in names
    assert "sim_client/_generated/models/sim_integration.py" in names
    assert "sim_client/testing/__init__.py" in names
    assert not any(name.startswith(("tests/", "scripts/")) for name in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    requires = sorted(line for line in text.splitlines() if line.startswith("Requires-Dist:"))
    runtime = [line for line in requires if "extra ==" not in line]
    runtime_names = [re.split(r"[<>=!~ ;\[]", line.split()[1])[0] for line in runtime]
    assert runtime_names == ["attrs", "httpx", "sniffio"]


def test_the_wheel_installs_into_an_empty_venv_and_imports(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    probe = (
        "import sim_client, importlib.util;"
        "print(sim_client.__version__, sim_client.SimClient.__name__,"
        " importlib.util.find_spec('starlette') is None,"
        " importlib.util.find_spec('aiohttp') is None)\n"
        "try:\n import sim_client.aiohttp_transport\n"
        "except ImportError as error:\n print('sim-client[aiohttp]' in str(error))"
    )
    result = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["0.1.0", "SimClient", "True", "True", "True"]
    assert sys.executable != str(python)


def test_the_error_body_models_are_imported_on_first_use() -> None:
    code = (
        "import sys, sim_client, sim_client.models as models\n"
        "loaded = lambda: sorted(m for m in sys.modules if m.endswith(('_dto', '_body')))\n"
        "print(loaded(), set(models.__all__) <= set(dir(models)))\n"
        "print(models.ErrorResponseDto.__name__, loaded())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == [
        "[] True",
        "ErrorResponseDto ['sim_client._generated.models.error_message_dto', "
        "'sim_client._generated.models.error_response_dto']",
    ]


def test_importing_the_package_loads_neither_asyncio_nor_an_extra() -> None:
    # The README promises it: asyncio is imported when a client first needs it, and the
    # optional transport, the CLI and the desired-state code only when used.
    code = (
        "import sys, sim_client; "
        "print(sorted(m for m in ('asyncio', 'aiohttp', 'sim_client.cli', "
        "'sim_client.desired', 'sim_client.aiohttp_transport') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
