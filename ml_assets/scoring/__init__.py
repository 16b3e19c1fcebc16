"""Scoring of a fitted binary-classification pipeline, fast for one row and exactly equal to scikit-learn.

`compile_scorer` compiles the pipeline when it can and checks the result against `pipeline.predict_proba` on
random probe rows (known, missing and unseen categories, missing numbers); when it cannot, or when they disagree,
the scorer calls the pipeline itself. The verdict is kept in `Scorer.compiled` / `Scorer.reason`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from ml_assets.scoring.encoder import UNSEEN, Encoder, UnsupportedPipelineError, categories_of, compile_encoder
from ml_assets.scoring.heads import LinearHead, TreeHead, compile_head

TOLERANCE = 1e-9
PROBES = 300


@dataclass(frozen=True)
class Scorer:
    pipeline: Pipeline
    features: list[str]
    encoder: Encoder | None = None
    head: TreeHead | LinearHead | None = None
    reason: str = ""

    @property
    def compiled(self) -> bool:
        return self.encoder is not None and self.head is not None

    def predict(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Probability of the positive class for each row (a mapping of feature name to value; None = missing)."""
        if self.encoder is not None and self.head is not None:
            return expit(self.head.raw(self.encoder.encode(rows)))  # as scikit-learn computes it
        frame = pd.DataFrame([{f: row.get(f) for f in self.features} for row in rows], columns=self.features)
        return self.pipeline.predict_proba(frame)[:, 1]


def compile_scorer(pipeline: Pipeline, features: Sequence[str], seed: int = 0) -> Scorer:
    features = list(features)
    try:
        columns = pipeline[0]
        if not isinstance(columns, ColumnTransformer):
            raise UnsupportedPipelineError("the first step is not a ColumnTransformer")
        categories = categories_of(columns)
        encoder = compile_encoder(pipeline[:-1], features, categories)
        compiled = Scorer(pipeline, features, encoder, compile_head(pipeline[-1], encoder.nan_free))
    except (UnsupportedPipelineError, AttributeError, KeyError, IndexError, ValueError) as error:
        return Scorer(pipeline, features, reason=f"not compiled: {error}")
    probes = probe_rows(features, categories, seed)
    try:
        expected = Scorer(pipeline, features).predict(probes)
    except ValueError as error:  # e.g. an estimator without missing-value support: nothing to match
        return Scorer(pipeline, features, reason=f"not compiled: the pipeline fails on the probe rows ({error})")
    gap = float(np.max(np.abs(compiled.predict(probes) - expected)))
    if not gap <= TOLERANCE:
        return Scorer(pipeline, features, reason=f"not compiled: differs from scikit-learn by {gap:.3g}")
    return Scorer(pipeline, features, compiled.encoder, compiled.head, reason=f"compiled, verified on {PROBES} rows")


def probe_rows(features: Sequence[str], categories: Mapping[str, list[str]], seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(PROBES):
        row: dict[str, Any] = {}
        for feature in features:
            if feature in categories:
                choices = [*categories[feature], None, UNSEEN, "other"]
                row[feature] = choices[rng.integers(len(choices))]
            else:
                roll = rng.random()
                row[feature] = None if roll < 0.1 else float(rng.integers(0, 30)) if roll < 0.6 else rng.normal(0, 1e3)
        rows.append(row)
    return rows
