"""The warehouse on a tiny hand-made database (tests/warehouse/crafted.py), with hand-computed expectations."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import MODELS, Build, Warehouse, relation
from .crafted import (
    AC1,
    AC2,
    AC3,
    AC4,
    BACKUP_A,
    BACKUP_B,
    M1,
    M2,
    M3,
    M4,
    M5,
    ORG_ACME,
    ORG_GLOBEX,
    P_ANN,
    P_BOB,
    P_CAT,
    P_DAN,
    P_EVE,
)

A, B = BACKUP_A, BACKUP_B


@pytest.fixture(scope="module")
def wh(crafted_warehouse: tuple[Warehouse, Build]) -> Warehouse:
    return crafted_warehouse[0]


def test_every_model_seed_and_test_passes(crafted_warehouse: tuple[Warehouse, Build]) -> None:
    _, build = crafted_warehouse
    statuses = build.statuses
    assert not build.failures()
    models = {uid.split(".")[-1] for uid in statuses if uid.startswith("model.")}
    assert set(MODELS) <= models
    assert {uid for uid in statuses if uid.startswith("seed.")} == {
        "seed.apollo.feature_taxonomy",
        "seed.apollo.free_email_domains",
    }
    # one `column_checks` node per model for its column checks (dbt/tests/generic/column_checks.sql)
    checked = {uid.split(".")[2].removeprefix("column_checks_") for uid in statuses if ".column_checks_" in uid}
    assert set(MODELS) <= checked
    per_column = [uid.split(".")[2] for uid in statuses if uid.split(".")[2].startswith(("not_null_", "accepted_"))]
    assert not [name for name in per_column if any(f"_{model}_" in name for model in MODELS)]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_rows_of_both_backups(wh: Warehouse, model: str) -> None:
    per_backup = dict(wh.query(f"select backup_id, count(*) from {relation(model)} group by backup_id"))
    assert set(per_backup) == {A, B}
    assert all(n > 0 for n in per_backup.values())


def test_staging_has_one_row_per_id_and_backup(wh: Warehouse) -> None:
    # the lake holds Acme twice in each backup: the latest updated_at wins
    rows = wh.dicts(
        "select * from staging.stg_organizations where organization_id = ? order by backup_id", [str(ORG_ACME)]
    )
    assert [(r["backup_id"], r["organization_name"], r["estimated_num_employees"]) for r in rows] == [
        (A, "Acme", 120),
        (B, "Acme", 120),
    ]
    assert dict(wh.query("select backup_id, count(*) from staging.stg_people group by 1")) == {A: 5, B: 5}
    assert dict(wh.query("select backup_id, count(*) from staging.stg_emailer_messages group by 1")) == {A: 5, B: 5}


def test_drift_fields_are_cast_back(wh: Warehouse) -> None:
    years = dict(
        wh.query("select organization_id, founded_year from staging.stg_organizations where backup_id = ?", [A])
    )
    assert years == {str(ORG_ACME): 1998, str(ORG_GLOBEX): 2005}  # 2005 arrived as the string "2005"
    scores = dict(wh.query("select person_id, intent_score from staging.stg_people where backup_id = ?", [A]))
    assert scores[str(P_ANN)] == 0.5 and scores[str(P_BOB)] == 42.5 and scores[str(P_CAT)] == 3.0
    assert scores[str(P_DAN)] is None
    types = dict(wh.query("select person_id, intent_score_bson_type from staging.stg_people where backup_id = ?", [A]))
    assert types[str(P_BOB)] == "string" and types[str(P_CAT)] == "int"


def test_normalizations(wh: Warehouse) -> None:
    people = {r["person_id"]: r for r in wh.dicts("select * from gold.people where backup_id = ?", [A])}
    assert people[str(P_ANN)]["seniority"] == "vp"  # raw "VP"
    assert people[str(P_DAN)]["seniority"] == "c_suite"  # raw "C_SUITE"
    assert people[str(P_ANN)]["department"] == "sales"  # raw "master_sales"
    assert people[str(P_BOB)]["email_domain"] == "globex.com"  # masked <hex>@Globex.com
    domains = dict(wh.query("select organization_id, domain from staging.stg_organizations where backup_id = ?", [A]))
    assert domains[str(ORG_GLOBEX)] == "globex.com"  # raw "WWW.Globex.com"
    stages = dict(wh.query("select contact_id, stage from staging.stg_contacts where backup_id = ?", [A]))
    assert set(stages.values()) == {"replied", "cold"}  # raw "Cold"
    fields = sorted(
        r[0] for r in wh.query("select custom_field_count from staging.stg_contacts where backup_id = ?", [A])
    )
    assert fields == [0, 2]


def test_no_pseudonym_reaches_gold_or_marts(wh: Warehouse) -> None:
    for model in MODELS:
        if model.startswith("stg_"):
            continue
        for row in wh.query(f"select * from {relation(model)}"):
            for value in row:
                assert not (isinstance(value, str) and "@" in value), (model, value)


def test_company_dimension_resolves_people_by_domain(wh: Warehouse) -> None:
    companies = {r["domain"]: r for r in wh.dicts("select * from gold.companies where backup_id = ?", [A])}
    # organizations' domains plus work email domains; never consumer mailboxes
    assert set(companies) == {"acme.io", "globex.com", "newco.ai"}
    assert companies["globex.com"]["primary_organization_id"] == str(ORG_GLOBEX)
    assert companies["acme.io"]["size_bucket"] == "51-200"
    assert companies["acme.io"]["revenue_bucket"] == "10M-50M"
    assert companies["acme.io"]["technology_count"] == 3
    assert companies["newco.ai"]["company_source"] == "email_domain"

    people = {r["person_id"]: r for r in wh.dicts("select * from gold.people where backup_id = ?", [A])}
    globex = companies["globex.com"]["company_id"]
    # Bob: no organization id, email at globex.com -> Globex through the email domain
    assert people[str(P_BOB)]["company_id"] == globex
    assert people[str(P_BOB)]["company_match_method"] == "email_domain"
    # Cat: no organization id, no email, current job at Globex -> through employment_history
    assert people[str(P_CAT)]["company_id"] == globex
    assert people[str(P_CAT)]["company_match_method"] == "employment_history"
    assert people[str(P_CAT)]["current_organization_id"] == str(ORG_GLOBEX)
    assert people[str(P_ANN)]["company_id"] == companies["acme.io"]["company_id"]
    assert people[str(P_ANN)]["company_match_method"] == "organization_id"
    assert people[str(P_DAN)]["company_id"] is None  # gmail.com
    assert people[str(P_EVE)]["company_id"] == companies["newco.ai"]["company_id"]

    # in backup B Bob has his organization id: same company id (derived from the domain), other method
    bob_b = wh.dicts("select * from gold.people where backup_id = ? and person_id = ?", [B, str(P_BOB)])[0]
    assert bob_b["company_id"] == globex and bob_b["company_match_method"] == "organization_id"


def test_activation_matches_hand_computation(wh: Warehouse) -> None:
    rows = {
        r["use_case"]: r
        for r in wh.dicts("select * from marts.mart_activation_l1 where backup_id = ? order by use_case", [A])
    }
    # AC4 signed up 2026-10-25, 6 days before the backup's as_of (2026-10-31 12:00): not yet counted as new.
    assert {r["cohort_week"] for r in rows.values()} == {date(2026, 9, 7)}
    assert all(r["new_accounts"] == 3 and r["new_users"] == 3 for r in rows.values())
    # engagement (the key action): only AC1 ran a sequence within 14 days; AC2's email came on day 22
    assert rows["engagement"]["is_key_action"] is True
    assert rows["engagement"]["activated_accounts"] == 1
    assert rows["engagement"]["account_activation_rate"] == pytest.approx(1 / 3)
    assert rows["engagement"]["user_activation_rate"] == pytest.approx(1 / 3)
    # AC1: signed up 09-07 10:00, first sequence 09-10 12:00
    assert rows["engagement"]["avg_days_to_first_use_accounts"] == pytest.approx((3 * 24 + 2) / 24)
    assert rows["prospecting"]["account_activation_rate"] == pytest.approx(2 / 3)
    assert rows["deals"]["account_activation_rate"] == 0.0
    assert rows["enrichment"]["activated_accounts"] == 0

    features = {r["feature"]: r for r in wh.dicts("select * from marts.mart_activation_l2 where backup_id = ?", [A])}
    assert len(features) == 14
    assert features["sequences"]["activated_accounts"] == 1
    assert features["email_send"]["activated_accounts"] == 0
    assert features["people_search"]["account_activation_rate"] == pytest.approx(2 / 3)


def test_activation_window_is_a_var(wh: Warehouse) -> None:
    """With N = 30 days, AC2's email on day 22 activates it too (dbt show: nothing is written)."""
    build = wh.dbt(
        "show",
        "--select",
        "mart_activation_l1",
        "--limit",
        "100",
        "--vars",
        "{activation_window_days: 30, backup_ids: ['" + A + "']}",
    )
    assert build.result.success
    table = build.result.result.results[0].agate_table
    rows = [dict(zip(table.column_names, row, strict=True)) for row in table.rows]
    rows = [r for r in rows if r["backup_id"] == A]  # the versions' delta: A's rows, not later backups' or markers
    engagement = [r for r in rows if r["use_case"] == "engagement"]
    assert sum(r["activated_accounts"] for r in engagement) == 2
    assert all(r["activation_window_days"] == 30 for r in rows)


