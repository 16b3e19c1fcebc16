"""The final estimator of a pipeline as plain numpy: the trees of a histogram gradient boosting, or the weights of
a logistic regression. One row through scikit-learn costs milliseconds of input validation and thread start-up;
through these arrays, tens of microseconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ml_assets.scoring.encoder import UnsupportedPipelineError


@dataclass(frozen=True)
class TreeHead:
    """Every tree's nodes in flat arrays, walked level by level for all rows and trees at once. A leaf is its own
    child on both sides, so that rows that reached a leaf simply stay there until the deepest tree is done."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_right: np.ndarray
    children: np.ndarray  # children[2 * node + goes_right]
    value: np.ndarray
    depth: int
    baseline: float
    nan_free: bool  # the encoder never outputs NaN (imputed inputs): the missing-value routing can be skipped

    def raw(self, encoded: np.ndarray) -> np.ndarray:
        node = np.tile(self.roots, (len(encoded), 1))
        rows = np.arange(len(encoded))[:, None]
        for _ in range(self.depth):
            x = encoded[rows, self.feature[node]]
            right = x > self.threshold[node]  # False for NaN, which goes where the training's missing values went
            if not self.nan_free:
                right |= np.isnan(x) & self.missing_right[node]
            node = self.children[2 * node + right]
        return self.value[node].sum(axis=1) + self.baseline


@dataclass(frozen=True)
class LinearHead:
    weights: np.ndarray
    intercept: float

    def raw(self, encoded: np.ndarray) -> np.ndarray:
        return encoded @ self.weights + self.intercept


def compile_head(model: Any, nan_free: bool = False) -> TreeHead | LinearHead:
    if type(model).__name__ == "HistGradientBoostingClassifier":
        return _trees(model, nan_free)
    if type(model).__name__ == "LogisticRegression" and len(model.classes_) == 2:
        return LinearHead(np.asarray(model.coef_[0], dtype=np.float64), float(model.intercept_[0]))
    raise UnsupportedPipelineError(f"no compiled form for {type(model).__name__}")


def _trees(model: Any, nan_free: bool) -> TreeHead:
    # Private attributes of scikit-learn: any change in a release makes the verification against the real
    # pipeline fail, and the service then scores through scikit-learn instead.
    if model.n_trees_per_iteration_ != 1:
        raise UnsupportedPipelineError("multi-class boosting")
    trees = [predictor.nodes for iteration in model._predictors for predictor in iteration]
    if any(nodes["is_categorical"].any() for nodes in trees):
        raise UnsupportedPipelineError("native categorical splits")
    offsets = np.cumsum([0] + [len(nodes) for nodes in trees[:-1]])
    nodes = np.concatenate(trees)
    shift = np.repeat(offsets, [len(t) for t in trees])
    leaf = nodes["is_leaf"].astype(bool)
    own = np.arange(len(nodes))
    left = np.where(leaf, own, nodes["left"] + shift)
    right = np.where(leaf, own, nodes["right"] + shift)
    return TreeHead(
        roots=offsets.astype(np.intp),
        feature=np.where(leaf, 0, nodes["feature_idx"]).astype(np.intp),
        threshold=nodes["num_threshold"].astype(np.float64),
        missing_right=~nodes["missing_go_to_left"].astype(bool),
        children=np.stack([left, right], axis=1).ravel().astype(np.intp),
        value=nodes["value"].astype(np.float64),
        depth=int(nodes["depth"].max()),
        baseline=float(np.ravel(model._baseline_prediction)[0]),
        nan_free=nan_free,
    )
