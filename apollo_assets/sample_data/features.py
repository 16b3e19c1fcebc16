"""What users do in the product: the feature mix by plan and activation, and the `usage_events` documents."""

import random
from datetime import datetime

import numpy as np

from .activity_types import Actor
from .seeding import ObjectIds, Weighted
from .taxonomy import FEATURES, USE_CASE_OF

_PRE_ACTIVATION = {
    "people_search": 6,
    "company_search": 3,
    "saved_lists": 2,
    "advanced_filters": 1.5,
    "csv_enrichment": 1,
    "crm_enrichment": 0.5,
    "chrome_extension": 2,
}
_POST_ACTIVATION = {
    **_PRE_ACTIVATION,
    "sequences": 3,
    "email_send": 5,
    "dialer": 1.5,
    "tasks": 2,
    "deals_pipeline": 1,
    "meetings": 1,
    "conversation_intelligence": 0.8,
}
# Features a plan does not include are never used; bigger plans therefore adopt more of the product.
NOT_IN_PLAN = {
    "free": {"crm_enrichment", "dialer", "deals_pipeline", "conversation_intelligence"},
    "basic": {"deals_pipeline", "conversation_intelligence"},
    "professional": {"conversation_intelligence"},
    "organization": set(),
}
_COUNTED = {
    "people_search": 100,
    "company_search": 50,
    "email_send": 50,
    "sequences": 40,
    "csv_enrichment": 5000,
    "crm_enrichment": 2000,
    "dialer": 30,
}  # upper bound of `properties.count`
_SOURCE = Weighted(("web", "api", "mobile"), (85, 8, 7))


def feature_probabilities(plan: str, activated: bool) -> tuple[np.ndarray, np.ndarray]:
    """(indexes into FEATURES, probabilities) of the features this plan uses before/after activation."""
    weights = _POST_ACTIVATION if activated else _PRE_ACTIVATION
    allowed = [f for f in weights if f not in NOT_IN_PLAN[plan]]
    p = np.array([weights[f] for f in allowed], dtype=float)
    return np.array([FEATURES.index(f) for f in allowed]), p / p.sum()


def make_event(rng: random.Random, ids: ObjectIds, actor: Actor, feature: str, when: datetime) -> dict:
    if feature == "chrome_extension":
        source = "chrome_extension"
    elif feature == "crm_enrichment":
        source = "api" if rng.random() < 0.7 else "web"
    else:
        source = _SOURCE.pick(rng)
    properties: dict = {"source": source}
    if feature in _COUNTED and rng.random() < 0.95:
        properties["count"] = rng.randint(1, _COUNTED[feature]) if rng.random() < 0.95 else None
    return {
        "_id": ids.new(when),
        "user_id": actor.user_id,
        "account_id": actor.account_id,
        "feature": feature,
        "use_case": USE_CASE_OF[feature],
        "timestamp": when,
        "properties": properties,
    }
