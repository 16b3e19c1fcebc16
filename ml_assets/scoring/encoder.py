"""The feature step of a fitted pipeline as lookup tables, learned by probing the step itself.

A ColumnTransformer whose every output column depends on one input column (one-hot encoders, imputers, scalers)
is additive: the encoded row is the encoded reference row with each input's own output columns replaced. Probing
each input over its categories (and missing / unseen values), or over a few numbers for numeric inputs, gives
those columns exactly, through the public `transform` only; the result is verified against the real pipeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from apollo_assets.errors import ApolloError

UNSEEN = "\x00unseen\x00"  # a category no training row can have


class UnsupportedPipelineError(ApolloError, ValueError):
    """The pipeline cannot be compiled; callers fall back to scikit-learn."""


@dataclass(frozen=True)
class Categorical:
    name: str
    columns: np.ndarray
    table: dict[str, np.ndarray]
    unseen: np.ndarray
    missing: np.ndarray


@dataclass(frozen=True)
class Numeric:
    name: str
    column: int
    slope: float
    intercept: float
    missing: float


@dataclass(frozen=True)
class Encoder:
    base: np.ndarray
    categorical: list[Categorical]
    numeric: list[Numeric]

    @property
    def nan_free(self) -> bool:
        """Whether no input, missing or not, can make an output NaN."""
        tables = [self.base, *(v for c in self.categorical for v in (*c.table.values(), c.unseen, c.missing))]
        numbers = [n.missing for n in self.numeric]
        return bool(all(np.isfinite(t).all() for t in tables) and np.isfinite(numbers).all())

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        out = np.tile(self.base, (len(rows), 1))
        for target, row in zip(out, rows, strict=True):
            for c in self.categorical:
                value = row.get(c.name)
                target[c.columns] = c.missing if value is None else c.table.get(value, c.unseen)
            for n in self.numeric:
                value = row.get(n.name)
                target[n.column] = n.missing if value is None or value != value else n.intercept + n.slope * value
        return out


def categories_of(columns: ColumnTransformer) -> dict[str, list[str]]:
    found = {}
    for _, transformer, names in columns.transformers_:
        last = transformer[-1] if isinstance(transformer, Pipeline) else transformer
        if hasattr(last, "categories_"):
            found.update({name: [str(v) for v in values] for name, values in zip(names, last.categories_, strict=True)})
    return found


def compile_encoder(step: Any, features: Sequence[str], categories: Mapping[str, list[str]]) -> Encoder:
    reference: dict[str, Any] = {f: (categories[f][0] if f in categories else 0.0) for f in features}

    def transform(column: str, values: list[Any]) -> np.ndarray:
        frame = pd.DataFrame([{**reference, column: v} for v in values], columns=list(features))
        out = step.transform(frame)
        return np.asarray(out.toarray() if hasattr(out, "toarray") else out, dtype=np.float64)

    base = transform(features[0], [reference[features[0]]])[0]
    categorical, numeric, used = [], [], np.zeros(len(base), dtype=bool)
    for feature in features:
        values = [*categories[feature], None, UNSEEN] if feature in categories else [0.0, 1.0, 2.0, None]
        probed = transform(feature, values)
        columns = np.flatnonzero(probed.max(axis=0) != probed.min(axis=0))
        if used[columns].any():
            raise UnsupportedPipelineError(f"{feature}: output columns shared with another input")
        used[columns] = True
        if feature in categories:
            table = {v: probed[i, columns] for i, v in enumerate(categories[feature])}
            categorical.append(Categorical(feature, columns, table, probed[-1, columns], probed[-2, columns]))
        elif len(columns) == 1:
            numeric.append(_affine(feature, int(columns[0]), probed[:, columns[0]]))
        elif len(columns) > 1:
            raise UnsupportedPipelineError(f"{feature}: one numeric input feeds {len(columns)} outputs")
    return Encoder(base, categorical, numeric)


def _affine(feature: str, column: int, outputs: np.ndarray) -> Numeric:
    intercept, slope = outputs[0], outputs[1] - outputs[0]
    if not np.isclose(outputs[2], intercept + 2 * slope):
        raise UnsupportedPipelineError(f"{feature}: its transformation is not affine")
    return Numeric(feature, column, float(slope), float(intercept), float(outputs[3]))
