"""The model's inputs: person, company and engagement facts known at send time; never identifiers or pseudonyms."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd  # a type only: the definitions import the feature names, and need no pandas

SOURCE_MODEL = "mart_reply_training"
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
# Replies arrive within days of a send (sample data: all within ~2 days): a send younger than this at the end of
# the backup may still get its reply, so its label is not final yet.
LABEL_WINDOW = timedelta(days=7)


def matured(frame: pd.DataFrame, window: timedelta = LABEL_WINDOW) -> pd.DataFrame:
    """Sends whose reply window had closed by the last send of the backup."""
    if frame.empty:
        return frame
    return frame[frame[TIME_COLUMN] <= frame[TIME_COLUMN].max() - window]


def time_split(
    frame: pd.DataFrame, train_share: float = 0.75, gap: timedelta = LABEL_WINDOW
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on the earlier sends, validate on the later ones. Sends of the last `gap` before the cut are left
    out of training: their replies may arrive after the cut, when validation already runs."""
    ordered = frame.sort_values(TIME_COLUMN, kind="stable")
    if ordered.empty:
        return ordered, ordered
    cut = ordered[TIME_COLUMN].iloc[min(int(len(ordered) * train_share), len(ordered) - 1)]
    return ordered[ordered[TIME_COLUMN] < cut - gap], ordered[ordered[TIME_COLUMN] >= cut]
