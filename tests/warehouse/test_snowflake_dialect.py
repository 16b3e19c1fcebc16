"""The same dbt project on the Snowflake adapter (target `fakesnow`), run against the fakesnow emulator in-process
(fakesnow.patch): the Snowflake branches of the cross-database macros (path access on OBJECT, LATERAL FLATTEN,
TRY_CAST, CONVERT_TIMEZONE…) compile, run, and give the DuckDB results. fakesnow translates Snowflake SQL to
DuckDB, so this checks the SQL we send, not Snowflake itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from . import crafted
from .conftest import DBT_DIR, Build, Warehouse
from .lake_builder import load_snowflake

fakesnow = pytest.importorskip("fakesnow")

A = crafted.BACKUP_A
CHECKS = {
    "marts.mart_activation_l1": "select use_case, new_accounts, activated_accounts, account_activation_rate "
    "from {} where backup_id = '" + A + "' order by use_case",
    "gold.people": "select person_id, company_id, company_match_method, seniority, department, intent_score "
    "from {} where backup_id = '" + A + "' order by person_id",
    "gold.companies": "select company_id, domain, company_source, size_bucket, revenue_bucket, technology_count "
    "from {} where backup_id = '" + A + "' order by domain",
    "marts.mart_reply_training": "select message_id, previous_messages_to_person, previous_replies_from_person, "
    "send_hour, send_day_of_week, campaign_step_count, replied "
    "from {} where backup_id = '" + A + "' order by message_id",
    "marts.mart_retention_l1": "select cohort_week, weeks_since_signup, use_case, cohort_users, active_users "
    "from {} where backup_id = '" + A + "' order by 1, 2, 3",
    "staging.stg_contacts": "select contact_id, stage, custom_field_count from {} where backup_id = '" + A + "' "
    "order by contact_id",
    "staging.stg_organizations": "select organization_id, domain, founded_year, city from {} "
    "where backup_id = '" + A + "' order by organization_id",
}


def _normalize(rows: list[tuple]) -> list[tuple]:
    def value(v: object) -> object:
        if isinstance(v, float | int) and not isinstance(v, bool):
            return round(float(v), 9)
        if hasattr(v, "as_tuple"):  # Decimal
            return round(float(v), 9)
        return v

    return [tuple(value(v) for v in row) for row in rows]


def test_snowflake_sql_matches_duckdb(tmp_path: Path, crafted_warehouse: tuple[Warehouse, Build]) -> None:
    duck, _ = crafted_warehouse
    expected = {name: _normalize(duck.query(sql.format(name))) for name, sql in CHECKS.items()}

    previous = {k: os.environ.get(k) for k in ("FAKESNOW_DATABASE", "FAKESNOW_SCHEMA")}
    os.environ.update(FAKESNOW_DATABASE="APOLLO", FAKESNOW_SCHEMA="PUBLIC")
    try:
        (tmp_path / "fakesnow").mkdir()
        with fakesnow.patch(db_path=str(tmp_path / "fakesnow")):
            import snowflake.connector

            with snowflake.connector.connect(database="APOLLO", schema="PUBLIC") as con:
                load_snowflake(con.cursor(), A, crafted.backup_a())
            result = dbtRunner().invoke(
                [
                    "build",
                    "--project-dir",
                    str(DBT_DIR),
                    "--profiles-dir",
                    str(DBT_DIR),
                    "--target",
                    "fakesnow",
                    "--target-path",
                    str(tmp_path / "target"),
                    "--log-path",
                    str(tmp_path / "logs"),
                ]
            )
            failures = (
                [
                    f"{r.node.unique_id}: {r.status}: {r.message}"
                    for r in result.result.results
                    if str(r.status) not in ("success", "pass")
                ]
                if result.result
                else [str(result.exception)]
            )
            assert result.success, "\n".join(failures)
            with snowflake.connector.connect(database="APOLLO", schema="PUBLIC") as con:
                cursor = con.cursor()
                for name, sql in CHECKS.items():
                    cursor.execute(sql.format(name))
                    assert _normalize(cursor.fetchall()) == expected[name], name
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
