"""Incremental by backup: a backup's build computes it against the backup before it, so rebuilding an old backup
rebuilds every later one, and rebuilding the newest leaves every older backup's rows untouched."""

from __future__ import annotations

from pathlib import Path

from . import crafted
from .conftest import (
    ACCOUNT_TIERS,
    ACCOUNTS_AFTER,
    ACCOUNTS_PLANS,
    AGE_ACCOUNTS,
    MODELS,
    Build,
    assert_accounts_follow_the_model,
    changed_account,
    new_warehouse,
)
from .crafted import AC1, BACKUP_A, BACKUP_B, ORG_ACME, ORG_GLOBEX

A, B = BACKUP_A, BACKUP_B


def new_lakes() -> tuple[dict, dict]:
    """New data for A (Acme's head count changes, A's messages are gone) and for B (Globex is gone)."""
    docs_a = crafted.backup_a()
    for org in docs_a["organizations"]:
        if org["_id"] == ORG_ACME:
            org["estimated_num_employees"] = 999
    docs_a["emailer_messages"] = []
    docs_b = crafted.backup_b()
    docs_b["organizations"] = [o for o in docs_b["organizations"] if o["_id"] != ORG_GLOBEX]
    return docs_a, docs_b


def test_rebuilding_an_old_backup_rebuilds_every_later_one(tmp_path: Path, dbt_work: Path) -> None:
    wh = new_warehouse(tmp_path / "incremental", dbt_work)
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    # every model of the project (also those other layers add), by schema.table
    tables = sorted(wh.build().relations.values())
    assert len(tables) >= len(MODELS)

    docs_a, docs_b = new_lakes()
    wh.lake.load(A, docs_a)
    wh.lake.load(B, docs_b)
    build = wh.build(backup_ids=[A])
    built = {uid.split(".")[-1] for uid in build.statuses if uid.startswith("model.")}
    assert set(MODELS) <= built

    # A, and B computed against it, are what a build of both new lakes gives
    fresh = new_warehouse(tmp_path / "fresh", dbt_work)
    fresh.lake.load(A, docs_a)
    fresh.lake.load(B, docs_b)
    fresh.build()
    for table in tables:
        for backup in (A, B):
            assert wh.slice_rows(table, backup) == fresh.slice_rows(table, backup), f"{table} as of {backup}"
    acme_a = wh.dicts("select * from gold.companies where backup_id = ? and domain = 'acme.io'", [A])[0]
    assert acme_a["num_employees"] == 999 and acme_a["size_bucket"] == "501-1000"
    # backups that became empty are empty, not left stale
    assert wh.slice_rows("mart_engagement_funnel", A) == []
    assert wh.slice_rows("mart_reply_training", A) == []
    assert wh.slice_rows("stg_emailer_messages", A) == []
    assert wh.query("select count(*) from staging.stg_organizations where backup_id = ?", [B]) == [(1,)]

    # Rebuilding B (id given as a plain string), the newest, picks up B's new lake rows; A stays as it is, though
    # its lake rows changed again.
    after_a = {table: wh.slice_rows(table, A) for table in tables}
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    build = wh.dbt("run", "--vars", f"backup_ids: {B}")
    assert build.result.success, build.failures()
    assert wh.query("select count(*) from staging.stg_organizations where backup_id = ?", [B]) == [(2,)]
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
    """A partition's build tests the backups it builds (the others were tested when they were built): a defect
    planted in backup A's rows fails `dbt test` for A and for every backup, not for B alone."""
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    wh.build()
    # a second version of a user, valid in A only, pointing at an account that does not exist
    wh.query(
        "insert into staging.stg_users__versions by name "
        "(select user_id, 'no-such-account' as account_id, valid_from_backup, ? as valid_to_backup, _version_hash "
        "from staging.stg_users__versions where valid_from_backup = ? limit 1)",
        [B, A],
    )
    defects = {"unique_combination_stg_users_user_id__backup_id", "relationships_by_backup_stg_users_account_id"}

    def failed(build: Build) -> set[str]:
        return {d for d in defects if any(d in uid for uid, s in build.statuses.items() if s in ("fail", "error"))}

    only_b = wh.dbt("test", "--select", "stg_users", "stg_accounts", backup_ids=[B])
    assert only_b.result.success, only_b.failures()
    assert any("relationships_by_backup_stg_users" in uid for uid in only_b.statuses)
    assert failed(wh.dbt("test", "--select", "stg_users", "stg_accounts", backup_ids=[A])) == defects
    assert failed(wh.dbt("test", "--select", "stg_users", "stg_accounts")) == defects


def test_a_build_follows_the_models_columns(tmp_path: Path, dbt_work: Path) -> None:
    """Versions written by an older version of a model: a column the model now has is added (null in the versions
    written before), a column it no longer has stays in the versions and leaves the view. A full refresh rebuilds
    the versions as the model has them."""
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    wh.lake.load(B, crafted.backup_b())
    wh.build()
    plans = dict(wh.query(ACCOUNTS_PLANS))
    for statement in AGE_ACCOUNTS:
        wh.query(statement)

    wh.lake.load(B, changed_account(crafted.backup_b(), AC1))
    assert wh.dbt("run", "--select", "stg_accounts", backup_ids=[B]).result.success
    assert_accounts_follow_the_model(wh.query(ACCOUNTS_AFTER), wh.query(ACCOUNT_TIERS), plans, str(AC1), B)

    # --full-refresh rebuilds the versions from the model (every backup in the lake).
    assert wh.dbt("run", "--select", "stg_accounts", "--full-refresh").result.success
    rows = wh.dicts("select * from staging.stg_accounts")
    assert "legacy_tier" not in wh.dicts("select * from staging.stg_accounts__versions")[0]
    assert {r["account_id"] + r["backup_id"]: r["plan"] for r in rows} == plans


def test_one_test_node_checks_every_column_of_a_model(tmp_path: Path, dbt_work: Path) -> None:
    """The per-column checks of a model are one test node (`column_checks`): a defect planted in a backup fails it,
    and its failing rows name the column and the check, with the rows that fail."""
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(A, crafted.backup_a())
    build = wh.build(backup_ids=[A])
    tests = [uid for uid in build.statuses if uid.startswith("test.") and ".stg_people" in uid.replace("_", ".")]
    assert any(".column_checks_stg_people." in uid for uid in build.statuses)
    assert not any(".not_null_stg_people" in uid or ".accepted_values_stg_people" in uid for uid in tests)
    wh.query(
        "update staging.stg_people__versions set seniority = 'wizard' "
        "where person_id in (select person_id from staging.stg_people__versions limit 2)"
    )
    checked = wh.dbt("test", "--select", "column_checks_stg_people", "--store-failures", backup_ids=[A])
    assert list(checked.statuses.values()) == ["fail"]
    audit = wh.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_name = 'column_checks_stg_people'"
    )
    assert wh.query(f"select failing_check, failures from {audit[0][0]}") == [("seniority: accepted_values", 2)]
