"""Fit the reply-propensity pipeline and evaluate it next to a trivial baseline on the same time split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ml_assets.reply_propensity.features import CATEGORICAL, FEATURES, LABEL, NUMERIC, time_split


class NotEnoughDataError(ValueError):
    """The split has too few rows or a single class: no honest metric can be computed."""


@dataclass(frozen=True)
class TrainedReplyModel:
    pipeline: Pipeline
    metrics: dict[str, float]
    train_rows: int
    validation_rows: int


def build_pipeline(seed: int = 0) -> Pipeline:
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="unknown")),
            ("encode", OneHotEncoder(handle_unknown="ignore", min_frequency=5)),
        ]
    )
    numeric = SimpleImputer(strategy="median")
    columns = ColumnTransformer([("categorical", categorical, CATEGORICAL), ("numeric", numeric, NUMERIC)])
    model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.08, max_leaf_nodes=15, random_state=seed)
    return Pipeline([("features", columns), ("model", model)])


def train_reply_model(frame: pd.DataFrame, seed: int = 0) -> TrainedReplyModel:
    train, valid = time_split(frame)
    for name, part in (("training", train), ("validation", valid)):
        if len(part) < 50 or part[LABEL].nunique() < 2:
            raise NotEnoughDataError(f"{name} split has {len(part)} rows and {part[LABEL].nunique()} classes")
    pipeline = build_pipeline(seed).fit(train[FEATURES], train[LABEL].astype(int))
    scores = pipeline.predict_proba(valid[FEATURES])[:, 1]
    labels = valid[LABEL].astype(int).to_numpy()
    baseline = np.full(len(valid), train[LABEL].mean())  # the training reply rate, for every message
    metrics = {
        "roc_auc": roc_auc_score(labels, scores),
        "pr_auc": average_precision_score(labels, scores),
        "brier": brier_score_loss(labels, scores),
        "baseline_roc_auc": roc_auc_score(labels, baseline),
        "baseline_pr_auc": average_precision_score(labels, baseline),
        "baseline_brier": brier_score_loss(labels, baseline),
        "validation_reply_rate": float(labels.mean()),
    }
    return TrainedReplyModel(pipeline, {k: float(v) for k, v in metrics.items()}, len(train), len(valid))
