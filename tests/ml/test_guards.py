from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from ml_assets.guards import column_roles, identifier_violations
from ml_assets.reply_propensity.features import FEATURES as REPLY_FEATURES
from ml_assets.similar_companies.features import FEATURES as SIMILAR_FEATURES


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def md5(i: int) -> str:
    return hashlib.md5(str(i).encode()).hexdigest()


def test_descriptive_features_pass():
    clean = frame(seniority=["vp", "entry"] * 50, keywords=["saas|b2b", "api"] * 50, employees=range(100))
    assert identifier_violations(clean, ["seniority", "keywords", "employees"]) == []


@pytest.mark.parametrize("name", ["person_id", "email", "to_email", "company_domain", "first_name", "linkedin_url"])
def test_identifier_names_are_refused(name):
    assert identifier_violations(frame(**{name: ["x"] * 3}), [name])


@pytest.mark.parametrize(
    ("label", "values"),
    [
        ("pseudonyms", [md5(i) for i in range(60)]),
        ("object ids", [f"{i:024x}" for i in range(60)]),
        ("masked emails", [f"{md5(i)}@acme.io" for i in range(60)]),
        ("one pseudonym among lists", ["saas|b2b"] * 59 + [f"api|{md5(1)}"]),
        ("nearly unique labels", [f"title {i}" for i in range(60)]),
    ],
)
def test_identifier_values_are_refused_whatever_the_column_is_called(label, values):
    assert identifier_violations(frame(industry=values), ["industry"]), label


def test_a_column_declared_as_an_id_in_dbt_is_refused(sample):
    roles = column_roles(sample.manifest, "mart_reply_training")
    assert roles["person_id"] == "id" and roles["sent_at"] == "split" and roles["replied"] == "label"
    features = frame(sent_at=pd.date_range("2026-01-01", periods=3), replied=[True, False, True])
    assert len(identifier_violations(features, ["sent_at", "replied"], roles)) == 2


def test_the_models_features_are_all_declared_as_features_in_dbt(sample):
    for model, features in (("mart_reply_training", REPLY_FEATURES), ("ml_company_profiles", SIMILAR_FEATURES)):
        roles = column_roles(sample.manifest, model)
        assert {roles[f] for f in features} == {"feature"}, model
