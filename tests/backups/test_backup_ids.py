"""Backup ids wherever they enter (bucket folders, GCS listings, the sensor's partition keys, dbt vars): exactly
`YYYYMMDDTHHMMSSZ`, matched whole, or refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.backups.manifest import MARKER
from apollo_assets.backups.plan import plan_tick
from apollo_assets.names import UntrustedNameError
from apollo_assets.sample_data.sample import complete_backup_ids
from apollo_assets.warehouse.versions import backup_ids_value
from tests.backups.conftest import make_backup, marker

GOOD = "20261126T040000Z"
LOOKALIKES = [f"{GOOD}\n", f"{GOOD}.tmp", f"x{GOOD}", "\u0662" * 8 + "T040000Z"]


def bucket_with_lookalikes(root: Path) -> Path:
    make_backup(root, GOOD)
    for name in LOOKALIKES:
        make_backup(root, name)  # complete, marker and all: only the name is wrong
    return root


def test_a_folder_whose_name_only_starts_like_a_backup_id_is_no_backup(tmp_path):
    """`^…$` with `re.match` took `<id>\\n`: its newline went into partition keys, paths and SQL."""
    bucket = BackupBucket.from_url(str(bucket_with_lookalikes(tmp_path / "bucket")))
    assert bucket.complete_backup_ids() == [GOOD]
    assert bucket.backup_ids() == [GOOD]
    assert complete_backup_ids(tmp_path / "bucket") == [GOOD]  # the sample generator's own listing


def test_a_gcs_listing_keeps_backup_ids_only(tmp_path, gcs_server):
    bucket_with_lookalikes(tmp_path / "gcs" / "acme-backups" / "apollo")
    gcs_server(tmp_path / "gcs")
    assert BackupBucket.from_url("gs://acme-backups/apollo").complete_backup_ids() == [GOOD]


@pytest.mark.parametrize("backup_id", ["../outside", f"{GOOD}/../../outside", f"{GOOD}\n", ".."])
def test_the_bucket_reads_nothing_for_an_id_that_is_not_one(tmp_path, backup_id):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / MARKER).write_text(json.dumps(marker("../outside", {"people": {}})))
    bucket = BackupBucket.from_url(str(tmp_path / "bucket" / "sub"))
    for read in (bucket.manifest, bucket.verify):
        with pytest.raises(UntrustedNameError, match="backup id"):
            read(backup_id)
    with pytest.raises(UntrustedNameError, match="backup id"), bucket.local_copy(backup_id):
        pass


def test_a_partition_key_that_is_not_a_backup_id_is_never_retired():
    """Retiring purges lake data at paths built from the key: a key added by hand (UI, API) is left alone."""
    plan = plan_tick([GOOD], [GOOD, "../../lake", "20261101T040000Z\n", "20250101T000000Z"], [GOOD])
    assert plan.retire == ["20250101T000000Z"]
    assert any("2 partition keys are not backup ids" in note for note in plan.notes)


def test_the_backups_given_to_dbt_are_backup_ids_only():
    assert json.loads(backup_ids_value([GOOD])) == [GOOD]
    with pytest.raises(UntrustedNameError, match="backup id"):
        backup_ids_value([GOOD, "x') or 1=1 --"])
