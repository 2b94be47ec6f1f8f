"""schemathesis against FakeSimServer over loopback, from our fragment: every default check, on
generated requests to each operation and on stateful sequences that follow the fragment's links
(create, then read, replace, patch, patch the rule, delete), with a fixed seed.

The exclusions, each narrow and justified where it is applied:

Each skips ``positive_data_acceptance`` (a schema-valid request must not get a 4xx) for one
kind of 400 only, told by its message:

- **name taken**: a create, replace or patch that reuses a name another integration already
  has, refused as the service refuses it. A schema cannot state uniqueness.
- **patch not applicable**: a schema-valid JSON Patch document that RFC 6902 says must fail on
  this integration: a path that does not exist, a failed ``test``, ``add`` without a value.
  Whether it applies depends on the stored document, not on the body's schema.
- **read-only target**: a patch of ``id``, ``created`` or ``modified``, which the service
  refuses; the fragment cannot mark a JSON Pointer's target read-only.
- **result does not fit**: a body or patch whose result would not fit ``SimIntegration``
  (e.g. ``ownerRef`` as a string, a patch that removes ``name``): the request schemas leave
  such members open (a create may carry any member), the answer's schema does not, and the
  fake must never store what it could not answer.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sim_client.testing import FakeSimServer
from tests.loopback_helpers import no_proxies

pytestmark = [pytest.mark.loopback, pytest.mark.schemathesis]

FRAGMENT = Path(__file__).resolve().parents[2] / "openapi" / "sim-integrations.beta.yaml"
SEED = 20261127
EXAMPLES_PER_OPERATION = 40
# Enough sequences that each linked operation is reached whichever other tests were collected
# (the sequences drawn change with them, derandomized or not).
STATEFUL_RUNS = 100
STATEFUL_STEPS = 8


class ServedFake:
    """The fake served by uvicorn on 127.0.0.1 from an event loop in a thread of its own."""

    def __init__(self) -> None:
        self.fake = FakeSimServer()
        self.base_url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.fake.serve() as base_url:
            self.base_url = base_url
            self._ready.set()
            await self._stop.wait()

    def delete_all(self) -> None:
        """Delete every integration through the API."""
        kwargs = call_kwargs(self)
        with httpx.Client(
            base_url=kwargs["base_url"], headers=kwargs["headers"], trust_env=False
        ) as http:
            for item in http.get("/sim-integrations").raise_for_status().json():
                http.delete(f"/sim-integrations/{item['id']}").raise_for_status()

    def __enter__(self) -> ServedFake:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the fake did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def served() -> Iterator[ServedFake]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        no_proxies(monkeypatch)
        with ServedFake() as served:
            yield served


api = schemathesis.openapi.from_path(FRAGMENT)
api.config.seed = SEED


def call_kwargs(served: ServedFake) -> dict[str, Any]:
    return {
        "base_url": f"{served.base_url}/beta",
        "headers": {"Authorization": f"Bearer {served.fake.token}"},
    }


# The beginning of the message of each excluded 400, by exclusion (see the docstring).
EXCLUDED_REFUSALS = {
    "name taken": "An integration named",
    "patch not applicable": "The JSON Patch document cannot be applied",
    "read-only target": "The fields id, created and modified are read-only",
    "result does not fit (schema)": "The integration does not fit the API's schema",
    "result does not fit (name)": "'name' is required",
    "result does not fit (object)": "The patched integration must be a JSON object",
}


def exclusions(response: Any) -> list[CheckFunction]:
    """The checks skipped for this one answer (see the module's docstring)."""
    if response.status_code != 400:
        return []
    try:
        [message] = response.json()["messages"]
        text = message["text"]
    except (ValueError, KeyError, TypeError):
        return []
    if any(text.startswith(start) for start in EXCLUDED_REFUSALS.values()):
        return [positive_data_acceptance]
    return []


@api.parametrize()
@hypothesis.seed(SEED)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_each_operation_of_the_fake_fits_the_fragment(case: Any, served: ServedFake) -> None:
    kwargs = call_kwargs(served)
    response = case.call(**kwargs)
    case.validate_response(
        response,
        excluded_checks=exclusions(response),
        headers=kwargs["headers"],
        transport_kwargs=kwargs,
    )


def test_stateful_sequences_on_the_fake_fit_the_fragment(served: ServedFake) -> None:
    served.delete_all()
    served.fake.requests.clear()
    base = api.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return call_kwargs(served)

        def teardown(self) -> None:
            """Each sequence starts from an empty service, so that replays are faithful."""
            served.delete_all()
            super().teardown()

        def validate_response(
            self,
            response: Any,
            case: Any,
            additional_checks: list[CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=exclusions(response),
                transport_kwargs=kwargs,
            )

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=STATEFUL_RUNS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    # The links were followed: an integration created in a sequence was then served by each
    # operation on its id (a random JSON Patch seldom applies: reaching the integration is
    # enough, which a 400 rather than a 404 shows).
    item = re.compile(r"/beta/sim-integrations/[0-9a-f]{32}(/beforeProvisioningRule)?")
    followed = {
        (r.method, r.path.endswith("/beforeProvisioningRule"), r.status)
        for r in served.fake.requests
        if item.fullmatch(r.path)
    }
    for method, rule, status in [
        ("GET", False, 200),
        ("PUT", False, 200),
        ("DELETE", False, 204),
    ]:
        assert (method, rule, status) in followed
    for rule in (False, True):
        assert {("PATCH", rule, 200), ("PATCH", rule, 400)} & followed
