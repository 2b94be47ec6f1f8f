# Every target bootstraps what it needs from nothing but python3 (>= 3.11).
PYTHON ?= python3
UV_VERSION := 0.13.8
BOOT := .tools
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: all venv node generate check-generated lint typecheck unit test demo bench clean

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

generate: venv
	$(BIN)/python scripts/generate.py

check-generated: venv
	$(BIN)/python scripts/generate.py --check

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest

test: lint typecheck check-generated
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node; fi
	$(BIN)/pytest

demo: venv
	$(BIN)/python scripts/demo.py

bench: venv
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) $(BOOT) .bench-peer node_modules build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results.json bench-peer-results.json
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
