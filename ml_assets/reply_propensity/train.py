"""Fit the reply-propensity pipeline and evaluate it next to a trivial baseline on the same time split."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits  # scikit-learn's own way to bound its thread pools (its dependency)

from ml_assets.errors import ValueFreeError
from ml_assets.reply_propensity.evaluate import Calibration, calibration, importances, score_metrics
from ml_assets.reply_propensity.features import CATEGORICAL, FEATURES, LABEL, NUMERIC, matured, time_split

MIN_ROWS = 50
# Shallow, strongly regularised trees: replies are rare (~10%) and their drivers simple, deeper trees overfit
# (sample data: ROC AUC 0.59 and a Brier score worse than the constant baseline with 15-leaf trees).
PARAMS = {
    "max_iter": 80,
    "learning_rate": 0.05,
    "max_depth": 3,
    "min_samples_leaf": 100,
    "l2_regularization": 1.0,
    "min_frequency": 5,
    "train_share": 0.75,
    # Beyond this many training rows, a uniform sample of the training period: at scale 500 (2,250,000 rows) a
    # 500,000-row sample scores PR AUC 0.1777 against 0.1781 (ROC AUC 0.6441 against 0.6447, same Brier score)
    # in 55 s of CPU instead of 98 s (docs/measurements.md). Validation always scores every row.
    "max_train_rows": 500_000,
}


class NotEnoughDataError(ValueFreeError):
    """The split has too few rows or a single class: no honest metric can be computed."""


@dataclass(frozen=True)
class TrainedReplyModel:
    pipeline: Pipeline
    metrics: dict[str, float]
    train_rows: int
    validation_rows: int
    labels: np.ndarray = field(repr=False)  # validation labels, scores and baseline scores, for the plots
    scores: np.ndarray = field(repr=False)
    baseline: np.ndarray = field(repr=False)
    calibration: Calibration | None = None
    importances: dict[str, float] = field(default_factory=dict)


def build_pipeline(seed: int = 0) -> Pipeline:
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="unknown")),
            (
                "encode",
                OneHotEncoder(handle_unknown="ignore", min_frequency=PARAMS["min_frequency"], sparse_output=False),
            ),
        ]
    )
    numeric = SimpleImputer(strategy="median")
    columns = ColumnTransformer([("categorical", categorical, CATEGORICAL), ("numeric", numeric, NUMERIC)])
    boosting = ("max_iter", "learning_rate", "max_depth", "min_samples_leaf", "l2_regularization")
    model = HistGradientBoostingClassifier(**{k: PARAMS[k] for k in boosting}, random_state=seed)
    return Pipeline([("features", columns), ("model", model)])


def train_reply_model(
    frame: pd.DataFrame, seed: int = 0, explain: bool = True, max_train_rows: int = PARAMS["max_train_rows"]
) -> TrainedReplyModel:
    """Fit on the earlier sends, score the later ones, next to the constant-rate baseline.

    On one thread: the run already computes two steps at a time on two cores, and the boosting's OpenMP threads
    spin while they wait for a core. On a busy 2-core machine two threads took 4 times the CPU of one, and longer
    (scale 50: 32.8 s of CPU and 72 s against 8.6 s and 39 s; docs/measurements.md); the model is the same."""
    with threadpool_limits(limits=1):
        return _train(frame, seed, explain, max_train_rows)


def _train(frame: pd.DataFrame, seed: int, explain: bool, max_train_rows: int) -> TrainedReplyModel:
    train, valid = time_split(matured(frame), PARAMS["train_share"])
    if len(train) > max_train_rows:  # sampled in time order, so the rows keep the split's (stable) order
        train = train.iloc[np.sort(np.random.default_rng(seed).choice(len(train), max_train_rows, replace=False))]
    for name, part in (("training", train), ("validation", valid)):
        if len(part) < MIN_ROWS or part[LABEL].nunique() < 2:
            raise NotEnoughDataError(f"{name} split has {len(part)} rows and {part[LABEL].nunique()} classes")
    pipeline = build_pipeline(seed).fit(train[FEATURES], train[LABEL].astype(int))
    scores = pipeline.predict_proba(valid[FEATURES])[:, 1]
    labels = valid[LABEL].astype(int).to_numpy()
    baseline = np.full(len(valid), train[LABEL].mean())  # the training reply rate, for every message
    fit = calibration(labels, scores)
    metrics = {
        **score_metrics(labels, scores),
        **score_metrics(labels, baseline, prefix="baseline_"),
        "calibration_error": fit.expected_error,
        "validation_reply_rate": float(labels.mean()),
        "training_reply_rate": float(train[LABEL].mean()),
        # As floats too, so that the asset's Plots view trends them with the scores across backups.
        "training_rows": float(len(train)),
        "validation_rows": float(len(valid)),
    }
    explained = importances(pipeline, valid[FEATURES].reset_index(drop=True), labels, seed) if explain else {}
    return TrainedReplyModel(pipeline, metrics, len(train), len(valid), labels, scores, baseline, fit, explained)
