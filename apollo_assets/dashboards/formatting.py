"""How the dashboards write numbers: rates as percentages, changes in percentage points, weeks as their Monday."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

MISSING = "\u2013"  # an en dash: no value


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def percent(value: float | None) -> str:
    return MISSING if _missing(value) else f"{value:.1%}"


def points(change: float | None) -> str | None:
    """A week-over-week change of a rate, in percentage points (None: no previous week)."""
    return None if _missing(change) else f"{change * 100:+.1f} pp"


def count(value: float | None) -> str:
    return MISSING if _missing(value) else f"{round(value):,}"


def week(value: object) -> str:
    return MISSING if _missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def comparison_table(comparison: pd.DataFrame, label: str, measures: dict[str, str]) -> pd.DataFrame:
    """`weekly.comparison` for people: one column per measure (percent) and one per change (pp)."""
    table = pd.DataFrame({label: comparison["line"]})
    for name, title in measures.items():
        table[title] = comparison[name].map(percent)
        table[f"{title} Δ w/w"] = comparison[f"{name}_change"].map(lambda c: points(c) or MISSING)
    return table


def backup_label(backup_id: str) -> str:
    """A backup id (`YYYYMMDDTHHMMSSZ`) with the time it names."""
    try:
        taken = datetime.strptime(backup_id, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return backup_id
    return f"{backup_id} ({taken:%Y-%m-%d %H:%M} UTC)"
