"""Publishing on GCS is a compare-and-swap on the pointer's generation (fake-gcs-server honours the precondition):
two writers racing on one partition both keep their versions, and the pointer names a complete one."""

from __future__ import annotations

import json
import threading

import pyarrow as pa

from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.lake.datasets import POINTER
from apollo_assets.lake.pointer import MISSING, pointer_store

SCHEMA = pa.schema([("_id", pa.string()), ("writer", pa.string())])
ROUNDS = 8


def rows(writer: str) -> pa.RecordBatch:
    return pa.record_batch([pa.array(["a", "b"]), pa.array([writer, writer])], schema=SCHEMA)


def test_a_swap_against_a_stale_generation_is_refused(bucket):
    pointers = pointer_store(open_location(f"gs://{bucket}/lake"))
    path = f"{bucket}/lake/p.json"
    assert pointers.swap(path, b"one", MISSING)
    assert not pointers.swap(path, b"two", MISSING)  # exists now
    data, generation = pointers.read(path)
    assert data == b"one"
    assert pointers.swap(path, b"three", generation)
    assert not pointers.swap(path, b"four", generation)  # replaced since that generation was read
    assert pointers.read(path)[0] == b"three"


def test_two_writers_racing_on_gcs_both_keep_their_versions(bucket, gcs_client):
    dataset = PartitionedDataset(open_location(f"gs://{bucket}/lake"), "people")
    for round_ in range(ROUNDS):
        backup_id = f"20261101T0400{round_:02d}Z"
        barrier, versions, errors = threading.Barrier(2), {}, []

        def publish(writer: str, backup_id=backup_id, barrier=barrier, versions=versions, errors=errors) -> None:
            try:
                with dataset.writer(backup_id, SCHEMA) as staged:
                    staged.write(rows(writer))
                    barrier.wait()
                versions[writer] = staged.version
            except Exception as error:  # reported below, with the round
                errors.append(error)

        threads = [threading.Thread(target=publish, args=(w,)) for w in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, f"round {round_}: {errors}"
        state = json.loads(dataset.location.read_bytes(f"{dataset.partition_path(backup_id)}/{POINTER}"))
        assert state["version"] in versions.values()
        assert dataset.read(backup_id).num_rows == 2
        names = {b.name for b in gcs_client.list_blobs(bucket, prefix=f"lake/people/backup_id={backup_id}/")}
        for version in versions.values():  # neither version deleted: a reader may hold the superseded one
            assert any(f"/v={version}/part-" in name for name in names), (round_, version)
        assert set(state["retired"]) == set(versions.values()) - {state["version"]}
