"""The final estimator of a pipeline as plain numpy: the trees of a histogram gradient boosting, or the weights of
a logistic regression. One row through scikit-learn costs milliseconds of input validation and thread start-up;
through these arrays, tens of microseconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ml_assets.compiled.encoder import UnsupportedPipelineError


@dataclass(frozen=True)
class TreeHead:
    """Every tree's nodes in flat arrays, walked level by level for all rows and trees at once."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    depth: int
    baseline: float

    def raw(self, encoded: np.ndarray) -> np.ndarray:
        node = np.tile(self.roots, (len(encoded), 1))
        rows = np.arange(len(encoded))[:, None]
        for _ in range(self.depth):
            x = encoded[rows, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(self.leaf[node], node, np.where(go_left, self.left[node], self.right[node]))
        return self.value[node].sum(axis=1) + self.baseline


@dataclass(frozen=True)
class LinearHead:
    weights: np.ndarray
    intercept: float

    def raw(self, encoded: np.ndarray) -> np.ndarray:
        return encoded @ self.weights + self.intercept


def compile_head(model: Any) -> TreeHead | LinearHead:
    if type(model).__name__ == "HistGradientBoostingClassifier":
        return _trees(model)
    if type(model).__name__ == "LogisticRegression" and len(model.classes_) == 2:
        return LinearHead(np.asarray(model.coef_[0], dtype=np.float64), float(model.intercept_[0]))
    raise UnsupportedPipelineError(f"no compiled form for {type(model).__name__}")


def _trees(model: Any) -> TreeHead:
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
    return TreeHead(
        roots=offsets.astype(np.intp),
        feature=nodes["feature_idx"].astype(np.intp),
        threshold=nodes["num_threshold"].astype(np.float64),
        missing_left=nodes["missing_go_to_left"].astype(bool),
        left=(nodes["left"] + shift).astype(np.intp),
        right=(nodes["right"] + shift).astype(np.intp),
        leaf=nodes["is_leaf"].astype(bool),
        value=nodes["value"].astype(np.float64),
        depth=int(nodes["depth"].max()),
        baseline=float(np.ravel(model._baseline_prediction)[0]),
    )
