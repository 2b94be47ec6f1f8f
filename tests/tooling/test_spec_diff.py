"""``python -m scripts.spec_diff``: synthetic upstream documents built from our fragment, one
change each, and the upstream beta document kept beside the checkout."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import spec_diff

ROOT = Path(__file__).resolve().parents[2]


FRAGMENT = ROOT / "openapi" / "sim-integrations.beta.yaml"
REFERENCE_PATH = Path("shared", "reference", "upstream-beta-sim-integrations.yaml")


def reference() -> Path:
    """The upstream document in ``shared/`` beside the checkout (beside the main checkout, for
    a git worktree)."""
    candidates = [ROOT.parent / REFERENCE_PATH]
    dot_git = ROOT / ".git"
    if dot_git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(dot_git.read_text(encoding="utf-8").partition(":")[2].strip())
        candidates.append(gitdir.parents[2].parent / REFERENCE_PATH)
    return next((path for path in candidates if path.exists()), candidates[0])


OURS: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text(encoding="utf-8"))

Change = Callable[[dict[str, Any]], None]


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"]
    return found


def changed(change: Change) -> dict[str, Any]:
    document = copy.deepcopy(OURS)
    change(document)
    return document


def new_lines(upstream: dict[str, Any], ours: dict[str, Any] = OURS) -> list[str]:
    return [d.line() for d in spec_diff.diff(upstream, ours) if d.deviation is None]


def test_our_fragment_against_itself_has_no_difference() -> None:
    assert spec_diff.diff(OURS, OURS) == []


def add_field(document: dict[str, Any]) -> None:
    schemas(document)["SimIntegration"]["properties"]["ticketPrefix"] = {"type": "string"}


def add_enum_value(document: dict[str, Any]) -> None:
    schemas(document)["OwnerRef"]["properties"]["type"]["enum"].append("GOVERNANCE_GROUP")


def make_nullable(document: dict[str, Any]) -> None:
    schemas(document)["SimIntegration"]["properties"]["name"]["nullable"] = True


def remove_operation(document: dict[str, Any]) -> None:
    del document["paths"]["/sim-integrations/{id}/beforeProvisioningRule"]


def change_type(document: dict[str, Any]) -> None:
    provisioning = schemas(document)["ProvisioningConfig"]["properties"]
    provisioning["provisioningRequestExpiration"] = {"type": "string"}


def add_required(document: dict[str, Any]) -> None:
    schemas(document)["SimIntegrationDetails"]["required"].append("type")


def add_status(document: dict[str, Any]) -> None:
    document["paths"]["/sim-integrations"]["post"]["responses"]["201"] = {"description": "x"}


def add_parameter(document: dict[str, Any]) -> None:
    document["paths"]["/sim-integrations"]["get"]["parameters"] = [
        {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (add_field, "field `ticketPrefix` only upstream"),
        (add_enum_value, 'enum: upstream ["GOVERNANCE_GROUP", "IDENTITY"], ours ["IDENTITY"]'),
        (make_nullable, ".name: nullable: upstream true, ours false"),
        (remove_operation, "operation `PATCH /sim-integrations/{id}/beforeProvisioningRule`"),
        (change_type, '.provisioningRequestExpiration: type: upstream "string"'),
        (add_required, "required `type` only upstream"),
        (add_status, "status `201` only upstream"),
        (add_parameter, "parameter `query:limit` only upstream"),
    ],
    ids=[
        "new-field",
        "new-enum-value",
        "made-nullable",
        "removed-operation",
        "new-type",
        "new-required",
        "new-status",
        "new-parameter",
    ],
)
def test_one_upstream_change_is_reported_as_new(change: Change, expected: str) -> None:
    lines = new_lines(changed(change))
    assert any(expected in line for line in lines), lines


def test_a_listed_deviation_is_reported_with_its_id() -> None:
    def single_object(document: dict[str, Any]) -> None:
        get = document["paths"]["/sim-integrations"]["get"]
        get["responses"]["200"]["content"]["application/json"]["schema"] = {
            "$ref": "#/components/schemas/SimIntegration"
        }

    differences = spec_diff.diff(changed(single_object), OURS)
    assert [(d.where, d.deviation) for d in differences] == [
        ("GET /sim-integrations 200 application/json", "D1")
    ]
    assert differences[0].line().startswith("[D1] ")


def test_a_note_covers_only_what_it_names() -> None:
    # D3 on SimIntegration names `id`, `created` and `modified`: a field upstream lacks is
    # listed only when named, so removing `name` from upstream is new.
    def drop(document: dict[str, Any], field: str) -> None:
        del schemas(document)["SimIntegration"]["properties"][field]

    assert new_lines(changed(lambda d: drop(d, "created"))) == []
    assert new_lines(changed(lambda d: drop(d, "cluster")))


def test_a_second_id_in_one_note_covers_what_it_names() -> None:
    """The response's required set cut down to `id` is D9, named in the note that names D3."""

    def five_required(document: dict[str, Any]) -> None:
        required = ["id", "name", "description", "type", "attributes"]
        schemas(document)["SimIntegration"]["required"] = required

    def without_d9(document: dict[str, Any]) -> None:
        integration = schemas(document)["SimIntegration"]
        note = integration["x-sim-client-deviation"]
        assert " D9: " in note
        integration["x-sim-client-deviation"] = note.split(" D9: ")[0]

    upstream = changed(five_required)
    assert len(new_lines(upstream, changed(without_d9))) == 4 * 6  # four names, six answers
    differences = spec_diff.diff(upstream, OURS)
    assert {d.deviation for d in differences if "required" in d.what} == {"D9"}
    assert [d for d in differences if d.deviation is None] == []


def test_json_and_a_whole_api_document_are_read(tmp_path: Path) -> None:
    whole = changed(add_field)
    whole["paths"]["/accounts"] = {"get": {"responses": {"200": {"description": "other"}}}}
    path = tmp_path / "beta.json"
    path.write_text(json.dumps(whole), encoding="utf-8")
    result = run(path)
    assert result.returncode == 1
    assert "[**new**]" in result.stdout
    assert "/accounts" not in result.stdout
    assert "ticketPrefix" in result.stdout


def test_an_unreadable_document_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- not\n- a document\n", encoding="utf-8")
    result = run(path)
    assert result.returncode == 2
    assert "not an OpenAPI document" in result.stderr


def test_the_upstream_beta_document_shows_only_listed_deviations() -> None:
    path = reference()
    if not path.exists():
        message = f"the upstream reference document is missing: {path}"
        if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    result = run(path)
    assert result.returncode == 0, result.stdout
    assert "**new**" not in result.stdout
    summary = result.stdout.splitlines()[-1]
    for deviation in ("D1", "D2", "D3", "D5", "D10", "D12", "D13", "D14", "D16", "D17", "D18"):
        assert f"{deviation}," in summary or f"{deviation})" in summary, summary
    readme = (ROOT / "openapi" / "README.md").read_text(encoding="utf-8")
    listed = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| D")}
    shown = set(summary.rpartition("(")[2].rstrip(")").split(", "))
    assert shown <= listed


def test_every_note_in_the_fragment_has_a_listed_id() -> None:
    readme = (ROOT / "openapi" / "README.md").read_text(encoding="utf-8")
    listed = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| D")}
    assert listed == {f"D{n}" for n in range(1, 22)}
    notes: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "x-sim-client-deviation":
                    notes.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(OURS)
    assert notes
    for note in notes:
        ids = spec_diff._ID.findall(note)
        assert ids and note.startswith(ids[0]), note
        assert set(ids) <= listed, note


def run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.spec_diff", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
