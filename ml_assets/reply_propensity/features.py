"""The model's inputs: person, company and engagement facts known at send time; never identifiers or pseudonyms."""

from __future__ import annotations

import pandas as pd

LABEL = "replied"
TIME_COLUMN = "sent_at"
CATEGORICAL = [
    "person_seniority",
    "person_department",
    "company_size_bucket",
    "company_industry",
    "company_revenue_bucket",
]
NUMERIC = [
    "person_intent_score",
    "person_employment_count",
    "company_num_employees",
    "company_technology_count",
    "previous_messages_to_person",
    "previous_replies_from_person",
    "send_hour",
    "send_day_of_week",
    "campaign_step_count",
]
FEATURES = CATEGORICAL + NUMERIC


def time_split(frame: pd.DataFrame, train_share: float = 0.75) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on the earlier sends, validate on the later ones, so that no future leaks into training."""
    ordered = frame.sort_values(TIME_COLUMN, kind="stable")
    cut = int(len(ordered) * train_share)
    return ordered.iloc[:cut], ordered.iloc[cut:]
