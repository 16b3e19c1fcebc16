"""The lake and the backup bucket on GCS (fake-gcs-server), through the same code as the local folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.lake import PartitionedDataset, PartitionNotFoundError, open_location
from apollo_assets.sample_data import Sizes, write_sample_backup

from .conftest import upload_folder

SCHEMA = pa.schema([("_id", pa.string()), ("score", pa.int64()), ("_backup_id", pa.string())])


def rows(ids: list[str], backup_id: str = "20261101T040000Z") -> list[pa.RecordBatch]:
    table = pa.table({"_id": ids, "score": list(range(len(ids))), "_backup_id": [backup_id] * len(ids)}, SCHEMA)
    return table.to_batches()


def test_a_partition_written_to_gcs_reads_back(bucket, gcs_client):
    location = open_location(f"gs://{bucket}/lake")
    assert location.fs.handler.fs.credentials.method == "anon"  # the emulator: no search for Google credentials
    dataset = PartitionedDataset(location, "people")
    info = dataset.write("20261101T040000Z", SCHEMA, rows(["a", "b", "c"]))

    assert dataset.partitions() == ["20261101T040000Z"]
    assert dataset.read("20261101T040000Z").column("_id").to_pylist() == ["a", "b", "c"]
    assert dataset.schema("20261101T040000Z") == SCHEMA
    objects = {b.name for b in gcs_client.list_blobs(bucket)}
    assert objects == {
        "lake/people/backup_id=20261101T040000Z/_CURRENT.json",
        f"lake/people/backup_id=20261101T040000Z/v={info.version}/part-0000.parquet",
        "lake/people/_sweep/backup_id=20261101T040000Z",  # written to: retention looks here for versions to delete
    }


def test_the_pointer_publishes_a_new_version_atomically_on_gcs(bucket, gcs_client):
    dataset = PartitionedDataset(open_location(f"gs://{bucket}/lake"), "people")
    first = dataset.write("20261101T040000Z", SCHEMA, rows(["a", "b"]))

    with dataset.writer("20261101T040000Z", SCHEMA) as writer:
        writer.write(rows(["x", "y", "z"])[0])
        # Staged but not published: readers still follow the pointer to the first version.
        assert dataset.current("20261101T040000Z").version == first.version
        assert dataset.read("20261101T040000Z").num_rows == 2
    second = dataset.current("20261101T040000Z")

    assert second.version != first.version
    assert dataset.read("20261101T040000Z").column("_id").to_pylist() == ["x", "y", "z"]
    # The superseded version stays for the grace period (a reader may hold it), then a sweep removes it.
    assert [b.name for b in gcs_client.list_blobs(bucket) if f"v={first.version}" in b.name]
    assert dataset.sweep_pending(now=datetime.now(UTC) + dataset.grace + timedelta(seconds=1)) == {}
    assert not [b.name for b in gcs_client.list_blobs(bucket) if f"v={first.version}" in b.name]
    assert dataset.read("20261101T040000Z").column("_id").to_pylist() == ["x", "y", "z"]


def test_a_failed_write_leaves_the_previous_version_on_gcs(bucket, gcs_client):
    dataset = PartitionedDataset(open_location(f"gs://{bucket}/lake"), "people")
    first = dataset.write("20261101T040000Z", SCHEMA, rows(["a"]))

    with pytest.raises(RuntimeError, match="crash"), dataset.writer("20261101T040000Z", SCHEMA) as writer:
        writer.write(rows(["x", "y"])[0])
        raise RuntimeError("crash while writing")

    assert dataset.current("20261101T040000Z") == first
    assert dataset.read("20261101T040000Z").column("_id").to_pylist() == ["a"]
    versions = {b.name.split("/")[3] for b in gcs_client.list_blobs(bucket) if "/v=" in b.name}
    assert versions == {f"v={first.version}"}  # the abandoned version was removed


def test_an_uncommitted_partition_is_not_listed(bucket, gcs_client):
    gcs_client.bucket(bucket).blob("lake/people/backup_id=20261101T040000Z/v=abc/part-0000.parquet").upload_from_string(
        b"half-written"
    )
    dataset = PartitionedDataset(open_location(f"gs://{bucket}/lake"), "people")
    assert dataset.partitions() == []
    with pytest.raises(PartitionNotFoundError):
        dataset.files("20261101T040000Z")


def test_backups_on_gcs_are_listed_and_copied_when_complete(bucket, gcs_client, tmp_path):
    local = tmp_path / "backups"
    first = write_sample_backup(local, sizes=Sizes().scaled(0.05))
    upload_folder(gcs_client, first, f"gs://{bucket}/apollo")
    # A backup still being uploaded: files but no completion marker yet.
    gcs_client.bucket(bucket).blob("apollo/20991231T000000Z/apollo/people.bson").upload_from_string(b"")

    bucket_url = f"gs://{bucket}/apollo"
    backups = BackupBucket.from_url(bucket_url)
    assert backups.backup_ids() == [first.name, "20991231T000000Z"]
    assert backups.complete_backup_ids() == [first.name]
    assert backups.manifest(first.name).backup_id == first.name
    with backups.local_copy(first.name) as copy:
        assert (copy / "apollo" / "people.bson").read_bytes() == (first / "apollo" / "people.bson").read_bytes()

    # The in-progress backup completes, and another lands: the next listing in the same process sees both (gcsfs
    # must not answer from a listing cached before, as it would in a long-running sensor process).
    marker = backups.location.read_bytes(backups.location.join(first.name, "BACKUP_COMPLETE.json"))
    gcs_client.bucket(bucket).blob("apollo/20991231T000000Z/BACKUP_COMPLETE.json").upload_from_string(marker)
    second = write_sample_backup(local, sizes=Sizes().scaled(0.05))
    upload_folder(gcs_client, second, bucket_url)
    assert BackupBucket.from_url(bucket_url).complete_backup_ids() == [first.name, second.name, "20991231T000000Z"]
