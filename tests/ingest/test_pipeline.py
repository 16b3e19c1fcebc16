"""The ingest path: same rows whatever the worker count or the source format, atomic, repeatable, quarantining."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import bson
import pyarrow as pa
import pytest
from pymongo import MongoClient

from apollo_assets.ingest import (
    BesideDataset,
    IngestOptions,
    Masking,
    ingest_collection,
    open_collections,
)
from apollo_assets.lake import PartitionedDataset, PartitionNotFoundError, open_location
from apollo_assets.masking import Masker, load_policy
from apollo_assets.mongo import QuarantineThresholdExceeded, open_backup, read_snapshot
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.mongo.report import QuarantinedDocument, check_quarantine_share
from apollo_assets.mongo.source import DocumentLocation
from tests.mongo.helpers import encode, write_dump

from .conftest import PEOPLE_COUNT

BACKUP = "20261126T040000Z"


def _ingest(source, out, workers=1, masking=None, **options):
    location = open_location(str(out))
    dataset = PartitionedDataset(location, source.name)
    summary = ingest_collection(
        source,
        BACKUP,
        dataset,
        masking=masking,
        quarantine=BesideDataset(location),
        options=IngestOptions(workers=workers, progress=False, **options),
    )
    return summary, dataset


@pytest.mark.integration  # two worker processes
def test_two_workers_write_what_one_writes_and_what_the_snapshot_reads(people_dump, tmp_path, key):
    people = open_backup(people_dump).collections["people"]
    one, ds1 = _ingest(people, tmp_path / "one")
    two, ds2 = _ingest(people, tmp_path / "two", workers=2)
    snapshot = read_snapshot(people, BACKUP)
    expected = pa.Table.from_batches(list(snapshot.batches()), snapshot.schema)
    assert ds1.read(BACKUP).equals(expected) and ds2.read(BACKUP).equals(expected)
    assert one.documents == two.documents == one.rows == two.rows == PEOPLE_COUNT
    assert two.workers == 2 and any(f.startswith("part-g01-") for f in two.commit.files)
    assert two.drift == snapshot.report.drift and "intent_score" in two.drift


@pytest.mark.integration  # two worker processes
def test_masked_output_is_the_masker_applied_to_the_snapshot(people_dump, tmp_path, key):
    people = open_backup(people_dump).collections["people"]
    policy = load_policy("people")
    summary, dataset = _ingest(people, tmp_path, workers=2, masking=Masking(policy, key))
    snapshot = read_snapshot(people, BACKUP)
    masker = Masker(policy, key, snapshot.schema)
    expected = pa.Table.from_batches([masker.mask(b) for b in snapshot.batches()], masker.output_schema)
    assert dataset.read(BACKUP).equals(expected)
    assert summary.policy.endswith("people.yaml") and summary.masked_unlisted == {}
    assert "email" in dataset.schema(BACKUP).names and not any("@example" in e for e in summary.to_json())


@pytest.mark.integration  # two worker processes
def test_a_rerun_writes_the_same_files(people_dump, tmp_path):
    people = open_backup(people_dump).collections["people"]
    first, dataset = _ingest(people, tmp_path, workers=2)
    contents = [Path(f).read_bytes() for f in dataset.files(BACKUP)]
    second, _ = _ingest(people, tmp_path, workers=2)
    assert second.commit.version != first.commit.version and second.commit.files == first.commit.files
    assert [Path(f).read_bytes() for f in dataset.files(BACKUP)] == contents


@pytest.mark.integration  # two worker processes
def test_gzip_and_archive_backups_give_the_same_rows(people_dump, tmp_path):
    plain = people_dump / "people.bson"
    gz_dir = tmp_path / "gz" / "apollo"
    gz_dir.mkdir(parents=True)
    with plain.open("rb") as src, gzip.open(gz_dir / "people.bson.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(people_dump / "people.metadata.json", gz_dir)
    raws = [doc.raw for doc in open_backup(people_dump).collections["people"].documents()]
    archive = write_archive(tmp_path / "apollo.archive", [ArchiveCollectionSpec("apollo", "people", raws)])
    _, expected = _ingest(open_backup(people_dump).collections["people"], tmp_path / "o1")
    for i, backup in enumerate((gz_dir, archive)):
        _, got = _ingest(open_backup(backup).collections["people"], tmp_path / f"out{i}", workers=2)
        assert got.read(BACKUP).equals(expected.read(BACKUP))


BAD = encode({"_id": 1000, "name": "ok"}).replace(b"ok", b"\xff\xfe")  # not UTF-8: pymongo refuses it


def _with_bad(tmp_path, bad_count: int):
    good = [encode({"_id": i, "name": f"n{i}"}) for i in range(100)]
    path = write_dump(tmp_path / "apollo", "things", good[:50] + [BAD] * bad_count + good[50:])
    return open_backup(path.parent).collections["things"]


@pytest.mark.integration  # two worker processes
def test_quarantined_documents_go_beside_the_dataset_and_are_counted(tmp_path):
    summary, dataset = _ingest(_with_bad(tmp_path, 1), tmp_path / "out", workers=2)
    assert (summary.documents, summary.rows, summary.quarantined) == (101, 100, 1)
    folder = tmp_path / "out" / "_quarantine" / "things" / f"backup_id={BACKUP}"
    assert (folder / "quarantine.bson").read_bytes() == BAD
    assert "things.bson at byte offset" in (folder / "quarantine.jsonl").read_text()
    assert summary.to_json()["quarantine"].endswith("quarantine.bson") and dataset.current(BACKUP).rows == 100


def test_too_many_quarantined_documents_fail_and_publish_nothing(tmp_path):
    with pytest.raises(QuarantineThresholdExceeded, match=r"5 of 105 documents"):
        _ingest(_with_bad(tmp_path, 5), tmp_path / "out", max_quarantine_share=0.02)
    with pytest.raises(PartitionNotFoundError):
        PartitionedDataset(open_location(str(tmp_path / "out")), "things").current(BACKUP)
    summary, _ = _ingest(_with_bad(tmp_path, 5), tmp_path / "out", max_quarantine_share=0.05)
    assert summary.quarantined == 5


def test_a_live_collection_ingests_like_its_dump(people_dump, tmp_path, mongo_uri):
    raws = [doc.raw for doc in open_backup(people_dump).collections["people"].documents()]
    with MongoClient(mongo_uri) as client:
        client.apollo.people.drop()
        client.apollo.people.insert_many([bson.decode(r) for r in raws[:600]])
    live = open_collections(mongo_uri, "apollo")["people"]
    summary, dataset = _ingest(live, tmp_path / "live", workers=2)
    in_id_order = sorted(raws[:600], key=lambda r: bson.decode(r)["_id"].binary)
    _, expected = _ingest(
        open_backup(write_dump(tmp_path / "d" / "apollo", "people", in_id_order).parent).collections["people"],
        tmp_path / "dump",
    )
    assert summary.documents == 600 and dataset.read(BACKUP).equals(expected.read(BACKUP))


def _late_changes(tmp_path, change_at: int):
    # From `change_at` on, a field appears and `n` turns from int to double: a plan made from the first
    # chunk (4096 documents) is wrong when the change comes later.
    docs = [
        {"_id": i, "n": i if i < change_at else i + 0.5, **({"late": "x"} if i >= change_at else {})}
        for i in range(10_000)
    ]
    path = write_dump(tmp_path / "apollo", "things", docs)
    return open_backup(path.parent).collections["things"]


@pytest.mark.parametrize(("change_at", "passes"), [(0, 1), (100, 1), (9_800, 2)])
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.integration)])
def test_a_plan_proven_wrong_later_takes_a_second_pass_and_the_same_rows(tmp_path, change_at, passes, workers):
    source = _late_changes(tmp_path, change_at)
    summary, dataset = _ingest(source, tmp_path / "out", workers=workers)
    snapshot = read_snapshot(source, BACKUP)
    assert dataset.read(BACKUP).equals(pa.Table.from_batches(list(snapshot.batches()), snapshot.schema))
    assert summary.passes == passes and summary.rows == 10_000
    assert len(dataset.files(BACKUP)) == workers  # the abandoned first attempt left nothing behind


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 16 KiB: the test collections are cut into 64 pieces, 15 groups for two workers."""
    monkeypatch.setattr("apollo_assets.ingest.parts.PIECE_BYTES", 16 * 1024)


