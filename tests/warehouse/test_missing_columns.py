"""Fields that are absent from a backup's lake table (missing from every document, or dropped by masking) read as
nulls: the models still build, with the same columns."""

from __future__ import annotations

from pathlib import Path

from . import crafted
from .conftest import new_warehouse

DROPPED = {
    "people": ("phone", "linkedin_url", "email", "intent_score"),
    "organizations": ("phone", "annual_revenue", "founded_year", "website_url"),
    "contacts": ("custom_fields", "phone", "email"),
    "emailer_messages": ("subject", "body", "to_email", "bounced_at"),
    "usage_events": ("properties",),
}


def test_models_build_without_optional_columns(tmp_path: Path, dbt_work: Path) -> None:
    docs = crafted.backup_a()
    for collection, fields in DROPPED.items():
        for doc in docs[collection]:
            for field in fields:
                doc.pop(field, None)
    for org in docs["organizations"]:
        org["address"].pop("state")
    for person in docs["people"]:
        for job in person["employment_history"]:
            job.pop("end_date")
    wh = new_warehouse(tmp_path, dbt_work)
    wh.lake.load(crafted.BACKUP_A, docs)
    columns = {
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns where table_schema = 'lake' and table_name = 'people'"
        )
    }
    assert "email" not in columns and "twitter_url" not in columns

    wh.build()

    people = wh.dicts("select * from gold.people")
    assert len(people) == 5
    assert not any(p["has_phone"] or p["has_email"] or p["has_twitter_url"] for p in people)
    assert all(p["intent_score"] is None and p["email_domain"] is None for p in people)
    # without emails, Bob and Eve lose their company; Ann (organization id) and Cat (employment) keep theirs
    methods = {p["person_id"]: p["company_match_method"] for p in people}
    assert methods[str(crafted.P_ANN)] == "organization_id"
    assert methods[str(crafted.P_CAT)] == "employment_history"
    assert methods[str(crafted.P_BOB)] is None
    assert wh.query("select count(*), count(end_date) from staging.stg_people_employment") == [(3, 0)]
    assert wh.query("select count(custom_field_count) from staging.stg_contacts") == [(0,)]
    assert wh.query("select count(*), count(event_source) from staging.stg_usage_events") == [(5, 0)]
    assert wh.query("select count(*) from marts.mart_reply_training") == [(4,)]
