"""Incremental by backup: rebuilding one backup's slice leaves every other backup's rows untouched."""

from __future__ import annotations

from pathlib import Path

from . import crafted
from .conftest import (
    ACCOUNTS_AFTER,
    ACCOUNTS_PLANS,
    AGE_ACCOUNTS,
    MODELS,
    Build,
    assert_accounts_follow_the_model,
    new_warehouse,
    relation,
)
from .crafted import BACKUP_A, BACKUP_B, ORG_ACME, ORG_GLOBEX

A, B = BACKUP_A, BACKUP_B


def test_rebuilding_backup_a_leaves_backup_b_untouched(tmp_path: Path, dbt_work: Path) -> None:
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    # every model of the project (also those other layers add), by schema.table
    tables = sorted(wh.build().relations.values())
    assert len(tables) >= len(MODELS)
    before_b = {table: wh.slice_rows(table, B) for table in tables}
    assert all(before_b[relation(model)] for model in MODELS)

    # New data for A: Acme's head count changes and A's messages are gone (their mart slices become empty).
    docs_a = crafted.backup_a()
    for org in docs_a["organizations"]:
        if org["_id"] == ORG_ACME:
            org["estimated_num_employees"] = 999
    docs_a["emailer_messages"] = []
    wh.lake.load(A, docs_a)
    # B's lake rows change too, but B is not rebuilt: its warehouse slice must not move.
    docs_b = crafted.backup_b()
    docs_b["organizations"] = [o for o in docs_b["organizations"] if o["_id"] != ORG_GLOBEX]
    wh.lake.load(B, docs_b)

    build = wh.build(backup_ids=[A])
    built = {uid.split(".")[-1] for uid in build.statuses if uid.startswith("model.")}
    assert set(MODELS) <= built

    for table in tables:
        assert wh.slice_rows(table, B) == before_b[table], f"{table}: backup B's rows changed"

    acme_a = wh.dicts("select * from gold.companies where backup_id = ? and domain = 'acme.io'", [A])[0]
    assert acme_a["num_employees"] == 999 and acme_a["size_bucket"] == "501-1000"
    # slices that became empty are cleared, not left stale
    assert wh.slice_rows("mart_engagement_funnel", A) == []
    assert wh.slice_rows("mart_reply_training", A) == []
    assert wh.slice_rows("stg_emailer_messages", A) == []

    # Rebuilding B (id given as a plain string) now picks up B's new lake rows; A stays as it is.
    after_a = {table: wh.slice_rows(table, A) for table in tables}
    build = wh.dbt("run", "--vars", f"backup_ids: {B}")
    assert build.result.success, build.failures()
    assert wh.query("select count(*) from staging.stg_organizations where backup_id = ?", [B]) == [(1,)]
    for table in tables:
        assert wh.slice_rows(table, A) == after_a[table], f"{table}: backup A's rows changed"

    # An explicit empty list selects no backup: nothing changes.
    everything = {(table, b): wh.slice_rows(table, b) for table in tables for b in (A, B)}
    assert wh.dbt("run", backup_ids=[]).result.success
    assert {(table, b): wh.slice_rows(table, b) for table in tables for b in (A, B)} == everything


def test_a_subset_build_runs_only_the_tests_it_can_answer(tmp_path: Path, dbt_work: Path) -> None:
    """Building two staging models on an empty warehouse (one asset launched from the UI, a partial backfill) runs
    their own tests, not the relationship tests of unselected models that point at them (gold.companies, stg_users:
    not built by this run), which dbt's default `eager` selection would run and fail."""
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    build = wh.dbt("build", "--select", "stg_accounts", "stg_organizations", backup_ids=[A])
    assert build.result.success, build.failures()
    tests = {uid for uid in build.statuses if uid.startswith("test.")}
    assert tests and all("stg_accounts" in t or "stg_organizations" in t for t in tests)
    assert not any("stg_users" in t or "companies" in t for t in tests)


def test_a_build_for_some_backups_tests_only_their_slices(tmp_path: Path, dbt_work: Path) -> None:
    """A partition's build tests the slices it builds (the others were tested when they were built): a defect
    planted in backup A's slice fails `dbt test` for A and for every backup, not for B alone."""
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    wh.build()
    wh.query(
        "insert into staging.stg_users by name "
        "(select user_id, backup_id, 'no-such-account' as account_id from staging.stg_users where backup_id = ? "
        "limit 1)",
        [A],
    )
    defects = {"unique_combination_stg_users_user_id__backup_id", "relationships_by_backup_stg_users_account_id"}

    def failed(build: Build) -> set[str]:
        return {d for d in defects if any(d in uid for uid, s in build.statuses.items() if s in ("fail", "error"))}

    only_b = wh.dbt("test", "--select", "stg_users", "stg_accounts", backup_ids=[B])
    assert only_b.result.success, only_b.failures()
    assert any("relationships_by_backup_stg_users" in uid for uid in only_b.statuses)
    assert failed(wh.dbt("test", "--select", "stg_users", "stg_accounts", backup_ids=[A])) == defects
    assert failed(wh.dbt("test", "--select", "stg_users", "stg_accounts")) == defects


def test_a_slice_build_follows_the_models_columns(tmp_path: Path, dbt_work: Path) -> None:
    """A table built by an older version of a model: a column the model now has is added (null in the slices not
    rebuilt), a column it no longer has is kept (null in the rebuilt slice); each slice's other rows stay. A full
    refresh rebuilds the table as the model has it."""
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    wh.build()
    plans = dict(wh.query(ACCOUNTS_PLANS))
    for statement in AGE_ACCOUNTS:
        wh.query(statement)

    assert wh.dbt("run", "--select", "stg_accounts", backup_ids=[B]).result.success
    assert_accounts_follow_the_model(wh.query(ACCOUNTS_AFTER), plans, B, {A, B})

    # --full-refresh rebuilds the table from the model (every backup in the lake) and swaps it in.
    assert wh.dbt("run", "--select", "stg_accounts", "--full-refresh").result.success
    rows = wh.dicts("select * from staging.stg_accounts")
    assert "legacy_tier" not in rows[0]
    assert {r["account_id"] + r["backup_id"]: r["plan"] for r in rows} == plans