@pytest.mark.integration  # two worker processes
def test_many_groups_claimed_by_two_processes_give_the_rows_and_files_of_a_rerun(
    people_dump, tmp_path, key, small_pieces
):
    people = open_backup(people_dump).collections["people"]
    masking = Masking(load_policy("people"), key)
    one, ds1 = _ingest(people, tmp_path / "one", masking=masking)
    two, ds2 = _ingest(people, tmp_path / "two", workers=2, masking=masking)
    assert ds2.read(BACKUP).equals(ds1.read(BACKUP)) and two.rows == one.rows == PEOPLE_COUNT
    assert len(two.commit.files) == 15 and two.commit.files[0].startswith("part-g00-")
    contents = [Path(f).read_bytes() for f in ds2.files(BACKUP)]
    again, _ = _ingest(people, tmp_path / "two", workers=2, masking=masking)
    assert again.commit.files == two.commit.files
    assert [Path(f).read_bytes() for f in ds2.files(BACKUP)] == contents


@pytest.mark.integration  # two worker processes
def test_many_groups_take_the_second_pass_together(tmp_path, small_pieces):
    source = _late_changes(tmp_path, 9_800)
    summary, dataset = _ingest(source, tmp_path / "out", workers=2)
    snapshot = read_snapshot(source, BACKUP)
    assert dataset.read(BACKUP).equals(pa.Table.from_batches(list(snapshot.batches()), snapshot.schema))
    assert summary.passes == 2 and len(dataset.files(BACKUP)) > 2


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mode & 0o777 for p in [root, *root.rglob("*")]}


