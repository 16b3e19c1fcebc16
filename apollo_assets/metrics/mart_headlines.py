"""The headline numbers of each metric mart for one backup: what its materialization records as float metadata
(`metric/<name>`, so that the Dagster UI's Plots view trends them across backups), with the series of its trend."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from apollo_assets.metrics import marts, weekly
from apollo_assets.metrics.marts import MartReader


@dataclass(frozen=True)
class MartHeadlines:
    numbers: dict[str, float]  # metric name -> value (None values are left out)
    labels: dict[str, str] = field(default_factory=dict)  # e.g. which use case is the top one
    trend: pd.DataFrame | None = None  # the last weeks of the mart's series, for the trend image
    trend_title: str = ""


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", str(text).lower()).strip("_")


def _numbers(values: dict[str, float | None]) -> dict[str, float]:
    return {name: float(value) for name, value in values.items() if value is not None}


def _top_lines(series: pd.DataFrame, count: int = 5) -> pd.DataFrame:
    lines = [h.line for h in weekly.headlines(series)[:count]]
    return series[series["line"].isin(lines)]


def _activation_l1(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    series = weekly.activation(frame)
    key = weekly.headline(series, weekly.KEY_ACTION)
    numbers = {
        "activation_rate": weekly.overall_rate(series, weekly.KEY_ACTION),
        "activation_rate_last_cohort": key.value,
        "activation_rate_change": key.change,
    }
    cohort = series[series["week"] == series["week"].max()]["denominator"]
    numbers["new_accounts_last_cohort"] = float(cohort.iloc[0]) if len(cohort) else None
    title = "Activation per use case (accounts, by signup week)"
    return MartHeadlines(_numbers(numbers), {}, weekly.recent(series), title)


def _feature_top(series: pd.DataFrame, measure: str, title: str) -> MartHeadlines:
    top = weekly.top_line(series)
    numbers = {f"top_feature_{measure}": top.value if top else None}
    numbers[f"top_feature_{measure}_change"] = top.change if top else None
    labels = {"top_feature": top.line} if top else {}
    return MartHeadlines(_numbers(numbers), labels, weekly.recent(_top_lines(series)), title)


def _activation_l2(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    series = weekly.activation(frame, "feature")
    return _feature_top(series, "activation_rate", "Activation of the top features (accounts, by signup week)")


def _retention_l1(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    series = weekly.retention(frame)
    any_usage = weekly.headline(series, weekly.ANY)
    first_week = frame[(frame["weeks_since_signup"] == 1) & (frame["use_case"] == weekly.ANY)]
    users = first_week["cohort_users"].sum()
    numbers = {
        "retention_last_week": any_usage.value,
        "retention_change": any_usage.change,
        "week_1_retention": float(first_week["active_users"].sum() / users) if users > 0 else None,
    }
    title = "Weekly retention of users 1-12 weeks after signup"
    return MartHeadlines(_numbers(numbers), {}, weekly.recent(series), title)


def _retention_l2(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    series = weekly.retention(frame, "feature")
    return _feature_top(series, "retention", "Weekly retention of the top features (users)")


def _adoption_l1(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    series = weekly.adoption(frame)
    top = weekly.top_line(series)
    numbers = {f"adoption_rate/{_key(h.line)}": h.value for h in weekly.headlines(series)}
    numbers |= {"top_use_case_adoption": top.value if top else None}
    numbers |= {"top_use_case_adoption_change": top.change if top else None}
    labels = {"top_use_case": top.line} if top else {}
    title = "Adoption per use case (share of active accounts, by week)"
    return MartHeadlines(_numbers(numbers), labels, weekly.recent(series), title)


def _adoption_l2(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    series = weekly.adoption(frame, "feature")
    return _feature_top(series, "adoption", "Adoption of the top features (share of active accounts)")


def _funnel(frame: pd.DataFrame, backup_id: str) -> MartHeadlines:
    funnel = weekly.funnel(frame, backup_id)
    series = weekly.funnel_series(funnel)
    opened, replied = weekly.headline(series, "open rate"), weekly.headline(series, "reply rate")
    numbers = {
        "open_rate_last_week": opened.value,
        "reply_rate_last_week": replied.value,
        "reply_rate_change": replied.change,
        "messages_sent_last_week": float(funnel["sent"].iloc[-1]) if len(funnel) else None,
    }
    return MartHeadlines(_numbers(numbers), {}, weekly.recent(series), "Sequence open and reply rates, by send week")


SHAPERS: dict[str, Callable[[pd.DataFrame, str], MartHeadlines]] = {
    marts.ACTIVATION_L1: _activation_l1,
    marts.ACTIVATION_L2: _activation_l2,
    marts.RETENTION_L1: _retention_l1,
    marts.RETENTION_L2: _retention_l2,
    marts.ADOPTION_L1: _adoption_l1,
    marts.ADOPTION_L2: _adoption_l2,
    marts.FUNNEL: _funnel,
}
MODELS = (*SHAPERS, marts.REPLY_TRAINING)


def mart_headlines(reader: MartReader, model: str, backup_id: str) -> MartHeadlines:
    """The headline numbers of `model` (one of MODELS) for one backup; queries that backup's slice only."""
    if model == marts.REPLY_TRAINING:
        messages, share = marts.reply_share(reader, backup_id)
        return MartHeadlines(_numbers({"replied_share": share, "messages": float(messages)}))
    return SHAPERS[model](marts.read_slice(reader, model, backup_id), backup_id)
