from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml_assets.registry import ModelRegistry
from ml_assets.similar_companies.evaluate import evaluate, held_out_signal, popularity_ranking
from ml_assets.similar_companies.model import SimilarCompanies, fit_similar_companies

INDUSTRIES = {
    "Software": (["saas", "api", "cloud", "devtools"], ["aws", "github", "datadog"]),
    "Retail": (["e-commerce", "dtc", "omnichannel"], ["shopify", "stripe", "zendesk"]),
    "Finance": (["payments", "lending", "fintech"], ["snowflake", "okta", "stripe"]),
    "Health": (["telehealth", "medical devices", "clinical"], ["workday", "okta", "zoom"]),
}


def profiles(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        industry = list(INDUSTRIES)[i % len(INDUSTRIES)]
        keywords, technologies = INDUSTRIES[industry]
        rows.append(
            {
                "company_id": f"{i:032x}",
                "company_name": f"Company {i}",
                "domain": f"c{i}.io",
                "industry": industry,
                "size_bucket": rng.choice(["1-10", "11-50", "51-200"]),
                "keywords": "|".join(sorted(rng.choice(keywords, 2, replace=False))),
                "technologies": "|".join(sorted(rng.choice(technologies, 2, replace=False))),
            }
        )
    return pd.DataFrame(rows)


def saves(companies: pd.DataFrame, accounts: int = 40, seed: int = 1) -> pd.DataFrame:
    """Each account prospects one industry (its ideal customer profile), plus a few famous companies everyone saves."""
    rng = np.random.default_rng(seed)
    famous = companies["company_id"].iloc[:3].tolist()
    rows = []
    for a in range(accounts):
        industry = list(INDUSTRIES)[a % len(INDUSTRIES)]
        pool = companies.loc[companies["industry"] == industry, "company_id"].tolist()
        for company in {*rng.choice(pool, 20, replace=False), *famous}:
            rows.append({"account_id": f"a{a}", "company_id": company, "saved_people": 1})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, SimilarCompanies]:
    companies = profiles()
    return companies, fit_similar_companies(companies)


def test_neighbours_exclude_the_company_itself_and_come_most_similar_first(fitted):
    _, model = fitted
    assert not (model.neighbors == np.arange(len(model.neighbors))[:, None]).any()
    assert (np.diff(model.similarities, axis=1) <= 1e-6).all()
    same_industry = np.array(model.industries)[model.neighbors[:, :5]] == np.array(model.industries)[:, None]
    assert same_industry.mean() > 0.95


def test_content_beats_popularity_when_accounts_prospect_by_profile(fitted):
    companies, model = fitted
    metrics, curves = evaluate(model.neighbors, held_out_signal(saves(companies), model.company_ids))
    assert metrics["precision_at_10"] > metrics["baseline_precision_at_10"] + 0.1
    assert metrics["precision_at_10"] > metrics["random_precision"]
    assert metrics["coverage_at_10"] > metrics["baseline_coverage_at_10"]  # popularity recommends the same few
    assert len(curves["model"]) == len(curves["popularity"]) == 20


def test_held_out_relevance_only_comes_from_held_out_accounts(fitted):
    companies, model = fitted
    saved = saves(companies, accounts=10)
    held = held_out_signal(saved, model.company_ids)
    assert len(held.accounts) == 5
    training = saved[~saved["account_id"].isin(held.accounts)]
    assert held.popularity.sum() == len(training)
    assert held.popularity[:3].tolist() == [5, 5, 5]  # the famous three, saved by each of the 5 other accounts
    sets = [
        set(group) for _, group in saved[saved["account_id"].isin(held.accounts)].groupby("account_id")["company_id"]
    ]
    assert len(held.evaluated) > 0
    for row in held.evaluated:
        related = held.related(row)
        assert related and row not in related
        company = model.company_ids[row]
        assert all(any({company, model.company_ids[other]} <= s for s in sets) for other in related)


def test_popularity_ranking_never_recommends_the_company_itself():
    ranked = popularity_ranking(np.array([5.0, 9.0, 1.0, 7.0]), k=2)
    assert ranked.tolist() == [[1, 3], [3, 0], [1, 3], [1, 0]]


def test_the_artifact_round_trips_through_the_registry_allowlist(fitted, tmp_path):
    _, model = fitted
    registry = ModelRegistry(tmp_path)
    registry.register("similar_companies", model.artifact(), "p", {}, ["industry"])
    loaded = SimilarCompanies.from_artifact(registry.load("similar_companies", 1))
    assert loaded.company_ids == model.company_ids
    np.testing.assert_array_equal(loaded.neighbors, model.neighbors)
    with pytest.raises(ValueError, match="artifact"):
        SimilarCompanies.from_artifact({"format": "something else"})