def test_quarantined_raw_documents_are_owner_only_from_their_creation(tmp_path):
    """Created 0600/0700 whatever the umask (not opened to the world, then narrowed): checked with umask 0."""
    source = _with_bad(tmp_path, 1)
    old = os.umask(0)
    try:
        _ingest(source, tmp_path / "out")
    finally:
        os.umask(old)
    modes = _modes(tmp_path / "out" / "_quarantine")
    assert len(modes) == 5  # _quarantine, things, backup_id=…, quarantine.bson, quarantine.jsonl
    assert {path: mode for path, mode in modes.items() if mode & 0o077} == {}


def test_an_older_quarantine_folder_open_to_others_is_narrowed_before_it_is_filled(tmp_path):
    (tmp_path / "out" / "_quarantine").mkdir(parents=True, mode=0o755)
    (tmp_path / "out" / "_quarantine").chmod(0o755)
    _ingest(_with_bad(tmp_path, 1), tmp_path / "out")
    assert not {p: m for p, m in _modes(tmp_path / "out" / "_quarantine").items() if m & 0o077}


def test_the_quarantine_threshold_error_quotes_no_document_text():
    """A converter's message may quote the value it could not take: the error (Dagster's log, the CLI's stderr)
    names the first document's place and the kind of error only."""
    location = DocumentLocation("people.bson", 120)
    bad = [QuarantinedDocument(location, "cannot convert: ArrowInvalid: Could not convert 'p1@example.com'", b"")]
    with pytest.raises(QuarantineThresholdExceeded) as info:
        check_quarantine_share("people", BACKUP, 10, bad, 0.01)
    assert "p1@example.com" not in str(info.value)
    assert "first: people.bson at byte offset 120 (cannot convert)" in str(info.value)
