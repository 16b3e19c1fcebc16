"""What every step process needs before its first line, imported once by the forkserver the steps fork from.

The definitions (dbt manifest, assets) are built, and an instance is opened and closed once: a step opens the run's
instance first thing, which otherwise imports SQLAlchemy, Alembic and Dagster's SQLite storages in every step
process (about 4 s each on a 2-core machine). The definitions themselves import none of what the steps compute
with (so that loading them stays fast), so the step modules and their libraries are imported here: the readers and
the compiled kernels, masking, DuckDB and pandas.
"""

import importlib
import tempfile
from pathlib import Path

import dagster as dg

STEP_MODULES = (
    "apollo_assets.definitions",  # built at import
    "apollo_assets.kernel_preload",  # the BSON kernels and masking's HMAC loop, loaded once
    "apollo_assets.ingest.snapshots",  # the snapshot steps
    "apollo_assets.ingest",  # their ingest path
    "apollo_assets.masking.publish",  # the lake steps
    "apollo_assets.masking.leaks.checks",  # their leak checks
    "duckdb",  # the warehouse steps and the checks
    "pandas",  # the checks and the models read frames
)
for _module in STEP_MODULES:
    importlib.import_module(_module)

with tempfile.TemporaryDirectory(prefix="apollo-preload-") as _home:
    # An empty dagster.yaml: the default instance, without Dagster's notice that the file is missing.
    (Path(_home) / "dagster.yaml").touch()
    with dg.DagsterInstance.local_temp(_home):
        pass
