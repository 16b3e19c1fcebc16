"""Metric marts written by hand, small enough to compute every headline on paper (the tests say how), in a DuckDB
file with a dbt-like manifest that names their tables, as the warehouse resources read them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

A, B = "20261101T040000Z", "20261102T040000Z"  # B is taken on Monday 2026-11-02 at 04:00: that week is partial
W1, W2, W3, W4 = date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)
W0 = date(2026, 10, 5)

ROWS: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "mart_activation_l1": (
        ("backup_id", "cohort_week", "use_case", "is_key_action", "new_accounts", "activated_accounts"),
        [
            (B, W0, "engagement", True, 10, 4),
            (B, W0, "prospecting", False, 10, 8),
            (B, W1, "engagement", True, 20, 12),
            (B, W1, "prospecting", False, 20, 10),
            (A, W0, "engagement", True, 10, 1),
        ],
    ),
    "mart_activation_l2": (
        ("backup_id", "cohort_week", "use_case", "feature", "new_accounts", "activated_accounts"),
        [
            (B, W0, "engagement", "sequences", 10, 3),
            (B, W1, "engagement", "sequences", 20, 10),
            (B, W0, "engagement", "dialer", 10, 1),
            (B, W1, "engagement", "dialer", 20, 2),
        ],
    ),
    "mart_retention_l1": (
        ("backup_id", "cohort_week", "weeks_since_signup", "use_case", "cohort_users", "active_users"),
        [
            (B, W0, 0, "any", 10, 10),
            (B, W0, 1, "any", 10, 5),
            (B, W0, 2, "any", 10, 4),
            (B, W1, 0, "any", 20, 20),
            (B, W1, 1, "any", 20, 10),
            (B, W0, 1, "engagement", 10, 2),
            (B, W0, 2, "engagement", 10, 3),
            (B, W1, 1, "engagement", 20, 4),
        ],
    ),
    "mart_retention_l2": (
        ("backup_id", "cohort_week", "weeks_since_signup", "use_case", "feature", "cohort_users", "active_users"),
        [
            (B, W0, 1, "engagement", "sequences", 10, 2),
            (B, W0, 2, "engagement", "sequences", 10, 3),
            (B, W1, 1, "engagement", "sequences", 20, 3),
        ],
    ),
    "mart_adoption_l1": (
        ("backup_id", "activity_week", "use_case", "active_accounts", "adopting_accounts", "is_complete_week"),
        [
            (B, W1, "engagement", 50, 20, True),
            (B, W1, "prospecting", 50, 40, True),
            (B, W2, "engagement", 40, 20, True),
            (B, W2, "prospecting", 40, 30, True),
            (B, W3, "engagement", 10, 9, False),
            (B, W3, "prospecting", 10, 1, False),
            (A, W1, "engagement", 50, 5, True),
        ],
    ),
    "mart_adoption_l2": (
        (
            "backup_id",
            "activity_week",
            "use_case",
            "feature",
            "active_accounts",
            "adopting_accounts",
            "is_complete_week",
        ),
        [
            (B, W1, "engagement", "sequences", 50, 10, True),
            (B, W2, "engagement", "sequences", 40, 12, True),
            (B, W1, "engagement", "dialer", 50, 5, True),
            (B, W2, "engagement", "dialer", 40, 2, True),
        ],
    ),
    "mart_engagement_funnel": (
        ("backup_id", "send_week", "campaign_status", "messages_sent", "messages_opened", "messages_replied"),
        [
            (B, W2, "active", 100, 50, 10),
            (B, W2, "paused", 100, 30, 0),
            (B, W3, "active", 200, 80, 20),
            (B, W4, "active", 5, 1, 0),  # the week of the backup: not over when it was taken
        ],
    ),
    "mart_reply_training": (
        ("backup_id", "message_id", "replied"),
        [(B, "m1", True), (B, "m2", False), (B, "m3", False), (B, "m4", True), (A, "m5", True)],
    ),
}
TYPES = {"cohort_week": "date", "activity_week": "date", "send_week": "date", "is_key_action": "boolean"}
TYPES |= {"is_complete_week": "boolean", "replied": "boolean", "backup_id": "varchar", "use_case": "varchar"}
TYPES |= {"feature": "varchar", "campaign_status": "varchar", "message_id": "varchar"}


def create_statements(schema: str = "marts") -> list[tuple[str, list[tuple]]]:
    """`create table` and `insert` of every mart, with its rows."""
    statements = []
    for model, (columns, rows) in ROWS.items():
        typed = ", ".join(f"{c} {TYPES.get(c, 'integer')}" for c in columns)
        marks = ", ".join("?" for _ in columns)
        statements.append((f"create table {schema}.{model} ({typed})", []))
        statements.append((f"insert into {schema}.{model} values ({marks})", rows))
    return statements


def write_manifest(path: Path, schema: str = "marts") -> Path:
    nodes = {
        f"model.apollo.{model}": {
            "resource_type": "model",
            "name": model,
            "schema": schema,
            "alias": model,
            "relation_name": f'"{schema}"."{model}"',
        }
        for model in ROWS
    }
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def write_duckdb(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for sql, rows in create_statements():
            if rows:
                con.executemany(sql, rows)
            else:
                con.execute(sql)
    return path
