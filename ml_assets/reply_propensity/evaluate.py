"""Validation metrics of the reply model and of its baseline, always on the same rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline

CALIBRATION_BINS = 10
IMPORTANCE_ROWS = 2_000  # permutation importance re-scores the validation set per feature and repeat


@dataclass(frozen=True)
class Calibration:
    predicted: list[float]  # mean predicted probability per bin
    observed: list[float]  # observed reply rate per bin
    counts: list[int]
    expected_error: float  # count-weighted mean |predicted - observed| (ECE)


def score_metrics(labels: np.ndarray, scores: np.ndarray, prefix: str = "") -> dict[str, float]:
    clipped = np.clip(scores, 1e-6, 1 - 1e-6)
    return {
        f"{prefix}roc_auc": float(roc_auc_score(labels, scores)),
        f"{prefix}pr_auc": float(average_precision_score(labels, scores)),
        f"{prefix}brier": float(brier_score_loss(labels, scores)),
        f"{prefix}log_loss": float(log_loss(labels, clipped, labels=[0, 1])),
    }


def calibration(labels: np.ndarray, scores: np.ndarray, bins: int = CALIBRATION_BINS) -> Calibration:
    """Quantile bins: with a ~10% reply rate, uniform bins would leave the upper ones nearly empty."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, max(len(edges) - 2, 0))
    predicted, observed, counts = [], [], []
    for b in np.unique(which):
        members = which == b
        predicted.append(float(scores[members].mean()))
        observed.append(float(labels[members].mean()))
        counts.append(int(members.sum()))
    error = float(np.average(np.abs(np.subtract(predicted, observed)), weights=counts))
    return Calibration(predicted, observed, counts, error)


def importances(pipeline: Pipeline, frame: pd.DataFrame, labels: np.ndarray, seed: int = 0) -> dict[str, float]:
    """ROC AUC lost when each raw input column is shuffled (model-agnostic, in the features' own names)."""
    positions = np.random.default_rng(seed).choice(len(frame), size=min(IMPORTANCE_ROWS, len(frame)), replace=False)
    rows, picked = frame.iloc[positions], labels[positions]
    if len(np.unique(picked)) < 2:
        return {}
    result = permutation_importance(pipeline, rows, picked, scoring="roc_auc", n_repeats=3, random_state=seed, n_jobs=1)
    return {name: float(value) for name, value in zip(rows.columns, result.importances_mean, strict=True)}
