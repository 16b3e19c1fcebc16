"""The whole graph, materialized by the real sensor and the real multiprocess executor over generated backups."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import bson
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from apollo_assets.collections import COLLECTIONS

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_FIELDS = {
    "people": ["email"],
    "users": ["email"],
    "contacts": ["email"],
    "accounts": ["billing_email"],
    "emailer_messages": ["to_email"],
}


def backup_emails(backup_dir: Path) -> set[str]:
    emails = set()
    for collection, fields in EMAIL_FIELDS.items():
        path = backup_dir / "apollo" / f"{collection}.bson"
        raw = path.read_bytes() if path.exists() else gzip.decompress(path.with_suffix(".bson.gz").read_bytes())
        for doc in bson.decode_all(raw):
            emails.update(doc[f] for f in fields if isinstance(doc.get(f), str))
    return emails


def email_tokens_in_parquet(root: Path) -> set[str]:
    """Every string value, and every email-looking token inside one (free text), of every Parquet file."""
    found = set()
    for path in root.rglob("*.parquet"):
        table = pq.read_table(path)
        while any(pa.types.is_struct(c.type) for c in table.columns):
            table = table.flatten()
        for column in table.columns:
            values = column.combine_chunks()
            if pa.types.is_list(values.type):
                values = pc.list_flatten(values)
            if pa.types.is_string(values.type):
                for value in values.drop_null().to_pylist():
                    found.add(value)
                    found.update(EMAIL.findall(value))
    return found


def test_every_asset_is_materialized_for_every_backup(platform):
    from apollo_assets.definitions import current_definitions

    specs = current_definitions().resolve_all_asset_specs()
    keys = {spec.key.to_user_string() for spec in specs if spec.group_name != "stream"}  # hourly, not per backup
    assert all(run.success for run in platform.runs.values()), platform.runs
    assert set(platform.runs) == set(platform.backups)
    for run in platform.runs.values():
        assert set(run.materialized) == keys


def test_rows_flow_through_every_layer(platform):
    for backup_id, run in platform.runs.items():
        for collection in COLLECTIONS:
            assert run.row_counts[f"mongo/{collection}"] > 0, (backup_id, collection)
            assert run.row_counts[f"lake/{collection}"] == run.row_counts[f"mongo/{collection}"]
        warehouse = duckdb.connect(str(platform.data_dir / "warehouse.duckdb"), read_only=True)
        for table in ("people", "companies"):
            schema = warehouse.execute(
                "select table_schema from information_schema.tables where table_name = ?", [table]
            ).fetchone()[0]
            rows = warehouse.execute(f"select count(*) from {schema}.{table} where backup_id = ?", [backup_id])
            assert rows.fetchone()[0] > 0, (backup_id, table)
        warehouse.close()
        assert 0.5 < run.metrics["ml/reply_propensity roc_auc"] <= 1.0


def test_no_raw_email_reaches_the_lake_or_the_warehouse(platform):
    emails = set()
    for backup_id in platform.backups:
        emails |= backup_emails(platform.data_dir / "backups" / backup_id)
    assert len(emails) > 100
    assert not emails & email_tokens_in_parquet(platform.data_dir / "lake")
    warehouse = duckdb.connect(str(platform.data_dir / "warehouse.duckdb"), read_only=True)
    columns = warehouse.execute(
        "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ).fetchall()
    warehouse.execute("create temp table raw_emails (needle varchar)")
    warehouse.executemany("insert into raw_emails values (?)", [[e] for e in emails])
    for schema, table, column in columns:
        # Email-looking tokens of every value (free text included), joined to the raw emails: one pass per column.
        hits = warehouse.execute(
            f"""select count(*) from (
                    select unnest(regexp_extract_all("{column}", '{EMAIL.pattern}')) as token
                    from "{schema}"."{table}"
                ) as tokens join raw_emails on tokens.token = raw_emails.needle"""
        ).fetchone()[0]
        assert hits == 0, f"{schema}.{table}.{column} holds raw emails"
