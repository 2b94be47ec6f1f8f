"""Reading desired-state files: YAML 1.2 typing, merge keys, aliases, BOMs, locations, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim_client.desired import DesiredStateError, load_documents
from sim_client.errors import SimError


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def problems_of(*paths: Path) -> tuple[str, ...]:
    with pytest.raises(DesiredStateError) as caught:
        load_documents(paths)
    return caught.value.problems


def test_yaml_1_2_core_typing(tmp_path: Path) -> None:
    source = write(
        tmp_path / "typing.yaml",
        "- name: A\n"
        "  attributes:\n"
        "    password: no\n"
        "    a: yes\n    b: on\n    c: off\n    d: y\n    e: NO\n"
        "    pin: 012345\n"
        "    octal: 0o17\n    hex: 0x1f\n    decimal: 12345\n    negative: -3\n"
        "    time: 1:30\n    sexagesimal: 190:20:30\n"
        "    real: 1.5\n    exp: 1e3\n    truth: true\n    nothing: null\n    tilde: ~\n"
        "    date: 2024-01-01\n",
    )
    (document,) = load_documents([source])
    assert document["attributes"] == {
        "password": "no",
        "a": "yes",
        "b": "on",
        "c": "off",
        "d": "y",
        "e": "NO",
        "pin": "012345",
        "octal": 15,
        "hex": 31,
        "decimal": 12345,
        "negative": -3,
        "time": "1:30",
        "sexagesimal": "190:20:30",
        "real": 1.5,
        "exp": 1000.0,
        "truth": True,
        "nothing": None,
        "tilde": None,
        "date": "2024-01-01",
    }


def test_merge_keys_work(tmp_path: Path) -> None:
    source = write(
        tmp_path / "merge.yaml",
        "x-base: &base {description: shared, type: ServiceNow, attributes: {instance: acme}}\n"
        "integrations:\n"
        "- <<: *base\n  name: A\n"
        "- <<: *base\n  name: B\n  description: own\n",
    )
    assert load_documents([source]) == [
        {
            "name": "A",
            "description": "shared",
            "type": "ServiceNow",
            "attributes": {"instance": "acme"},
        },
        {
            "name": "B",
            "description": "own",
            "type": "ServiceNow",
            "attributes": {"instance": "acme"},
        },
    ]
    inline = write(
        tmp_path / "inline.yaml",
        "- &a {name: A, description: shared, type: ServiceNow}\n"
        "- <<: *a\n  name: B\n  description: own\n",
    )
    assert load_documents([inline])[1] == {"name": "B", "description": "own", "type": "ServiceNow"}
    # Another key next to `integrations` is not understood: said so, with its place.
    stray = write(tmp_path / "stray.yaml", "base: &b {name: A}\nintegrations:\n- *b\n")
    assert problems_of(stray) == (
        f"{stray}:1:1: unknown field `base` next to `integrations` "
        "(a key starting with x- may hold YAML anchors)",
    )


def test_a_recursive_alias_is_refused_at_once(tmp_path: Path) -> None:
    bomb = write(tmp_path / "bomb.yaml", "- name: A\n  attributes: &x {a: *x, b: *x, c: *x}\n")
    listed = write(tmp_path / "list.yaml", "- &x [*x]\n")
    assert problems_of(bomb) == (f"{bomb}:2:15: an alias refers to a node that holds it (a cycle)",)
    (problem,) = problems_of(listed)
    assert "(a cycle)" in problem
    assert problem.startswith(f"{listed}:1:")


def test_aliases_that_expand_past_the_limit_are_refused_before_anything_is_built(
    tmp_path: Path,
) -> None:
    lines = ["- name: A", "  attributes:", "    a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"    a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = write(tmp_path / "laughs.yaml", "\n".join(lines) + "\n")
    assert problems_of(bomb) == (
        f"{bomb}:1:1: aliases expand to more than the 1000000 values a desired state may hold",
    )


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_bom_is_accepted(tmp_path: Path, suffix: str) -> None:
    source = write(tmp_path / f"bom{suffix}", '[{"name": "A"}]', encoding="utf-8-sig")
    assert source.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_documents([source]) == [{"name": "A"}]


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '[{"name": "A", "attributes": {"n": ' + "9" * 5000 + "}}]"),
        (".yaml", "- name: A\n  attributes:\n    n: " + "9" * 5000 + "\n"),
    ],
)
def test_an_integer_too_long_to_convert_is_a_problem_with_its_place(
    tmp_path: Path, suffix: str, text: str
) -> None:
    source = write(tmp_path / f"long{suffix}", text)
    (problem,) = problems_of(source)
    assert problem.endswith("attributes.n: is an integer of 5000 digits (at most 4300)")
    line = "1" if suffix == ".json" else "3"
    assert problem.startswith(f"{source}:{line}:")


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '[{"name": "A", "description": "\\ud800"}]'),
        (".json", '[{"name": "A", "attributes": {"\\udfff": "x"}}]'),
        (".yaml", '- name: A\n  description: "\\ud800"\n'),
    ],
)
def test_a_lone_surrogate_is_refused_at_load(tmp_path: Path, suffix: str, text: str) -> None:
    source = write(tmp_path / f"surrogate{suffix}", text)
    (problem,) = problems_of(source)
    assert "lone surrogate" in problem
    assert problem.startswith(f"{source}:")


def test_every_problem_of_every_file_at_once_with_file_line_and_column(tmp_path: Path) -> None:
    first = write(
        tmp_path / "first.yaml",
        "- name: A\n"
        "  atributes:\n"
        "    password: hunter2\n"
        "  ownerRef: {type: IDENTITY, idd: x}\n"
        "- name: B\n"
        "  provisioningConfig:\n"
        "    managedResourceRefs:\n"
        "    - {type: SOURCE, id: s, nmae: n}\n"
        "    planInitializerScript: {sorce: x}\n"
        "    noProvisioningRequest: true\n",
    )
    second = write(
        tmp_path / "second.json",
        '{"integrations": [\n  {"name": "C",\n   "clusterRef": {"id": "c", "typ": "CLUSTER"},\n'
        '   "beforeProvisioningRule": {"id": "r", "nam": "x"}}\n]}',
    )
    problems = problems_of(first, second)
    assert problems == (
        f"{first}:2:3: atributes: unknown field `atributes`; did you mean `attributes`?",
        f"{first}:4:30: ownerRef.idd: unknown field `idd`; did you mean `id`?",
        f"{first}:10:5: provisioningConfig.noProvisioningRequest: unknown field "
        "`noProvisioningRequest`; did you mean `noProvisioningRequests`?",
        f"{first}:8:29: provisioningConfig.managedResourceRefs[0].nmae: unknown field `nmae`;"
        " did you mean `name`?",
        f"{first}:9:29: provisioningConfig.planInitializerScript.sorce: unknown field `sorce`;"
        " did you mean `source`?",
        f"{second}:3:30: clusterRef.typ: unknown field `typ`; did you mean `type`?",
        f"{second}:4:42: beforeProvisioningRule.nam: unknown field `nam`; did you mean `name`?",
    )
    assert not any("hunter2" in problem for problem in problems)


def test_yaml_problems_name_line_and_column(tmp_path: Path) -> None:
    tabs = write(tmp_path / "tabs.yaml", "- name: A\n\tdescription: x\n")
    (problem,) = problems_of(tabs)
    assert problem.startswith(f"{tabs}:2:1: not valid YAML:")


def test_desired_state_errors_are_sim_errors_and_value_errors() -> None:
    from sim_client.desired import DuplicateNameError, StalePlanError

    assert issubclass(DesiredStateError, SimError)
    assert issubclass(DesiredStateError, ValueError)
    assert issubclass(StalePlanError, SimError)
    assert issubclass(DuplicateNameError, SimError)
