# Every target bootstraps what it needs from nothing but python3 (>= 3.11).
PYTHON ?= python3
UV_VERSION := 0.13.8
# The last release of the official SDK that has the beta SIM Integrations API.
SAILPOINT_VERSION := 1.4.2
BOOT := .tools
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: all venv node redis bench-burst generate check-generated lint typecheck unit docs test test-strict test-lowest spec-diff demo bench bench-peer mutation clean

all: test

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(BIN)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	touch $@

venv: $(BIN)/.synced

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

# The shared rate-limit tests run against a real redis-server (Debian's package).
redis:
	@command -v redis-server >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; }

generate: venv
	$(BIN)/python -m scripts.generate

check-generated: venv
	$(BIN)/python -m scripts.generate --check

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

unit: venv redis
	$(BIN)/pytest

# The documentation site (docs/, mkdocs.yml) into build/site: a broken link, a missing page or
# reference, or any other warning fails the build. Its examples run in the test suite.
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: lint typecheck check-generated docs redis
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node; fi
	$(BIN)/pytest
	$(MAKE) --no-print-directory test-strict

# The client tests against the fake once more with every SimClient reading strictly: the fake
# answers only what the fragment allows.
test-strict: venv
	$(BIN)/pytest -q --strict-reading -m "not contract" tests/fake/test_scenarios.py \
		tests/fake/test_fake_server.py tests/fake/test_soak.py \
		tests/tooling/test_readme.py tests/tooling/test_demo.py

# The lowest versions the runtime ranges allow (the core's and every extra's), in a second
# environment, with every other package at its locked version; then the unit and loopback tests.
LOWEST := .venv-lowest
$(LOWEST)/.synced: $(UV) pyproject.toml uv.lock
	rm -rf $(LOWEST)
	$(UV) venv --quiet --python $(PYTHON) $(LOWEST)
	$(UV) export --frozen --all-extras --no-emit-project --no-hashes --no-header --quiet \
		| $(PYTHON) -m scripts.lowest_requirements > $(LOWEST)/locked-others.txt
	$(UV) pip install --python $(LOWEST)/bin/python --resolution lowest-direct \
		-e ".[testing,cli,aiohttp,redis]" -r $(LOWEST)/locked-others.txt
	touch $@

test-lowest: $(LOWEST)/.synced redis
	$(UV) pip list --python $(LOWEST)/bin/python | grep -iE '^(httpx|attrs|sniffio|jsonpatch|starlette|uvicorn|click|rich|pyyaml|aiohttp|httpx-aiohttp|yarl|redis) '
	$(LOWEST)/bin/pytest -m "not contract" -p no:cacheprovider

# Compare an upstream OpenAPI document with our fragment: make spec-diff UPSTREAM=path
spec-diff: venv
	@test -n "$(UPSTREAM)" || { echo "usage: make spec-diff UPSTREAM=path/to/document.yaml"; exit 2; }
	$(BIN)/python -m scripts.spec_diff "$(UPSTREAM)"

demo: venv
	$(BIN)/python -m scripts.demo

# The benchmark (about 10 minutes on 2 cores): its table on stdout, progress on stderr, the
# plot in docs/img/ and the results section of BENCHMARKS.md rewritten. With the SDK's venv
# (made by `make bench-peer`) present, the official SDK is measured too.
PEER_PYTHON := .bench-peer/bin/python
bench: venv
	$(BIN)/python -m scripts.bench.main --plot docs/img/benchmark.png --markdown BENCHMARKS.md \
		$(if $(wildcard $(PEER_PYTHON)),--peer-python $(PEER_PYTHON))

# Burst under the limit: 400 gets and 250 creates against the fake limiting like the service.
# BURST_OPTIONS='--processes 2 --store redis://127.0.0.1:6379/0' shares one budget via Redis.
bench-burst: venv
	$(BIN)/python -m scripts.bench.burst $(BURST_OPTIONS)

# Optional: the official SDK in its own venv, measured against SimClient on the same server.
$(PEER_PYTHON):
	$(PYTHON) -m venv .bench-peer
	$(PEER_PYTHON) -m pip install --quiet --disable-pip-version-check "sailpoint==$(SAILPOINT_VERSION)"

bench-peer: venv $(PEER_PYTHON)
	$(BIN)/python -m scripts.bench.peer --peer-python $(PEER_PYTHON)

# Mutation testing of the hand-written modules with mutmut (see tests/MUTATION.md); not part of
# `make test` or CI. CPU-heavy: one worker, niced; MUTATE narrows it to one module, e.g.
# `make mutation MUTATE='sim_client.auth.*'`. Prints the score of each module.
MUTATE ?=
mutation: venv
	nice -n 10 $(BIN)/mutmut run --max-children 1 $(if $(MUTATE),"$(MUTATE)")
	$(BIN)/python -m scripts.mutation_score

clean:
	rm -rf $(VENV) $(LOWEST) $(BOOT) mutants .bench-peer node_modules build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results.json bench-results.png \
		bench-peer-results.json bench-peer-results.png
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
