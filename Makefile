# Every target sets itself up: a fresh machine needs only Python 3.13 (pyenv) and network access to PyPI.
SHELL := /bin/bash
export APOLLO_DATA_DIR ?= $(CURDIR)/.data
export DAGSTER_HOME ?= $(APOLLO_DATA_DIR)/dagster_home
PYTHON ?= python3.13
UV := $(PYTHON) -m uv

.PHONY: setup run test check ui serve dashboards stream bench lint format clean

setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@# Bytecode ahead of time: where PYTHONDONTWRITEBYTECODE is set (as on this project's CI machines), every process
	@# (steps, code servers, dbt, workers) would otherwise compile what it imports from source: 16 s instead of 7 s
	@# to import the definitions here.
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen --no-sync python -m compileall -q -j 0 apollo_assets ml_assets >/dev/null
	@# The fast reader's numba kernels, compiled once into their cache beside the code (~20 s the first time).
	@$(UV) run --frozen --no-sync python -c "import apollo_assets.kernel_preload"
	@mkdir -p "$(DAGSTER_HOME)" && cp -n dagster.yaml "$(DAGSTER_HOME)/dagster.yaml" 2>/dev/null || true

run: setup ## generate a sample backup if the bucket is empty, then run the whole graph for the new backup
	@$(UV) run --frozen apollo run

test: setup ## the whole test suite, browser end-to-end tests included
	@$(UV) run --frozen pytest

check: setup ## the inner loop: ruff, then the unit tier (tests/tiers.py: no servers, processes, pipeline runs or dbt)
	@$(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .
	@$(UV) run --frozen pytest -m "not integration" -q

ui: setup ## the Dagster UI and daemon (sensors, automation, freshness) on http://127.0.0.1:3000
	@cp -u dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"  # the instance follows the repository's dagster.yaml
	@$(UV) run --frozen dagster dev -w workspace.yaml -h 127.0.0.1 -p $${UI_PORT:-3000}

serve: setup ## the Data & ML service on http://127.0.0.1:8000
	@$(UV) run --frozen apollo serve

dashboards: setup ## the metric dashboards (Streamlit) on http://127.0.0.1:8501, linking to the UI on :3000
	@$(UV) run --frozen apollo dashboards

stream: setup ## the stream service; without APOLLO_KAFKA_BOOTSTRAP, a local broker and generated events too
	@$(UV) run --frozen apollo stream $(if $(APOLLO_KAFKA_BOOTSTRAP),,--local-broker --demo)

bench: setup ## every benchmark; each prints one JSON line last
	@for script in benchmarks/*.py; do $(UV) run --frozen python "$$script" || exit 1; done

lint: setup
	@$(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .

format: setup
	@$(UV) run --frozen ruff check --fix . && $(UV) run --frozen ruff format .

clean:
	rm -rf .data dbt/target dbt/logs
