"""The warehouse on the generated sample database (apollo_assets.sample_data), two consecutive backups exposed
as views over Parquet with union_by_name (so schemas may differ between backups, as in the lake)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from .conftest import MODELS, Build, Warehouse, new_warehouse, relation

sample_data = pytest.importorskip("apollo_assets.sample_data")
timeutil = pytest.importorskip("apollo_assets.sample_data.timeutil")

SEED = 7


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, dbt_work) -> Iterator[tuple[Warehouse, Build, dict]]:
    wh = new_warehouse(tmp_path_factory.mktemp("sample"), dbt_work, mode="view")
    databases = {}
    for generation in (0, 1):
        backup_id = sample_data.backup_id_for(timeutil.DEFAULT_START + timedelta(days=generation))
        databases[backup_id] = sample_data.generate_database(
            seed=SEED, generation=generation, sizes=sample_data.Sizes()
        )
        wh.lake.load(backup_id, databases[backup_id])
    build = wh.build()
    yield wh, build, databases


def test_build_passes(sample: tuple[Warehouse, Build, dict]) -> None:
    _, build, _ = sample
    assert not build.failures()


@pytest.mark.parametrize("model", MODELS)
def test_rows_per_backup(sample: tuple[Warehouse, Build, dict], model: str) -> None:
    wh, _, databases = sample
    per_backup = dict(wh.query(f"select backup_id, count(*) from {relation(model)} group by 1"))
    assert set(per_backup) == set(databases)


def test_staging_counts_match_the_documents(sample: tuple[Warehouse, Build, dict]) -> None:
    wh, _, databases = sample
    for backup_id, docs in databases.items():
        for model, collection in [
            ("stg_people", "people"),
            ("stg_organizations", "organizations"),
            ("stg_usage_events", "usage_events"),
            ("stg_contacts", "contacts"),
        ]:
            expected = len({d["_id"] for d in docs[collection]})
            got = wh.query(f"select count(*) from {relation(model)} where backup_id = ?", [backup_id])[0][0]
            assert got == expected, (backup_id, model)
        sent = sum(1 for m in docs["emailer_messages"] if m.get("sent_at") is not None)
        assert wh.query("select count(*) from marts.mart_reply_training where backup_id = ?", [backup_id]) == [(sent,)]


def test_drift_and_new_fields(sample: tuple[Warehouse, Build, dict]) -> None:
    wh, _, databases = sample
    first, second = sorted(databases)
    for backup_id, docs in databases.items():
        years = sum(1 for o in docs["organizations"] if o.get("founded_year") is not None)
        assert wh.query(
            "select count(founded_year) from staging.stg_organizations where backup_id = ?", [backup_id]
        ) == [(years,)]
        scores = sum(1 for p in docs["people"] if p.get("intent_score") is not None)
        assert wh.query("select count(intent_score) from staging.stg_people where backup_id = ?", [backup_id]) == [
            (scores,)
        ]
    # twitter_url exists from the second backup on
    assert wh.query("select count(*) from gold.people where backup_id = ? and has_twitter_url", [first]) == [(0,)]
    assert wh.query("select count(*) from gold.people where backup_id = ? and has_twitter_url", [second])[0][0] > 0
    assert wh.query(
        "select count(*) from staging.stg_people where seniority not in "
        "('c_suite', 'vp', 'director', 'manager', 'senior', 'entry')"
    ) == [(0,)]


def test_people_resolve_to_their_organizations_company(sample: tuple[Warehouse, Build, dict]) -> None:
    wh, _, _ = sample
    # everyone whose current organization is in the backup (and has a domain) gets that organization's company
    unresolved = wh.query("""
        select count(*) from gold.people p
        join staging.stg_organizations o
            on o.backup_id = p.backup_id and o.organization_id = p.current_organization_id
        where o.domain is not null and p.company_id is null""")
    assert unresolved == [(0,)]
    share = wh.query("select avg(case when company_id is not null then 1.0 else 0 end) from gold.people")[0][0]
    assert share > 0.8


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        ("mart_activation_l1", ["account_activation_rate", "user_activation_rate"]),
        ("mart_activation_l2", ["account_activation_rate", "user_activation_rate"]),
        ("mart_adoption_l1", ["account_adoption_rate", "user_adoption_rate"]),
        ("mart_adoption_l2", ["account_adoption_rate", "user_adoption_rate"]),
        ("mart_retention_l1", ["retention_rate"]),
        ("mart_retention_l2", ["retention_rate"]),
        ("mart_engagement_funnel", ["open_rate", "reply_rate", "reply_to_open_rate", "bounce_rate"]),
    ],
)
def test_shares_are_between_0_and_1(sample: tuple[Warehouse, Build, dict], model: str, columns: list[str]) -> None:
    wh, _, _ = sample
    for column in columns:
        low, high, present = wh.query(f"select min({column}), max({column}), count({column}) from {relation(model)}")[0]
        assert present > 0 and 0 <= low <= high <= 1, (model, column, low, high)


def test_reply_training_has_no_identifier_features(sample: tuple[Warehouse, Build, dict]) -> None:
    wh, _, _ = sample
    rows = wh.dicts("select * from marts.mart_reply_training limit 500")
    assert rows
    allowed_ids = {"message_id", "person_id", "backup_id"}
    for row in rows:
        for column, value in row.items():
            if column in allowed_ids or not isinstance(value, str):
                continue
            assert "@" not in value and not (len(value) in (24, 32) and all(c in "0123456789abcdef" for c in value)), (
                column,
                value,
            )
    labels = {r["replied"] for r in wh.dicts("select distinct replied from marts.mart_reply_training")}
    assert labels == {True, False}
