from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from ml_assets.reply_propensity.features import FEATURES, LABEL_WINDOW, matured, time_split
from ml_assets.reply_propensity.synthetic import synthetic_sends
from ml_assets.reply_propensity.train import NotEnoughDataError, train_reply_model


@pytest.fixture(scope="module")
def trained():
    return train_reply_model(synthetic_sends(3_000))


def test_time_split_trains_only_on_sends_whose_replies_were_in_before_validation_starts():
    frame = synthetic_sends().sample(frac=1, random_state=1)  # hourly sends, shuffled
    train, valid = time_split(frame, gap=timedelta(days=2))
    assert train["sent_at"].max() < valid["sent_at"].min() - timedelta(days=2)
    assert len(valid) == 500  # the last quarter
    assert len(train) == 1_500 - 48  # minus the 2 days (48 hourly sends) before the cut


def test_sends_too_recent_for_their_reply_to_be_known_are_left_out():
    frame = synthetic_sends()
    kept = matured(frame)
    assert kept["sent_at"].max() <= frame["sent_at"].max() - LABEL_WINDOW
    assert len(frame) - len(kept) == LABEL_WINDOW.days * 24


def test_model_beats_the_constant_rate_baseline_on_a_real_signal(trained):
    m = trained.metrics
    assert m["roc_auc"] > 0.7
    assert m["baseline_roc_auc"] == pytest.approx(0.5)
    assert m["pr_auc"] > m["baseline_pr_auc"]
    assert m["brier"] < m["baseline_brier"]
    assert m["log_loss"] < m["baseline_log_loss"]


def test_calibration_bins_cover_the_validation_set(trained):
    c = trained.calibration
    assert sum(c.counts) == trained.validation_rows
    assert 0 <= c.expected_error < 0.1  # gradient boosting on log loss is close to calibrated


def test_importances_rank_the_real_drivers_above_noise(trained):
    ranked = sorted(trained.importances, key=trained.importances.get, reverse=True)
    assert set(ranked[:3]) >= {"person_seniority", "previous_replies_from_person"}
    assert trained.importances["company_technology_count"] < 0.01  # pure noise in the synthetic sends


def test_model_input_is_exactly_the_declared_features(trained):
    assert list(trained.pipeline.feature_names_in_) == FEATURES
    assert not {"person_id", "message_id", "backup_id"} & set(FEATURES)
    assert np.all((trained.scores > 0) & (trained.scores < 1))


def test_a_single_class_split_is_refused_rather_than_scored():
    frame = synthetic_sends()
    frame["replied"] = False
    with pytest.raises(NotEnoughDataError, match="classes"):
        train_reply_model(frame)


def test_training_rows_beyond_the_cap_are_sampled_and_validation_keeps_every_row():
    frame = synthetic_sends(3_000)
    full = train_reply_model(frame, explain=False)
    capped = train_reply_model(frame, explain=False, max_train_rows=1_000)
    assert capped.train_rows == 1_000 < full.train_rows
    assert capped.validation_rows == full.validation_rows  # validation still scores every later send
    np.testing.assert_array_equal(capped.labels, full.labels)
    assert capped.metrics["roc_auc"] > capped.metrics["baseline_roc_auc"] + 0.1


def test_training_runs_its_thread_pools_on_one_thread(monkeypatch):
    """The run computes two steps at once on two cores: more threads per step only spin (docs/measurements.md)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_info

    seen = []
    fit = HistGradientBoostingClassifier.fit

    def recording_fit(self, *args, **kwargs):
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp")
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", recording_fit)
    train_reply_model(synthetic_sends(1_000), explain=False)
    assert seen and set(seen) == {1}
