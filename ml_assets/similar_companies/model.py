"""TF-IDF over each company's terms, one-hot industry and size, exact cosine nearest neighbours (`neighbours.py`).

The artifact keeps the fitted pipeline (to rank new profiles) and each known company's K_MAX nearest neighbours,
so that the service answers a lookup without any computation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer, OneHotEncoder

from ml_assets.errors import ValueFreeError
from ml_assets.similar_companies.features import BLOCK_WEIGHTS, CATEGORICAL, FEATURES, KEY, TERM_PATTERN, TERMS
from ml_assets.similar_companies.neighbours import nearest_neighbours

K_MAX = 50
MIN_COMPANIES = 10
ARTIFACT_FORMAT = "similar_companies/1"


@dataclass(frozen=True)
class SimilarCompanies:
    pipeline: Pipeline
    company_ids: list[str]
    names: list[str]
    domains: list[str]
    industries: list[str]
    neighbors: np.ndarray  # (companies, k) row indexes, most similar first
    similarities: np.ndarray  # (companies, k) cosine similarities

    def artifact(self) -> dict[str, Any]:
        """Builtins, numpy arrays and scikit-learn objects only: what the registry's skops allowlist accepts."""
        return {"format": ARTIFACT_FORMAT, **{k: v for k, v in self.__dict__.items()}}

    @classmethod
    def from_artifact(cls, artifact: dict[str, Any]) -> SimilarCompanies:
        if not isinstance(artifact, dict) or artifact.get("format") != ARTIFACT_FORMAT:
            raise ValueFreeError(f"not a {ARTIFACT_FORMAT} artifact")
        return cls(**{k: v for k, v in artifact.items() if k != "format"})


def build_pipeline(profiles: pd.DataFrame) -> Pipeline:
    blocks: list[tuple[str, Any, Any]] = [(c, OneHotEncoder(handle_unknown="ignore"), [c]) for c in CATEGORICAL]
    # A term list empty for every company would leave TF-IDF without a vocabulary: leave its block out.
    blocks += [
        (t, TfidfVectorizer(token_pattern=TERM_PATTERN, sublinear_tf=True), t)
        for t in TERMS
        if profiles[t].fillna("").str.len().gt(0).any()
    ]
    weights = {name: BLOCK_WEIGHTS[name] for name, _, _ in blocks}
    columns = ColumnTransformer(blocks, transformer_weights=weights)
    neighbors = NearestNeighbors(metric="cosine", algorithm="brute")
    return Pipeline([("features", columns), ("normalize", Normalizer()), ("neighbors", neighbors)])


class NotEnoughCompaniesError(ValueFreeError):
    """Too few companies with a profile to recommend anything."""


def fit_similar_companies(profiles: pd.DataFrame) -> SimilarCompanies:
    """Fit the profiles' features and list each company's K_MAX nearest neighbours (cosine, exact; among equally
    similar companies, the lower company id first)."""
    if len(profiles) < MIN_COMPANIES:
        raise NotEnoughCompaniesError(f"{len(profiles)} companies with a profile, at least {MIN_COMPANIES} needed")
    profiles = profiles.reset_index(drop=True)
    inputs = profiles[FEATURES].fillna({c: "" for c in TERMS}).fillna({c: "unknown" for c in CATEGORICAL})
    pipeline = build_pipeline(inputs).fit(inputs)
    k = min(K_MAX, len(profiles) - 1)
    # Companies are searched industry by industry (neighbours.py: why the result is still exact).
    industry = pipeline.named_steps["features"].output_indices_["industry"]
    blocks = pd.factorize(inputs["industry"])[0]
    columns = np.arange(industry.start, industry.stop)
    neighbors, similarities = nearest_neighbours(pipeline[:-1].transform(inputs), blocks, columns, k)
    return SimilarCompanies(
        pipeline,
        profiles[KEY].astype(str).tolist(),
        profiles["company_name"].fillna("").astype(str).tolist(),
        profiles["domain"].fillna("").astype(str).tolist(),
        profiles["industry"].fillna("unknown").astype(str).tolist(),
        neighbors.astype(np.int32),
        similarities.astype(np.float32),
    )
