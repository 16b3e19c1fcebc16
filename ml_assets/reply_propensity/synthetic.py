"""Synthetic sends with a known, learnable signal, in the schema of mart_reply_training: for tests and the
service benchmark, which must not depend on a built warehouse."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_assets.reply_propensity.features import CATEGORICAL, NUMERIC

SENIORITIES = ["c_suite", "vp", "director", "manager", "senior", "entry"]
INDUSTRIES = ["Computer Software", "Retail", "Financial Services", "Manufacturing"]
SIZE_BUCKETS = ["1-10", "11-50", "51-200", "201-500", "501-1000"]


def synthetic_sends(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """One row per send, an hour apart; replies depend on seniority and previous replies."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({column: rng.choice(["a", "b", "c"], n) for column in CATEGORICAL})
    frame["person_seniority"] = rng.choice(SENIORITIES, n)
    frame["company_industry"] = rng.choice(INDUSTRIES, n)
    frame["company_size_bucket"] = rng.choice(SIZE_BUCKETS, n)
    for column in NUMERIC:
        frame[column] = rng.integers(0, 10, n).astype(float)
    frame["send_hour"] = rng.integers(0, 24, n)
    frame["send_day_of_week"] = rng.integers(1, 8, n)
    senior = frame["person_seniority"].isin(["c_suite", "vp"])
    logit = -1.5 - 1.8 * senior + 0.4 * frame["previous_replies_from_person"] - 0.05 * frame["send_hour"]
    frame["replied"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame["sent_at"] = pd.date_range("2026-01-01", periods=n, freq="h", tz="UTC")
    frame["message_id"] = [f"{i:024x}" for i in range(n)]
    return frame
