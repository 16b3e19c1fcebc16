"""dbt/models/ml_features on the sample backup, checked against the generated documents."""

from __future__ import annotations

from collections import Counter


def test_profiles_carry_each_primary_organizations_terms(sample):
    rows = sample.warehouse.dicts("""
        select companies.primary_organization_id, profiles.keywords, profiles.technologies, profiles.keyword_count
        from ml_features.ml_company_profiles as profiles
        inner join gold.companies as companies using (company_id, backup_id)
    """)
    organizations = {str(o["_id"]): o for o in sample.database["organizations"]}
    assert len(rows) == len(organizations)
    for row in rows:
        organization = organizations[row["primary_organization_id"]]
        keywords = sorted({k.lower().strip() for k in organization["keywords"]})
        assert row["keywords"] == "|".join(keywords)
        assert row["keyword_count"] == len(keywords)
        assert row["technologies"] == "|".join(sorted({t.lower().strip() for t in organization["technologies"]}))


def test_saves_count_each_accounts_contacts_per_company(sample):
    employer = dict(
        sample.warehouse.query("select person_id, company_id from gold.people where company_id is not null")
    )
    expected = Counter()
    seen = set()
    for contact in sample.database["contacts"]:
        person = str(contact["person_id"]) if contact.get("person_id") else None
        key = (str(contact["account_id"]), person)
        if person in employer and key not in seen:  # distinct people per account
            seen.add(key)
            expected[(str(contact["account_id"]), employer[person])] += 1
    got = sample.warehouse.query("select account_id, company_id, saved_people from ml_features.ml_company_saves")
    assert {(a, c): n for a, c, n in got} == dict(expected)
