"""Fixtures shared across test folders, and the test tiers (tests/tiers.py) applied to every test.

`mongodump_fixtures`: the folder of the real mongodump fixtures (tests/fixtures_dir.py: `APOLLO_FIXTURES_DIR`);
a test that asks for it skips when they are absent (fails under `CI=true`).

`platform`: a whole platform on a temporary data dir: two generated backups, the sensor, the pipeline run per
backup. Session-scoped and defined once, here: the step processes of a run fork from one server per test
process, which imports the definitions with the first platform's environment, so a second copy of this
fixture (e.g. imported into another folder's conftest) would run against the wrong data dir.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path
from platform import processor

import dagster as dg
import pytest
from hypothesis import settings

from apollo_assets.sample_data import Sizes, write_sample_backup
from tests import tiers
from tests.fixtures_dir import mongodump_fixtures_dir
from tests.tiers import pytest_collection_modifyitems, pytest_runtest_call, pytest_runtest_setup  # noqa: F401

# `pytest --hypothesis-profile=deep`: thousands of examples for the property tests that do not pin their count
# (the hostile-collection fuzzing of the masking boundary: tests/masking and tests/ingest).
settings.register_profile("deep", max_examples=3000, deadline=None)

# The processor's name is read once per process by running `uname -p` (libraries ask for it when a module imports
# them, e.g. the Snowflake connector and MLflow): read it here, before the unit tier's guard refuses processes.
processor()

SIZES = Sizes().scaled(0.5)
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Platform:
    data_dir: Path
    instance: dg.DagsterInstance
    backups: list[str]
    runs: dict


def _restart_forkserver() -> None:
    """Step processes fork from multiprocessing's forkserver, which keeps the environment it was started with.
    An earlier test (e.g. the ingest worker pool) may have started it without this platform's APOLLO_DATA_DIR;
    stopping it makes the next run start a fresh one from this environment. (A private CPython API, test-only.)"""
    forkserver._forkserver._stop()


@pytest.fixture(scope="session")
@tiers.marking("real_dumps")
def mongodump_fixtures() -> Path:
    return mongodump_fixtures_dir()


@pytest.fixture(scope="session")
@tiers.slow
def platform(tmp_path_factory) -> Platform:
    data_dir = tmp_path_factory.mktemp("platform")
    previous = {k: os.environ.get(k) for k in ("APOLLO_DATA_DIR", "DAGSTER_HOME", "APOLLO_WAREHOUSE_PATH")}
    # Step processes of the multiprocess executor read the same environment as this one.
    os.environ["APOLLO_DATA_DIR"] = str(data_dir)
    os.environ["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    os.environ.pop("APOLLO_WAREHOUSE_PATH", None)
    (data_dir / "dagster_home").mkdir()
    shutil.copy(REPO / "dagster.yaml", data_dir / "dagster_home" / "dagster.yaml")
    first = write_sample_backup(data_dir / "backups", sizes=SIZES).name
    second = write_sample_backup(data_dir / "backups", sizes=SIZES).name
    from apollo_assets.local_run import evaluate_backup_sensor, run_backup

    _restart_forkserver()
    with dg.DagsterInstance.get() as instance:
        requests = evaluate_backup_sensor(instance)
        runs = {r.partition_key: run_backup(instance, r) for r in requests}
        yield Platform(data_dir, instance, [first, second], runs)
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