def test_adoption_matches_hand_computation(wh: Warehouse) -> None:
    rows = {
        (r["activity_week"], r["use_case"]): r
        for r in wh.dicts("select * from marts.mart_adoption_l1 where backup_id = ?", [A])
    }
    week = date(2026, 9, 7)
    # week of 2026-09-07: AC1 (sequences), AC2 and AC3 (people_search) active
    assert rows[(week, "engagement")]["active_accounts"] == 3
    assert rows[(week, "engagement")]["account_adoption_rate"] == pytest.approx(1 / 3)
    assert rows[(week, "prospecting")]["account_adoption_rate"] == pytest.approx(2 / 3)
    assert rows[(week, "deals")]["account_adoption_rate"] == 0.0
    assert rows[(date(2026, 9, 28), "engagement")]["account_adoption_rate"] == 1.0
    assert rows[(date(2026, 10, 26), "engagement")]["is_complete_week"] is False
    assert rows[(week, "engagement")]["is_complete_week"] is True
    assert {w for w, _ in rows} == {week, date(2026, 9, 28), date(2026, 10, 26)}
    for r in wh.dicts("select * from marts.mart_adoption_l2"):
        assert 0 <= r["account_adoption_rate"] <= 1 and 0 <= r["user_adoption_rate"] <= 1


