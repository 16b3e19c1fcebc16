"""The same sensor over a GCS bucket (fake-gcs-server): what it sees, what it verifies, and 10,000 backups (more than
one page of GCS's listing; how long it takes: benchmarks/sensor.py)."""

from __future__ import annotations

import json

import pytest

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.backups.integrity import CorruptBackupError
from apollo_assets.backups.manifest import MARKER
from apollo_assets.operations.backup_sensor import MAX_RUNS_PER_TICK, build_backup_sensor
from tests.backups.conftest import PEOPLE, make_backup, resources_for, tick
from tests.backups.test_sensor_scale import backup_ids, write_markers

URL = "gs://acme-backups/prod/apollo"


@pytest.fixture
def bucket_dir(tmp_path):
    """The bucket as fake-gcs-server loads it at start: <data>/<bucket>/<object names>."""
    folder = tmp_path / "gcs" / "acme-backups" / "prod" / "apollo"
    folder.mkdir(parents=True)
    return folder


def test_sensor_over_gcs_sees_complete_backups_only(bucket_dir, gcs_server, tmp_path, test_instance):
    make_backup(bucket_dir, "20261101T040000Z")
    make_backup(bucket_dir, "20261102T040000Z", complete=False)  # still uploading
    truncated = make_backup(bucket_dir, "20261103T040000Z")
    (truncated / "apollo" / "people.bson").write_bytes(PEOPLE[:3])
    gcs_server(tmp_path / "gcs")

    result = tick(build_backup_sensor("backup_pipeline"), test_instance, resources_for(URL, tmp_path))
    # The sensor never reads a backup: the truncated one gets its run, which fails at verification (below).
    assert [r.run_key for r in result.run_requests] == ["20261101T040000Z", "20261103T040000Z"]
    assert test_instance.get_dynamic_partitions("backups") == ["20261101T040000Z", "20261103T040000Z"]

    bucket = BackupBucket.from_url(URL)
    with bucket.local_copy("20261101T040000Z") as local:
        assert (local / "apollo" / "people.bson").read_bytes() == PEOPLE
        assert json.loads((local / MARKER).read_text())["backup_id"] == "20261101T040000Z"
    with pytest.raises(CorruptBackupError, match=r"apollo/people.bson has 3 bytes, its marker says 5"):
        bucket.verify("20261103T040000Z")


def test_10000_backups_over_gcs_in_one_listing(bucket_dir, gcs_server, tmp_path, test_instance):
    ids = backup_ids(10_000)
    write_markers(bucket_dir, ids)
    gcs_server(tmp_path / "gcs")
    result = tick(build_backup_sensor("backup_pipeline"), test_instance, resources_for(URL, tmp_path))
    assert test_instance.get_dynamic_partitions("backups") == ids
    assert [r.run_key for r in result.run_requests] == ids[:MAX_RUNS_PER_TICK]
