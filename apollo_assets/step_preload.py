"""What every step process needs before its first line, imported once by the forkserver the steps fork from.

The definitions (dbt manifest, assets) are built, and an instance is opened and closed once: a step opens the run's
instance first thing, which otherwise imports SQLAlchemy, Alembic and Dagster's SQLite storages in every step
process (about 4 s each on a 2-core machine).
"""

import tempfile

import dagster as dg

import apollo_assets.definitions  # built at import
import apollo_assets.mongo.fast.preload  # noqa: F401  (the BSON kernels, loaded once)

with tempfile.TemporaryDirectory(prefix="apollo-preload-") as _home, dg.DagsterInstance.local_temp(_home):
    pass
