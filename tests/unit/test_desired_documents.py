"""Desired-state documents without a service: the credential rule, placeholders, the canonical
form, the checks of documents and the reading of files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim_client.desired import (
    DesiredStateError,
    canonical,
    default_secret_name,
    desired_documents,
    is_credential_name,
    load_documents,
    load_id_map,
    map_ids,
    masked,
)
from sim_client.desired._secrets import hide_secrets, placeholders, resolve


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "PASSWORD",
        "Password",
        "keystorePassword",
        "passwd",
        "client_secret",
        "clientSecret",
        "clientsecret",
        "apiKey",
        "api_key",
        "API-KEY",
        "APIKey",
        "apikey",
        "accessToken",
        "refresh_token",
        "token",
        "privateKey",
        "private_key",
        "credentials",
        "oauthCredential",
        "passphrase",
        "pwd",
        "secretAccessKey",
    ],
)
def test_credential_like_names_are_secrets(name: str) -> None:
    assert is_credential_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "keyboard",
        "monkey",
        "keystore",
        "tokens",
        "instance",
        "username",
        "user",
        "url",
        "tokenUrl",
        "token_endpoint",
        "passwordPolicy",
        "keyId",
        "privateKeyPath",
        "secretName",
        "",
        "___",
    ],
)
def test_false_friends_and_metadata_are_not_secrets(name: str) -> None:
    assert not is_credential_name(name)


@pytest.mark.parametrize(
    ("integration", "member", "expected"),
    [
        ("ServiceNow - HR", ("password",), "SIM_SERVICENOW_HR_PASSWORD"),
        ("prod", ("oauth", "clientSecret"), "SIM_PROD_OAUTH_CLIENTSECRET"),
        ("Ünïcode name!", ("api-key",), "SIM_N_CODE_NAME_API_KEY"),
    ],
)
def test_placeholder_names(integration: str, member: tuple[str, ...], expected: str) -> None:
    assert default_secret_name(integration, member) == expected


def test_secrets_become_placeholders_and_literals_survive_the_round_trip() -> None:
    attributes = {
        "instance": "acme.service-now.com",
        "password": "hunter2",
        "empty_password": "",
        "pin_token": 1234,
        "oauth": {"clientSecret": "s3cr3t", "clientId": "abc"},
        "credentials": [{"user": "u", "pass": "p"}],
        "template": "${plan.arguments.id}",
        "literal": "${NOT_A_SECRET}",
        "escaped": "$${X}",
    }
    hidden = hide_secrets(attributes, lambda member: default_secret_name("HR", member))
    assert hidden == {
        "instance": "acme.service-now.com",
        "password": "${SIM_HR_PASSWORD}",
        "empty_password": "",
        "pin_token": 1234,
        "oauth": {"clientSecret": "${SIM_HR_OAUTH_CLIENTSECRET}", "clientId": "abc"},
        "credentials": [
            {"user": "${SIM_HR_CREDENTIALS_0_USER}", "pass": "${SIM_HR_CREDENTIALS_0_PASS}"}
        ],
        "template": "$${plan.arguments.id}",
        "literal": "$${NOT_A_SECRET}",
        "escaped": "$$$${X}",
    }
    values = {
        "SIM_HR_PASSWORD": "hunter2",
        "SIM_HR_OAUTH_CLIENTSECRET": "s3cr3t",
        "SIM_HR_CREDENTIALS_0_USER": "u",
        "SIM_HR_CREDENTIALS_0_PASS": "p",
    }
    assert {name for _, name in placeholders(hidden)} == set(values)
    assert resolve(hidden, values) == attributes


def test_a_naming_function_must_give_variable_names() -> None:
    for bad in ("not valid", "lower_case", ""):

        def name_for(member: tuple[str, ...], bad: str = bad) -> str:
            return bad

        with pytest.raises(ValueError, match="not a valid variable name"):
            hide_secrets({"password": "a"}, name_for)


def test_masked_hides_credential_values_at_any_depth() -> None:
    document = {
        "name": "x",
        "attributes": {"password": "hunter2", "nested": {"apiKey": 7}, "instance": "i"},
        "description": "password",
    }
    assert masked(document) == {
        "name": "x",
        "attributes": {
            "password": "(sensitive)",
            "nested": {"apiKey": "(sensitive)"},
            "instance": "i",
        },
        "description": "password",
    }


def test_canonical_form_drops_read_only_fields_and_nulls_fills_defaults_orders_keys() -> None:
    wire = {
        "provisioningConfig": {"universalManager": True, "noProvisioningRequests": None},
        "modified": "2024-01-01T00:00:00Z",
        "id": "abc",
        "created": "2024-01-01T00:00:00Z",
        "clusterRef": None,
        "ownerRef": {"type": "IDENTITY", "name": None, "id": "o"},
        "name": "n",
        "managedSources": ["b", "a"],
    }
    document = canonical(wire)
    assert document == {
        "name": "n",
        "description": "",
        "type": "ServiceNowSDIM",
        "attributes": {},
        "managedSources": ["b", "a"],
        "ownerRef": {"id": "o", "type": "IDENTITY"},
        "provisioningConfig": {},
    }
    assert list(document) == [
        "name",
        "description",
        "type",
        "attributes",
        "managedSources",
        "ownerRef",
        "provisioningConfig",
    ]
    assert list(document["ownerRef"]) == ["id", "type"]


def test_id_map_rewrites_every_reference_and_keeps_unknown_ids() -> None:
    document = {
        "name": "n",
        "ownerRef": {"type": "IDENTITY", "id": "o1", "name": "Ada"},
        "clusterRef": {"type": "CLUSTER", "id": "c1"},
        "beforeProvisioningRule": {"type": "RULE", "id": "r1"},
        "managedSources": ["s1", "unknown"],
        "sources": ["s1"],
        "cluster": "c1",
        "provisioningConfig": {"managedResourceRefs": [{"type": "SOURCE", "id": "s1"}]},
        "attributes": {"id": "o1"},
    }
    ids = {"o1": "o2", "c1": "c2", "r1": "r2", "s1": "s2"}
    assert map_ids(document, ids) == {
        "name": "n",
        "ownerRef": {"type": "IDENTITY", "id": "o2", "name": "Ada"},
        "clusterRef": {"type": "CLUSTER", "id": "c2"},
        "beforeProvisioningRule": {"type": "RULE", "id": "r2"},
        "managedSources": ["s2", "unknown"],
        "sources": ["s2"],
        "cluster": "c2",
        "provisioningConfig": {"managedResourceRefs": [{"type": "SOURCE", "id": "s2"}]},
        "attributes": {"id": "o1"},
    }


def test_every_problem_of_every_document_is_reported() -> None:
    desired = [
        {"name": "ok"},
        {"description": "no name"},
        {"name": "   "},
        {
            "name": "wrong types",
            "description": 5,
            "attributes": "a string",
            "statusMap": {"closed": 1},
            "managedSources": ["a", 2],
            "ownerRef": {"type": "CLUSTER", "id": 3},
            "beforeProvisioningRule": {"type": "NOT_A_TYPE"},
            "provisioningConfig": {
                "managedResourceRefs": [{"type": "SOURCE", "id": "s"}, "x"],
                "noProvisioningRequests": "yes",
                "provisioningRequestExpiration": True,
                "planInitializerScript": {"source": 1},
            },
            "request": {"when": float("nan")},
        },
        {"name": "ok"},
        "not a mapping",
    ]
    with pytest.raises(DesiredStateError) as caught:
        desired_documents({"integrations": desired})
    assert caught.value.problems == (
        "desired[1]: name: is required",
        "desired[2]: name: must be a non-blank string",
        "desired[3]: request.when: must be a finite number",
        "desired[3]: description: must be a string, not an integer",
        "desired[3]: attributes: must be a mapping, not a string",
        "desired[3]: statusMap.closed: must be a string, not an integer",
        "desired[3]: managedSources[1]: must be a string (an id), not an integer",
        "desired[3]: ownerRef.id: must be a string, not an integer",
        "desired[3]: ownerRef.type: must be IDENTITY",
        "desired[3]: beforeProvisioningRule.type: must be a known reference type",
        "desired[3]: provisioningConfig.managedResourceRefs[1]: must be a mapping, not a string",
        "desired[3]: provisioningConfig.noProvisioningRequests: must be a boolean, not a string",
        "desired[3]: provisioningConfig.provisioningRequestExpiration: must be an integer, "
        "not a boolean",
        "desired[3]: provisioningConfig.planInitializerScript.source: must be a string, "
        "not an integer",
        "desired[4]: name: 'ok' is also the name of desired[0]",
        "desired[5]: must be a mapping of fields, not a string",
    )
    assert str(caught.value).startswith("16 problems in the desired state:\n  - desired[1]")


def test_desired_must_be_a_list() -> None:
    with pytest.raises(TypeError):
        desired_documents("integrations")


def test_null_is_not_set_and_read_only_fields_are_ignored() -> None:
    (document,) = desired_documents([{"name": "n", "description": None, "id": "x"}])
    assert canonical(document) == {
        "name": "n",
        "description": "",
        "type": "ServiceNowSDIM",
        "attributes": {},
    }


# --- files ---


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_json_files_load_in_both_shapes(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.yaml",
        "integrations:\n- name: A\n  description: 2024-01-01\n  attributes: {enabled: yes}\n",
    )
    second = write(tmp_path / "b.json", '[{"name": "B", "type": "ServiceNow"}]')
    documents = load_documents([first, second])
    # Dates stay strings (as in JSON); YAML 1.1 booleans are strings (YAML 1.2 core).
    assert documents == [
        {"name": "A", "description": "2024-01-01", "attributes": {"enabled": "yes"}},
        {"name": "B", "type": "ServiceNow"},
    ]


def test_bad_files_report_every_problem_with_file_index_and_field(tmp_path: Path) -> None:
    syntax = write(tmp_path / "syntax.yaml", "integrations:\n- name: [unclosed\n")
    duplicate_key = write(tmp_path / "dupkey.yaml", "- name: A\n  name: B\n")
    json_error = write(tmp_path / "bad.json", '[{"name": "A",}]')
    nan = write(tmp_path / "nan.json", '[{"name": "N", "attributes": {"x": NaN}}]')
    shapes = write(
        tmp_path / "shapes.yaml",
        "- name: A\n- description: no name\n- name: B\n  attributes: [1]\n"
        "- name: C\n  created: 2024-01-01\n  request: {when: 2024-01-01}\n",
    )
    again = write(tmp_path / "again.yaml", "integrations:\n- name: A\n")
    scalar = write(tmp_path / "scalar.yaml", "just text\n")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(DesiredStateError) as caught:
        load_documents([syntax, duplicate_key, json_error, nan, shapes, again, scalar, missing])
    problems = caught.value.problems
    assert len(problems) == 9, problems
    assert problems[0].startswith(f"{syntax}:3:1: not valid YAML:")
    assert problems[1] == f"{duplicate_key}:2:3: not valid YAML: the key 'name' appears twice"
    assert (
        problems[2]
        == f"{json_error}:1:15: not valid JSON: Expecting property name enclosed in double quotes"
    )
    assert problems[3] == f"{nan}:1:31: attributes.x: must be a finite number"
    assert problems[4] == f"{shapes}:2:3: name: is required"
    assert problems[5] == f"{shapes}:4:3: attributes: must be a mapping, not a list"
    assert problems[6] == f"{again}:2:3: name: 'A' is also the name of {shapes}:1:3"
    assert (
        problems[7] == f"{scalar}:1:1: expected a list of integrations or {{integrations: [...]}}"
    )
    assert problems[8].startswith(f"{missing}: cannot be read: FileNotFoundError")


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    evil = write(tmp_path / "evil.yaml", "- name: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(DesiredStateError, match="not valid YAML"):
        load_documents([evil])


def test_a_key_that_is_a_list_or_a_mapping_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    sequence = write(tmp_path / "a.yaml", "- name: A\n  attributes:\n    ? [a, b]\n    : 1\n")
    mapping = write(tmp_path / "b.yaml", "- name: B\n  attributes: {? {a: 1} : 1}\n")
    with pytest.raises(DesiredStateError) as caught:
        load_documents([sequence, mapping])
    assert len(caught.value.problems) == 2
    assert all("a key is a list or a mapping" in problem for problem in caught.value.problems)


def test_aliases_that_expand_past_any_real_desired_state_are_refused(tmp_path: Path) -> None:
    # A "billion laughs" file stays small and is refused at once: 2**21 values from 21
    # anchors in one document, or 2**18 in each of 16 documents (the fourth goes past).
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 21)]
    anchors = "\n".join(lines) + "\n"
    one = write(
        tmp_path / "one.yaml", anchors + "integrations:\n- {name: A, attributes: {p: *a20}}\n"
    )
    many = write(
        tmp_path / "many.yaml",
        anchors
        + "integrations:\n"
        + "".join(f"- {{name: N{i}, attributes: {{p: *a16}}}}\n" for i in range(16)),
    )
    for bomb in (one, many):
        with pytest.raises(DesiredStateError) as caught:
            load_documents([bomb])
        assert caught.value.problems == (
            f"{bomb}:1:1: aliases expand to more than the 1000000 values a desired state may hold",
        )


def test_id_map_files(tmp_path: Path) -> None:
    good = write(tmp_path / "ids.yaml", "aaa: bbb\nccc: ddd\n")
    assert load_id_map(good) == {"aaa": "bbb", "ccc": "ddd"}
    bad = write(tmp_path / "bad.yaml", "aaa: 1\n'': x\n")
    with pytest.raises(DesiredStateError) as caught:
        load_id_map(bad)
    assert len(caught.value.problems) == 2
    with pytest.raises(DesiredStateError, match="expected a mapping of ids"):
        load_id_map(write(tmp_path / "list.yaml", "- a\n"))
