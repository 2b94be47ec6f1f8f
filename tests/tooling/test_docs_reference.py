"""Every public name has a docstring and a place in the API reference; the site's pages are
in its navigation; the README stays short.

The reference pages (docs/reference/) are mkdocstrings directives, ``::: dotted.name``; a name
is in the reference when a directive names it or the same object under another public path.
Docstrings are read the way mkdocstrings reads them (griffe, statically), so an attribute's
docstring is the string literal after its assignment.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from functools import cache
from typing import Any

import griffe
import pytest
import yaml

from tests.doc_examples import ROOT

PUBLIC_MODULES = ("sim_client", "sim_client.desired", "sim_client.testing")
REFERENCE = ROOT / "docs" / "reference"

# Names whose docstring lives in a module this page's owners do not edit (the generated code
# and the client module); strictly expected to fail until the docstring is added.
UNDOCUMENTED: dict[str, str] = {}


def public_names() -> list[str]:
    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names += [f"{module_name}.{name}" for name in module.__all__ if not name.startswith("_")]
    return names


@cache
def package() -> griffe.Module:
    loaded = griffe.load("sim_client", resolve_aliases=True, resolve_external=False)
    assert isinstance(loaded, griffe.Module)
    return loaded


def resolve(dotted: str) -> Any:
    module_name, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def directives() -> list[str]:
    found = []
    for page in sorted(REFERENCE.glob("*.md")):
        found += re.findall(r"^::: ([\w.]+)\s*$", page.read_text(encoding="utf-8"), re.M)
    return found


@pytest.mark.parametrize(
    "dotted",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=UNDOCUMENTED[name], strict=True))
        if name in UNDOCUMENTED
        else name
        for name in public_names()
    ],
)
def test_every_public_name_has_a_docstring(dotted: str) -> None:
    path = dotted.removeprefix("sim_client.") if dotted != "sim_client" else ""
    found = package()[path]
    target = found.final_target if found.is_alias else found
    docstring = target.docstring.value.strip() if target.docstring else ""
    assert docstring, f"{dotted} has no docstring (mkdocstrings would show an empty entry)"


def test_every_public_name_is_in_the_reference() -> None:
    documented = [resolve(name) for name in directives()]
    missing = [
        name for name in public_names() if not any(resolve(name) is obj for obj in documented)
    ]
    assert not missing, "add to a page of docs/reference/: " + ", ".join(
        f"'::: {name}'" for name in missing
    )


def test_every_directive_names_a_public_object() -> None:
    for name in directives():
        if name not in PUBLIC_MODULES:
            resolve(name)  # an AttributeError or ImportError names the stale directive


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(entry: Any) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, dict):
            return [page for value in entry.values() for page in pages(value)]
        return [page for item in entry for page in pages(item)]

    listed = pages(config["nav"])
    on_disk = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    assert sorted(listed) == on_disk
    assert any(plugin == "search" for plugin in config["plugins"])


def test_the_names_users_meet_are_documented() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    for phrase in (
        "ResponseTooLargeError",
        "max_response_bytes",
        "sim.strict",
        "export_integrations(secret_name=",
        "secrets={",
        "on_outcome=",
        "--fail-fast",
        "python -m sim_client.testing --sample",
        "Operating safely",
    ):
        assert phrase in text, phrase


def test_the_readme_is_short_and_keeps_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) <= 10 * 1024
    assert "make demo" in readme
    assert "make test" in readme
    assert "## Dependencies" in readme


def test_sphinx_roles_render_as_code_in_the_reference() -> None:
    spec = importlib.util.spec_from_file_location("docs_roles", ROOT / "scripts" / "docs_roles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plain = module.plain
    text = ":class:`~sim_client.NotFoundError` after :meth:`aclose`, see :mod:`sim_client.desired`"
    assert plain(text) == "`NotFoundError` after `aclose`, see `sim_client.desired`"
