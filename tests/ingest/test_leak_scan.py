"""Masked ingest checks, then publishes: batches are scanned for leaks as they are written, and a collection whose
masked output holds personal data is never published (its previous version stays); the error has counts only."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from apollo_assets.cli.ingest import ingest
from apollo_assets.ingest import BesideDataset, IngestOptions, Masking, ingest_collection
from apollo_assets.lake import PartitionedDataset, PartitionNotFoundError, open_location
from apollo_assets.masking import load_policy
from apollo_assets.masking.leaks.scan import LeakFoundError
from apollo_assets.mongo import open_backup
from tests.mongo.helpers import write_dump

BACKUP = "20261126T040000Z"
LEAKED = "ada.lovelace@example.com"


def people(tmp_path, titles: list[str]):
    documents = [
        {"_id": i, "first_name": "Ada", "email": f"p{i}@example.com", "title": title} for i, title in enumerate(titles)
    ]
    write_dump(tmp_path / "apollo", "people", documents)
    return open_backup(tmp_path / "apollo").collections["people"]


def ingest_people(source, out, key, workers=1):
    location = open_location(str(out))
    dataset = PartitionedDataset(location, "people")
    summary = ingest_collection(
        source,
        BACKUP,
        dataset,
        masking=Masking(load_policy("people"), key),
        quarantine=BesideDataset(location),
        options=IngestOptions(workers=workers, progress=False),
    )
    return summary, dataset


def test_a_masked_collection_holding_personal_data_is_not_published(tmp_path, key):
    out = tmp_path / "out"
    summary, dataset = ingest_people(people(tmp_path / "clean", ["Engineer"] * 50), out, key)
    assert summary.rows == 50 and summary.stage_seconds["scan"] >= 0

    leaky = people(tmp_path / "leaky", ["Engineer"] * 49 + [f"write to {LEAKED}"])  # `title` is kept by policy
    with pytest.raises(LeakFoundError) as raised:
        ingest_people(leaky, out, key)
    assert "email 1" in str(raised.value) and "not published" in str(raised.value)
    assert LEAKED not in str(raised.value) and "title" not in str(raised.value)
    assert raised.value.report.findings == {"title": {"email": 1}}

    assert dataset.current(BACKUP) == summary.commit  # the clean version stays, the staged one is gone
    assert sorted(p.name for p in (out / "people" / f"backup_id={BACKUP}").iterdir() if p.name.startswith("v=")) == [
        f"v={summary.commit.version}"
    ]


@pytest.mark.integration  # worker processes
def test_a_leak_found_by_any_worker_stops_the_publication(tmp_path, key):
    titles = ["Engineer"] * 400 + ["call +44 20 7946 0958"]  # the last document: another worker's group
    with pytest.raises(LeakFoundError) as raised:
        ingest_people(people(tmp_path, titles), tmp_path / "out", key, workers=2)
    assert raised.value.report.findings == {"title": {"phone": 1}} and raised.value.report.rows == 401
    with pytest.raises(PartitionNotFoundError):
        PartitionedDataset(open_location(str(tmp_path / "out")), "people").current(BACKUP)
    assert not list((tmp_path / "out").rglob("*.parquet"))


def test_apollo_ingest_reports_the_leak_in_one_line_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APOLLO_MASKING_KEY", "ab" * 32)
    people(tmp_path / "dump", ["Engineer", f"write to {LEAKED}"])
    out = tmp_path / "out"
    result = CliRunner().invoke(ingest, [str(tmp_path / "dump" / "apollo"), "--out", str(out), "--backup-id", BACKUP])
    assert result.exit_code == 1
    (line,) = [json.loads(text) for text in result.stdout.splitlines() if text.startswith("{")]
    assert line["error_type"] == "LeakFoundError"
    assert line["error"].startswith("people 20261126T040000Z: the masked data holds personal data")
    assert LEAKED not in result.output
    assert not list(out.rglob("*.parquet"))
