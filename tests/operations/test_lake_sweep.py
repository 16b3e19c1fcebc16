"""A superseded lake version outlives the publish that replaced it, for its readers; the backup sensor's tick deletes
it once the grace period (`APOLLO_LAKE_GRACE_MINUTES`) has passed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from apollo_assets.lake.resource import LakeResource
from apollo_assets.operations.backup_sensor import build_backup_sensor
from apollo_assets.settings import ConfigurationError, load_settings
from tests.backups.conftest import make_backup, resources_for, tick

BACKUP = "20261101T040000Z"
TABLE = pa.table({"_id": ["a", "b"], "_backup_id": [BACKUP] * 2})


def test_the_sensor_deletes_superseded_versions_once_their_grace_period_has_passed(tmp_path, test_instance):
    make_backup(tmp_path / "bucket", BACKUP)
    resources = resources_for(str(tmp_path / "bucket"), tmp_path)
    people = resources["lake"].masked("people")
    first = people.write(BACKUP, TABLE.schema, TABLE.to_batches())
    second = people.write(BACKUP, TABLE.schema, TABLE.to_batches())  # the partition written again
    folder = Path(people.version_path(BACKUP, first.version))
    assert folder.is_dir()  # a reader that resolved the pointer before the second write still has its files

    tick(build_backup_sensor("backup_pipeline"), test_instance, resources)
    assert folder.is_dir()  # within the grace period (60 minutes by default)

    lake = resources["lake"]
    shorter = LakeResource(snapshot_url=lake.snapshot_url, lake_url=lake.lake_url, grace_minutes=0)
    tick(build_backup_sensor("backup_pipeline"), test_instance, {**resources, "lake": shorter})
    assert not folder.exists()
    assert people.current(BACKUP) == second and people.read(BACKUP).num_rows == 2
    assert people.pending_sweeps() == []


def test_the_grace_period_comes_from_the_environment():
    assert load_settings({}).lake_grace_minutes == 60
    assert load_settings({"APOLLO_LAKE_GRACE_MINUTES": "5"}).lake_grace_minutes == 5
    with pytest.raises(ConfigurationError, match="APOLLO_LAKE_GRACE_MINUTES must be a number of minutes"):
        load_settings({"APOLLO_LAKE_GRACE_MINUTES": "soon"})
