"""What the service makes of each registered model: a compiled scorer, a lookup of neighbours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from ml_assets.errors import ValueFreeError
from ml_assets.registry import ModelCard
from ml_assets.reply_propensity.features import FEATURES as REPLY_FEATURES
from ml_assets.scoring import Scorer, compile_scorer
from ml_assets.similar_companies.model import SimilarCompanies

REPLY = "reply_propensity"
SIMILAR = "similar_companies"


class UnservableModelError(ValueFreeError):
    """A registered model this code cannot serve (other features, another kind of model, inconsistent tables)."""


def load_reply(model: Any, card: ModelCard) -> Scorer:
    if card.features != REPLY_FEATURES:
        # The request schema is this code's feature list: a model trained on others cannot be fed correctly.
        raise UnservableModelError(f"trained on features {card.features}, the service's schema has {REPLY_FEATURES}")
    if not isinstance(model, Pipeline) or not hasattr(model, "predict_proba"):
        raise UnservableModelError(f"expected a classification Pipeline, got {type(model).__name__}")
    return compile_scorer(model, REPLY_FEATURES)


@dataclass(frozen=True)
class SimilarIndex:
    model: SimilarCompanies
    rows: dict[str, int]  # company_id -> row

    def company(self, row: int) -> dict[str, str]:
        m = self.model
        return {
            "company_id": m.company_ids[row],
            "company_name": m.names[row],
            "domain": m.domains[row],
            "industry": m.industries[row],
        }


def load_similar(artifact: Any, card: ModelCard) -> SimilarIndex:
    model = SimilarCompanies.from_artifact(artifact)
    companies = len(model.company_ids)
    lists = (model.company_ids, model.names, model.domains, model.industries)
    if any(not isinstance(column, list) or len(column) != companies for column in lists):
        raise UnservableModelError("the company lists differ in length")
    neighbors = model.neighbors
    if not isinstance(neighbors, np.ndarray) or neighbors.ndim != 2 or neighbors.shape[0] != companies:
        raise UnservableModelError("neighbour table does not match the company list")
    if neighbors.shape != np.shape(model.similarities):
        raise UnservableModelError("neighbour and similarity tables differ in shape")
    if neighbors.size and (neighbors.dtype.kind not in "iu" or neighbors.min() < 0 or neighbors.max() >= companies):
        raise UnservableModelError("the neighbour table points outside the company list")
    return SimilarIndex(model, {company: row for row, company in enumerate(model.company_ids)})


LOADERS = {REPLY: load_reply, SIMILAR: load_similar}
