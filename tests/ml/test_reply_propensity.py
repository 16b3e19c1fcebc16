from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml_assets.reply_propensity.features import CATEGORICAL, FEATURES, NUMERIC, time_split
from ml_assets.reply_propensity.train import NotEnoughDataError, train_reply_model


def synthetic_sends(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.choice(["a", "b", "c"], n) for c in CATEGORICAL})
    for column in NUMERIC:
        frame[column] = rng.normal(size=n)
    frame["person_seniority"] = rng.choice(["vp", "entry"], n)
    # Replies depend on seniority and previous replies: a learnable signal.
    logit = -2.5 + 1.8 * (frame["person_seniority"] == "vp") + 1.2 * frame["previous_replies_from_person"]
    frame["replied"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame["sent_at"] = pd.date_range("2026-01-01", periods=n, freq="h", tz="UTC")
    return frame


def test_time_split_trains_on_earlier_sends_only():
    train, valid = time_split(synthetic_sends().sample(frac=1, random_state=1))
    assert train["sent_at"].max() < valid["sent_at"].min()
    assert len(train) == 1_500


def test_model_beats_the_constant_rate_baseline_on_a_real_signal():
    trained = train_reply_model(synthetic_sends())
    assert trained.metrics["roc_auc"] > 0.7
    assert trained.metrics["baseline_roc_auc"] == pytest.approx(0.5)
    assert trained.metrics["pr_auc"] > trained.metrics["baseline_pr_auc"]
    assert trained.metrics["brier"] < trained.metrics["baseline_brier"]


def test_model_input_is_exactly_the_declared_features():
    trained = train_reply_model(synthetic_sends())
    assert list(trained.pipeline.feature_names_in_) == FEATURES
    assert not {"person_id", "message_id", "backup_id"} & set(FEATURES)


def test_a_single_class_split_is_refused_rather_than_scored():
    frame = synthetic_sends()
    frame["replied"] = False
    with pytest.raises(NotEnoughDataError, match="classes"):
        train_reply_model(frame)
