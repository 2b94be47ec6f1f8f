"""Regenerate ``sim_client/_generated`` from the OpenAPI fragment, or check that it is current.

``python -m scripts.generate`` rewrites the package from scratch; ``--check`` generates into a
temporary folder and exits 1 listing every new, changed or missing file.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "sim-integrations.beta.yaml"
CONFIG = ROOT / "generator-config.yaml"
TEMPLATES = ROOT / "openapi" / "templates"
TARGET = ROOT / "sim_client" / "_generated"
HEADER = (
    "# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.\n"
    "# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.\n"
)


def generate(destination: Path) -> None:
    """Write a fresh generated package to ``destination`` (which must not exist)."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [
        str(bin_dir / "openapi-python-client"),
        "generate",
        "--path",
        str(SPEC),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(destination),
        "--fail-on-warning",
    ]
    if TEMPLATES.is_dir():
        command += ["--custom-template-path", str(TEMPLATES)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not destination.is_dir():
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"openapi-python-client failed (exit {result.returncode})")
    _keep_used(destination)
    for path in sorted(destination.rglob("*.py")):
        path.write_text(HEADER + path.read_text(encoding="utf-8"), encoding="utf-8")
    (destination / "py.typed").write_text("", encoding="utf-8")


def _keep_used(package: Path) -> None:
    """Keep what the package uses: the models, the types and the operations table (rendered
    from ``endpoint_init.py.jinja``); the generator's endpoint functions and client go."""
    (package / "api" / "sim_integrations" / "__init__.py").rename(package / "operations.py")
    shutil.rmtree(package / "api")
    (package / "client.py").unlink()
    (package / "errors.py").unlink()


def differences(expected: Path, actual: Path) -> list[str]:
    """Every file that is new, changed or missing in ``actual`` compared with ``expected``."""

    def files(root: Path) -> set[str]:
        if not root.is_dir():
            return set()
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    want, have = files(expected), files(actual)
    found = [f"missing: {name}" for name in sorted(want - have)]
    found += [f"unexpected: {name}" for name in sorted(have - want)]
    found += [
        f"changed: {name}"
        for name in sorted(want & have)
        if not filecmp.cmp(expected / name, actual / name, shallow=False)
    ]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail if the committed output is stale"
    )
    parser.add_argument("--target", type=Path, default=TARGET, help="the generated package folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "_generated"
        generate(fresh)
        if args.check:
            found = differences(fresh, args.target)
            for line in found:
                print(f"{args.target.name}/ {line}")
            if found:
                print("generated code is stale or edited by hand: run `make generate`")
                return 1
            print("generated code is up to date")
            return 0
        shutil.rmtree(args.target, ignore_errors=True)
        shutil.copytree(fresh, args.target)
    print(f"wrote {args.target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
