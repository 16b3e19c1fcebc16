"""Loading the definitions stays cheap and quiet: none of the libraries the steps compute with is imported (the
steps' forkserver preloads them, `apollo_assets/step_preload.py`), and nothing warns, neither when the definitions
load nor when the pipeline job is resolved (as each step process does). Each check runs in a fresh interpreter,
with Python's default warning filters, as `make run` and a code server have them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration  # fresh interpreters, one per check

# What only a running step needs. Loading the definitions imports dagster, dagster-dbt (and with it dbt-core),
# pyarrow and the project's modules, and nothing of this.
STEP_LIBRARIES = [
    "pandas",
    "numba",
    "pymongo",
    "duckdb",
    "sklearn",
    "scipy",
    "matplotlib",
    "mlflow",
    "skops",
    "fastapi",
    "uvicorn",
    "snowflake.connector",
    "gcsfs",
    "google.cloud.storage",
]


def run_python(code: str, data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APOLLO_", "DAGSTER_")) and k != "PYTHONWARNINGS"}
    env["APOLLO_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


def test_loading_the_definitions_imports_no_step_library(tmp_path):
    code = (
        "import json, sys\nimport apollo_assets.definitions\n"
        f"print(json.dumps([m for m in {STEP_LIBRARIES!r} if m in sys.modules]))"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_loading_the_definitions_and_resolving_the_job_warns_of_nothing(tmp_path):
    code = (
        "from apollo_assets.definitions import PIPELINE_JOB, current_definitions\n"
        "defs = current_definitions()\n"
        "defs.resolve_job_def(PIPELINE_JOB)\n"
        "defs.get_repository_def().get_all_jobs()\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
