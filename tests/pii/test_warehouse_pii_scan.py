"""The warehouse's PII scan reads each text column's distinct values from the warehouse (never whole rows) and
still counts every row that holds a finding, in the run's backups only."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from apollo_assets.masking.leaks.fingerprints import collect_pii_fingerprints
from apollo_assets.masking.leaks.scan import scan_for_leaks
from apollo_assets.masking.policy.model import MaskingPolicy
from apollo_assets.masking.tokens.key import MaskingKey
from apollo_assets.warehouse.pii_checks import WAREHOUSE_POLICY, column_values, scan_slices, text_columns
from apollo_assets.warehouse.resource import DuckDBWarehouse

KEY = MaskingKey(b"warehouse-scan-key-0123456789abcdef")


class OneTableWarehouse(DuckDBWarehouse):
    """The local warehouse, with a hand-made table in place of a dbt model."""

    def relation(self, model: str) -> str:
        return f'"main"."{model}"'


def warehouse(tmp_path: Path) -> OneTableWarehouse:
    path = tmp_path / "warehouse.duckdb"
    rows = [
        ("A", "Reach x.y@acme.com now", "Ann Lee", 1),
        ("A", "Reach x.y@acme.com now", "Ann Lee", 2),
        ("A", "Reach x.y@acme.com now", "Bo", 3),
        ("A", "nothing here", "Carl Dunn", 4),
        ("A", None, None, 5),
        ("B", "other@acme.com", "Ann Lee", 6),  # another backup: not the run's
    ]
    with duckdb.connect(str(path)) as con:
        con.execute('create table people_like (backup_id varchar, note varchar, "full name" varchar, n integer)')
        con.executemany("insert into people_like values (?, ?, ?, ?)", rows)
    return OneTableWarehouse(path=str(path), dbt_manifest="unused")


def fingerprints():
    source = pa.table({"name": ["Ann Lee", "Zed Zed"]})
    return collect_pii_fingerprints(source, MaskingPolicy.empty("src"), KEY)  # unlisted: personal, fail-closed


def test_findings_count_rows_of_the_run_backups_only(tmp_path: Path) -> None:
    wh = warehouse(tmp_path)
    report = scan_slices(wh, "people_like", ["A"], fingerprints())
    assert report.findings == {"note": {"email": 3}, "full name": {"source_pii": 2}}
    assert report.rows == 5 and report.columns_scanned == ("backup_id", "note", "full name")
    assert "x.y@acme.com" not in str(report.to_metadata())
    assert scan_slices(wh, "people_like", ["B"], fingerprints()).findings == {
        "note": {"email": 1},
        "full name": {"source_pii": 1},
    }


def test_values_are_read_once_each_and_short_ones_not_at_all(tmp_path: Path) -> None:
    wh = warehouse(tmp_path)
    assert text_columns(wh, wh.relation("people_like")) == ["backup_id", "note", "full name"]
    rows, columns = column_values(wh, wh.relation("people_like"), ["note", "full name"], ["A"])
    assert rows == 5 and list(columns) == ["note", "full name"]
    values, counts = columns["full name"]
    assert dict(zip(values.to_pylist(), counts.to_pylist(), strict=True)) == {"Ann Lee": 2, "Carl Dunn": 1}
    values, counts = columns["note"]
    assert dict(zip(values.to_pylist(), counts.to_pylist(), strict=True)) == {
        "Reach x.y@acme.com now": 3,
        "nothing here": 1,
    }


def test_no_backup_scans_nothing(tmp_path: Path) -> None:
    report = scan_slices(warehouse(tmp_path), "people_like", [], fingerprints())
    assert report.ok and report.rows == 0 and report.columns_scanned == ()


def test_counts_what_the_lake_scan_counts_json_text_included(tmp_path: Path) -> None:
    """A source value inside JSON text (a drifted document, a map's key) is a finding, for every row holding it."""
    notes = ['{"contact": "Ann Lee"}', '{"contact": "Ann Lee"}', '{"Zed Zed": 1}', "[1, 2]", "Call +1 415 555 0100"]
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table drifted (backup_id varchar, note varchar)")
        con.executemany("insert into drifted values ('A', ?)", [(note,) for note in notes])
    wh = OneTableWarehouse(path=str(path), dbt_manifest="unused")
    report = scan_slices(wh, "drifted", ["A"], fingerprints())
    assert report.findings == {"note": {"source_pii": 3, "phone": 1}}
    lake = scan_for_leaks(pa.table({"note": notes}), WAREHOUSE_POLICY, source_pii_hashes=fingerprints())
    assert report.findings == lake.findings
