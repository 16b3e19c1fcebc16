from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ml_assets.reply_propensity.features import CATEGORICAL, FEATURES, NUMERIC
from ml_assets.reply_propensity.synthetic import synthetic_sends
from ml_assets.reply_propensity.train import build_pipeline
from ml_assets.scoring import compile_scorer, probe_rows
from ml_assets.scoring.encoder import categories_of


@pytest.fixture(scope="module")
def sends() -> pd.DataFrame:
    frame = synthetic_sends(3_000)
    frame.loc[frame.sample(frac=0.1, random_state=2).index, "person_intent_score"] = np.nan  # some missing
    return frame


def assert_same_as_scikit_learn(pipeline: Pipeline, rows: list[dict]) -> None:
    scorer = compile_scorer(pipeline, FEATURES)
    assert scorer.compiled, scorer.reason
    expected = pipeline.predict_proba(pd.DataFrame(rows, columns=FEATURES))[:, 1]
    np.testing.assert_allclose(scorer.predict(rows), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(scorer.predict(rows[:1]), expected[:1], rtol=0, atol=1e-12)  # one-row path


def unusual_rows(pipeline: Pipeline, seed: int) -> list[dict]:
    """Known, missing and never-seen categories, missing and extreme numbers: not the probes it was verified on."""
    return probe_rows(FEATURES, categories_of(pipeline[0]), seed)


def test_the_reply_pipeline_compiles_to_the_same_scores(sends):
    pipeline = build_pipeline().fit(sends[FEATURES], sends["replied"])
    assert compile_scorer(pipeline, FEATURES).head.nan_free  # imputed: no NaN can reach the trees
    assert_same_as_scikit_learn(pipeline, sends[FEATURES].head(400).to_dict("records"))
    assert_same_as_scikit_learn(pipeline, unusual_rows(pipeline, seed=11))


def test_missing_numbers_reaching_the_trees_follow_the_learned_direction(sends):
    # No imputer: NaN reaches the boosting, which routes it per split as learned.
    columns = ColumnTransformer(
        [("c", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL), ("n", "passthrough", NUMERIC)]
    )
    pipeline = Pipeline([("features", columns), ("model", HistGradientBoostingClassifier(max_iter=30))])
    pipeline.fit(sends[FEATURES], sends["replied"])
    scorer = compile_scorer(pipeline, FEATURES)
    assert scorer.compiled and not scorer.head.nan_free
    assert_same_as_scikit_learn(pipeline, unusual_rows(pipeline, seed=12))


def test_an_imputed_scaled_logistic_regression_compiles_too(sends):
    numeric = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
    columns = ColumnTransformer([("c", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL), ("n", numeric, NUMERIC)])
    pipeline = Pipeline([("features", columns), ("model", LogisticRegression(max_iter=500))])
    pipeline.fit(sends[FEATURES], sends["replied"])
    assert_same_as_scikit_learn(pipeline, unusual_rows(pipeline, seed=13))


def test_a_pipeline_that_cannot_score_missing_values_is_not_compiled(sends):
    clean = sends.fillna({"person_intent_score": 0})
    columns = ColumnTransformer(
        [("c", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL), ("n", "passthrough", NUMERIC)]
    )
    pipeline = Pipeline([("features", columns), ("model", LogisticRegression(max_iter=500))])
    pipeline.fit(clean[FEATURES], clean["replied"])
    scorer = compile_scorer(pipeline, FEATURES)
    assert not scorer.compiled  # its answer for a missing number would be one scikit-learn never gives
    assert "probe" in scorer.reason


def test_a_pipeline_that_mixes_inputs_falls_back_to_scikit_learn(sends):
    # PCA makes every output depend on every numeric input: no per-input lookup exists.
    columns = ColumnTransformer(
        [("c", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL), ("n", PCA(3), NUMERIC)]
    )
    clean = sends.fillna({"person_intent_score": 0})
    pipeline = Pipeline([("features", columns), ("model", HistGradientBoostingClassifier(max_iter=20))])
    pipeline.fit(clean[FEATURES], clean["replied"])
    scorer = compile_scorer(pipeline, FEATURES)
    assert not scorer.compiled
    assert "not compiled" in scorer.reason
    rows = clean[FEATURES].head(50).to_dict("records")
    np.testing.assert_allclose(scorer.predict(rows), pipeline.predict_proba(clean[FEATURES].head(50))[:, 1])