def test_retention_matches_hand_computation(wh: Warehouse) -> None:
    rows = {
        (r["cohort_week"], r["weeks_since_signup"]): r
        for r in wh.dicts("select * from marts.mart_retention_l1 where backup_id = ? and use_case = 'any'", [A])
    }
    cohort = date(2026, 9, 7)
    # weeks 0..6 of the 2026-09-07 cohort have ended by 2026-10-31 12:00; week 7 has not
    assert sorted(k for c, k in rows if c == cohort) == list(range(7))
    assert rows[(cohort, 0)]["cohort_users"] == 3
    assert rows[(cohort, 0)]["retention_rate"] == 1.0
    assert rows[(cohort, 3)]["active_users"] == 1  # U2's email on 2026-09-30
    assert rows[(cohort, 1)]["retention_rate"] == 0.0
    # U4 signed up Sunday 2026-10-25 (week of 10-19): only its week 0 has ended, without activity
    assert rows[(date(2026, 10, 19), 0)]["retention_rate"] == 0.0
    engagement = wh.dicts(
        "select * from marts.mart_retention_l1 where backup_id = ? and use_case = 'engagement' "
        "and cohort_week = ? and weeks_since_signup = 0",
        [A, cohort],
    )[0]
    assert engagement["active_users"] == 1


def test_engagement_funnel_matches_hand_computation(wh: Warehouse) -> None:
    rows = {
        r["campaign_status"]: r for r in wh.dicts("select * from marts.mart_engagement_funnel where backup_id = ?", [A])
    }
    assert set(rows) == {"active", "paused"}  # M5 (never sent) is not counted
    active = rows["active"]
    assert active["send_week"] == date(2026, 9, 14)
    assert (active["messages_sent"], active["messages_opened"], active["messages_replied"]) == (3, 2, 2)
    assert active["open_rate"] == pytest.approx(2 / 3) and active["reply_to_open_rate"] == 1.0
    assert rows["paused"]["messages_bounced"] == 1 and rows["paused"]["reply_rate"] == 0.0


def test_reply_training_rows_and_features(wh: Warehouse) -> None:
    rows = {r["message_id"]: r for r in wh.dicts("select * from marts.mart_reply_training where backup_id = ?", [A])}
    assert set(rows) == {str(M1), str(M2), str(M3), str(M4)}
    assert str(M5) not in rows
    m1, m2, m3, m4 = (rows[str(m)] for m in (M1, M2, M3, M4))
    assert (m1["replied"], m2["replied"], m3["replied"], m4["replied"]) == (True, True, False, False)
    assert [m["previous_messages_to_person"] for m in (m1, m2, m4)] == [0, 1, 2]
    assert [m["previous_replies_from_person"] for m in (m1, m2, m4)] == [0, 1, 2]
    assert m4["person_id"] == str(P_ANN)  # through its contact
    assert m1["person_seniority"] == "vp" and m1["person_department"] == "sales"
    assert m1["company_size_bucket"] == "51-200" and m1["company_industry"] == "Software"
    assert m1["company_revenue_bucket"] == "10M-50M" and m1["company_technology_count"] == 3
    assert m1["campaign_step_count"] == 3 and m3["campaign_step_count"] == 1
    assert (m1["send_hour"], m1["send_day_of_week"]) == (9, 1)  # Monday 09:00 UTC
    assert (m4["send_hour"], m4["send_day_of_week"]) == (18, 7)  # Sunday 18:30 UTC
    assert m3["person_seniority"] == "unknown" and m3["person_id"] is None


@pytest.mark.parametrize("account", [AC1, AC2, AC3, AC4])
def test_accounts_are_staged_in_both_backups(wh: Warehouse, account: object) -> None:
    assert wh.query("select count(*) from staging.stg_accounts where account_id = ?", [str(account)]) == [(2,)]
