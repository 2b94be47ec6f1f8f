"""Where the command takes its tenant from (the environment, ``--env FILE``, the sail CLI's
config), the client options it passes on, and the log records it shows on stderr. The client
is made by the real ``SimClient.from_env`` from those settings, over the fake's transport."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sim_client import SimClient
from sim_client.cli import cli
from sim_client.testing import FakeSimServer

SETTINGS = (
    "SAIL_BASE_URL",
    "SAIL_CLIENT_ID",
    "SAIL_CLIENT_SECRET",
    "SAIL_ACCESS_TOKEN",
    "SAIL_API",
)
ELSEWHERE = "https://elsewhere.example.com"


@pytest.fixture
def made() -> list[dict[str, Any]]:
    """The settings and options of each client the command made."""
    return []


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, made: list[dict[str, Any]]) -> FakeSimServer:
    """A fake tenant; clients made from settings reach it whatever their base URL's host."""
    fake = FakeSimServer()
    fake.add_integration({"name": "SAP", "description": "Tickets"})
    real = SimClient.from_env.__func__  # type: ignore[attr-defined]

    def from_env(cls: type[SimClient], /, environ: Any = None, **options: Any) -> SimClient:
        made.append({"environ": dict(environ), **options})
        return real(cls, environ, transport=fake.transport, **options)  # type: ignore[no-any-return]

    monkeypatch.setattr(SimClient, "from_env", classmethod(from_env))
    return fake


def run(fake: FakeSimServer, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    environment: dict[str, str | None] = dict.fromkeys(SETTINGS)
    environment.update(env or {})
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env=environment)
    assert "Traceback" not in result.output
    assert fake.client_secret not in result.output
    return result


def variables(fake: FakeSimServer) -> dict[str, str]:
    return {
        "SAIL_BASE_URL": fake.base_url,
        "SAIL_CLIENT_ID": fake.client_id,
        "SAIL_CLIENT_SECRET": fake.client_secret,
    }


def private(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def api_paths(fake: FakeSimServer) -> set[str]:
    return {r.path for r in fake.requests if "/oauth/" not in r.path}


def test_an_env_file_wins_over_the_environment(
    fake: FakeSimServer, made: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = [f"export {k}={v}" if "URL" in k else f'{k}="{v}"' for k, v in variables(fake).items()]
    env_file = private(tmp_path / "prod.env", "\ufeff# prod\r\n\r\n" + "\r\n".join(lines) + "\n")
    result = run(fake, "list", "--env", env_file, env={"SAIL_BASE_URL": ELSEWHERE})
    assert result.exit_code == 0, result.stderr
    assert "SAP" in result.stdout
    assert made[-1]["environ"]["SAIL_BASE_URL"] == fake.base_url


def test_a_readable_env_file_with_a_secret_is_refused(fake: FakeSimServer, tmp_path: Path) -> None:
    text = "\n".join(f"{k}={v}" for k, v in variables(fake).items())
    env_file = private(tmp_path / "prod.env", text, mode=0o644)
    result = run(fake, "list", "--env", env_file)
    assert result.exit_code == 1
    assert f"{env_file} holds a secret but its mode is 0644" in result.stderr
    assert "chmod 600" in result.stderr
    assert fake.requests == []


def test_the_secret_may_come_from_the_environment_with_the_rest_in_a_file(
    fake: FakeSimServer, tmp_path: Path
) -> None:
    settings = variables(fake)
    secret = {"SAIL_CLIENT_SECRET": settings.pop("SAIL_CLIENT_SECRET")}
    env_file = private(
        tmp_path / "prod.env", "\n".join(f"{k}={v}" for k, v in settings.items()), 0o644
    )
    result = run(fake, "list", "--env", env_file, env=secret)
    assert result.exit_code == 0, result.stderr


def test_env_file_problems_name_their_lines(fake: FakeSimServer, tmp_path: Path) -> None:
    env_file = private(
        tmp_path / "bad.env", "SAIL_BASE_URL=x\nnot a setting\nSAIL_CLIENT_SECRT=y\n"
    )
    result = run(fake, "list", "--env", env_file)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {env_file}:2: expected NAME=value",
        f"{env_file}:3: SAIL_CLIENT_SECRT is not one of SAIL_BASE_URL, SAIL_CLIENT_ID, "
        "SAIL_CLIENT_SECRET, SAIL_ACCESS_TOKEN, SAIL_API",
    ]


def sail_config(path: Path, fake: FakeSimServer, pat: str = "", mode: int = 0o600) -> Path:
    return private(
        path,
        "activeenvironment: dev\n"
        "authtype: pat\n"
        "environments:\n"
        "  dev:\n"
        f"    baseurl: {ELSEWHERE}\n"
        "    tenanturl: https://dev.identitynow.com\n"
        "  prod:\n"
        f"    baseurl: {fake.base_url}\n"
        "    tenanturl: https://prod.identitynow.com\n" + pat,
        mode,
    )


def test_a_tenant_of_the_sail_config_with_credentials_from_the_environment(
    fake: FakeSimServer, tmp_path: Path
) -> None:
    config = sail_config(tmp_path / "config.yaml", fake, mode=0o644)
    credentials = {k: v for k, v in variables(fake).items() if k != "SAIL_BASE_URL"}
    result = run(fake, "list", "--tenant", "PROD", "--sail-config", config, "-v", env=credentials)
    assert result.exit_code == 0, result.stderr
    assert f"tenant {fake.base_url} (api beta) from --tenant PROD ({config})" in result.stderr
    unknown = run(fake, "list", "--tenant", "qa", "--sail-config", config, env=credentials)
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        f"error: --tenant: no environment 'qa' in {config} (known: dev, prod)\n"
    )


def test_a_sail_config_holding_a_secret_must_be_private(
    fake: FakeSimServer, tmp_path: Path
) -> None:
    pat = f"    pat:\n      clientid: {fake.client_id}\n      clientsecret: {fake.client_secret}\n"
    config = sail_config(tmp_path / "config.yaml", fake, pat=pat, mode=0o640)
    refused = run(fake, "list", "--tenant", "prod", "--sail-config", config)
    assert refused.exit_code == 1
    assert "holds a secret but its mode is 0640" in refused.stderr
    config.chmod(0o600)
    assert run(fake, "list", "--tenant", "prod", "--sail-config", config).exit_code == 0
    both = run(fake, "list", "--tenant", "prod", "--env", config)
    assert both.stderr == "error: give --env or --tenant, not both\n"
    alone = run(fake, "list", "--sail-config", config)
    assert alone.stderr == "error: --sail-config needs --tenant NAME\n"


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ("V2025", "/v2025/sim-integrations"),
        ("v2024", "/v2024/sim-integrations"),
        ("V1", "/sim-integrations/v1"),
        ("Beta", "/beta/sim-integrations"),
    ],
)
def test_api_in_any_letter_case(fake: FakeSimServer, given: str, path: str) -> None:
    assert run(fake, "list", "--api", given, env=variables(fake)).exit_code == 0
    assert api_paths(fake) == {path}
    fake.requests.clear()
    assert run(fake, "list", env={**variables(fake), "SAIL_API": given}).exit_code == 0
    assert api_paths(fake) == {path}


def test_errors_name_flags_and_variables_not_arguments(fake: FakeSimServer) -> None:
    bad_api = run(fake, "list", "--api", "v3", env=variables(fake))
    assert bad_api.exit_code == 1
    assert "'--api'" in bad_api.stderr
    bad_variable = run(fake, "list", env={**variables(fake), "SAIL_API": "v3"})
    assert bad_variable.stderr.startswith("error: SAIL_API: unknown API 'v3'; use one of beta,")
    plain_http = run(fake, "list", env={**variables(fake), "SAIL_BASE_URL": "http://example.com"})
    assert plain_http.exit_code == 1
    assert plain_http.stderr.startswith("error: SAIL_BASE_URL must use https")
    assert "base_url" not in plain_http.stderr
    for option, value in (("--timeout", "0"), ("--timeout", "nan"), ("--max-retries", "-1")):
        refused = run(fake, "list", option, value, env=variables(fake))
        assert refused.exit_code == 1
        assert f"'{option}'" in refused.stderr
    assert fake.requests == []


def test_timeout_and_max_retries_reach_the_client(
    fake: FakeSimServer, made: list[dict[str, Any]]
) -> None:
    fake.fail(503, method="GET")
    result = run(fake, "list", "--max-retries", "0", "--timeout", "5", env=variables(fake))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ServerError: GET /beta/sim-integrations")
    assert made[-1]["max_retries"] == 0 and made[-1]["timeout"] == 5.0
    assert run(fake, "list", env=variables(fake)).exit_code == 0  # retried by default
    assert "max_retries" not in made[-1] and "timeout" not in made[-1]


def test_info_records_show_on_stderr_and_debug_adds_the_request_log(
    fake: FakeSimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = SimClient.list_integrations

    async def waiting(self: SimClient) -> Any:
        logging.getLogger("sim_client").info("waiting 6 s for the rate limit (\x1b[2J)")
        logging.getLogger("sim_client").debug("a detail")
        return await listed(self)

    monkeypatch.setattr(SimClient, "list_integrations", waiting)
    result = run(fake, "list", env=variables(fake))
    assert result.exit_code == 0
    assert result.stderr == "waiting 6 s for the rate limit (\\x1b[2J)\n"
    assert "waiting" not in result.stdout
    debug = run(fake, "list", "--debug", env=variables(fake))
    assert "debug: a detail" in debug.stderr
    assert "debug: GET /beta/sim-integrations -> 200" in debug.stderr
    assert fake.client_secret not in debug.stderr and fake.client_id not in debug.stderr


def test_common_options_may_come_before_the_command(
    fake: FakeSimServer, made: list[dict[str, Any]], tmp_path: Path
) -> None:
    env_file = private(
        tmp_path / "prod.env", "\n".join(f"{k}={v}" for k, v in variables(fake).items())
    )
    result = run(fake, "--env", env_file, "--max-retries", "0", "-v", "list", "--timeout", "9")
    assert result.exit_code == 0, result.stderr
    assert f"from --env {env_file}" in result.stderr
    assert made[-1]["max_retries"] == 0 and made[-1]["timeout"] == 9.0
    overridden = run(fake, "--max-retries", "0", "list", "--max-retries", "3", env=variables(fake))
    assert overridden.exit_code == 0
    assert made[-1]["max_retries"] == 3
