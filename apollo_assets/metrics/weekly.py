"""Weekly series of the L1/L2 metrics, their headlines and the week-over-week change: pure functions of mart slices.

A series is a frame with one row per week and line (a use case or a feature): `week`, `line`, `numerator`,
`denominator` and `rate` = numerator / denominator (NaN when nothing was counted). Rates are accounts for activation
and adoption, users for retention, as the marts define them (dbt/models/marts/schema.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

TREND_WEEKS = 12
KEY_ACTION = "engagement"  # the use case whose first use is activation (the marts' is_key_action)
ANY = "any"  # the retention marts' line for any usage event
SERIES_COLUMNS = ["week", "line", "numerator", "denominator", "rate"]


def backup_time(backup_id: str) -> pd.Timestamp | None:
    """When a backup was taken, from its id (`YYYYMMDDTHHMMSSZ`, UTC; naive like the marts' weeks)."""
    try:
        return pd.Timestamp(datetime.strptime(backup_id, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return None


def _series(frame: pd.DataFrame, week: str, line: str, numerator: str, denominator: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    grouped = frame.groupby([week, line], as_index=False)[[numerator, denominator]].sum()
    grouped.columns = ["week", "line", "numerator", "denominator"]
    grouped["rate"] = grouped["numerator"] / grouped["denominator"].where(grouped["denominator"] > 0)
    return grouped.sort_values(["week", "line"], ignore_index=True)


def activation(frame: pd.DataFrame, line: str = "use_case") -> pd.DataFrame:
    """Per signup-week cohort: the share of new accounts that used the use case (feature) within the window."""
    return _series(frame, "cohort_week", line, "activated_accounts", "new_accounts")


def retention(frame: pd.DataFrame, line: str = "use_case") -> pd.DataFrame:
    """Per calendar week: the share of the users who signed up 1 to 12 weeks before that were active in it (the
    signup week itself is left out). Every week the mart reports has ended."""
    if frame.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    later = frame[frame["weeks_since_signup"] >= 1].copy()
    later["week"] = later["cohort_week"] + pd.to_timedelta(later["weeks_since_signup"] * 7, unit="D")
    return _series(later, "week", line, "active_users", "cohort_users")


def adoption(frame: pd.DataFrame, line: str = "use_case") -> pd.DataFrame:
    """Per week that has ended: among the accounts active that week, the share that used the use case (feature)."""
    if frame.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    complete = frame[frame["is_complete_week"].fillna(False).astype(bool)]
    return _series(complete, "activity_week", line, "adopting_accounts", "active_accounts")


def overall_rate(series: pd.DataFrame, line: str) -> float | None:
    """One line's rate over every week of the series (counts summed, not rates averaged)."""
    rows = series[series["line"] == line]
    denominator = rows["denominator"].sum()
    return float(rows["numerator"].sum() / denominator) if denominator > 0 else None


def recent(series: pd.DataFrame, weeks: int = TREND_WEEKS) -> pd.DataFrame:
    """The series' last `weeks` weeks."""
    kept = sorted(series["week"].unique())[-weeks:]
    return series[series["week"].isin(kept)].reset_index(drop=True)


@dataclass(frozen=True)
class Headline:
    """A line's latest weekly value and the one of the week before."""

    line: str
    value: float | None
    previous: float | None
    week: date | None

    @property
    def change(self) -> float | None:
        """Week-over-week change, in rate points (0.02 = two percentage points)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def headline(series: pd.DataFrame, line: str) -> Headline:
    rows = series[series["line"] == line].sort_values("week")
    if rows.empty:
        return Headline(line, None, None, None)
    last = rows.iloc[-1]
    previous = rows.iloc[-2]["rate"] if len(rows) > 1 else None
    return Headline(line, _number(last["rate"]), _number(previous), pd.Timestamp(last["week"]).date())


def headlines(series: pd.DataFrame) -> list[Headline]:
    """The headline of every line, highest latest value first."""
    found = [headline(series, line) for line in sorted(series["line"].unique())]
    return sorted(found, key=lambda h: (h.value is None, -(h.value or 0.0), h.line))


def top_line(series: pd.DataFrame) -> Headline | None:
    """The line with the highest latest value (e.g. the most adopted use case last week)."""
    found = [h for h in headlines(series) if h.value is not None]
    return found[0] if found else None


def comparison(measures: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per line: each measure's latest value and its week-over-week change (what the overview tables show)."""
    lines = sorted({line for series in measures.values() for line in series["line"].unique()})
    rows = []
    for line in lines:
        row: dict[str, object] = {"line": line}
        for name, series in measures.items():
            found = headline(series, line)
            row[name] = found.value
            row[f"{name}_change"] = found.change
        rows.append(row)
    return pd.DataFrame(rows, columns=["line", *[c for n in measures for c in (n, f"{n}_change")]])


FUNNEL_COLUMNS = ["week", "sent", "opened", "replied", "open_rate", "reply_rate", "reply_to_open_rate"]


def funnel(frame: pd.DataFrame, backup_id: str, statuses: list[str] | None = None) -> pd.DataFrame:
    """Sequence messages sent -> opened -> replied per send week (campaigns of these statuses, default all), for
    the weeks that had ended when the backup was taken (the mart has no completeness flag: a backup taken on a
    Monday would otherwise end on a week of a few hours)."""
    if statuses is not None:
        frame = frame[frame["campaign_status"].isin(statuses)]
    taken = backup_time(backup_id)
    if taken is not None:
        frame = frame[frame["send_week"] <= taken - timedelta(days=7)]
    if frame.empty:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    weekly = frame.groupby("send_week", as_index=False)[["messages_sent", "messages_opened", "messages_replied"]].sum()
    weekly.columns = ["week", "sent", "opened", "replied"]
    weekly["open_rate"] = weekly["opened"] / weekly["sent"].where(weekly["sent"] > 0)
    weekly["reply_rate"] = weekly["replied"] / weekly["sent"].where(weekly["sent"] > 0)
    weekly["reply_to_open_rate"] = weekly["replied"] / weekly["opened"].where(weekly["opened"] > 0)
    return weekly.sort_values("week", ignore_index=True)


def funnel_series(weekly: pd.DataFrame) -> pd.DataFrame:
    """The funnel's open and reply rates as a series (lines `open rate`, `reply rate`)."""
    parts = []
    for name, numerator in (("open rate", "opened"), ("reply rate", "replied")):
        part = weekly[["week", numerator, "sent"]].rename(columns={numerator: "numerator", "sent": "denominator"})
        part.insert(1, "line", name)
        part["rate"] = part["numerator"] / part["denominator"].where(part["denominator"] > 0)
        parts.append(part)
    if not parts or weekly.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SERIES_COLUMNS]


COHORT_COLUMNS = ["cohort_week", "weeks_since_signup", "cohort_users", "active_users", "retention_rate"]


def cohorts(frame: pd.DataFrame, line: str = ANY, column: str = "use_case") -> pd.DataFrame:
    """The retention triangle of one use case (or feature): cohort week x weeks since signup."""
    rows = frame[frame[column] == line]
    if rows.empty:
        return pd.DataFrame(columns=COHORT_COLUMNS)
    grouped = rows.groupby(["cohort_week", "weeks_since_signup"], as_index=False)[["cohort_users", "active_users"]]
    triangle = grouped.sum()
    triangle["retention_rate"] = triangle["active_users"] / triangle["cohort_users"].where(triangle["cohort_users"] > 0)
    triangle["weeks_since_signup"] = triangle["weeks_since_signup"].astype(int)
    return triangle.sort_values(["cohort_week", "weeks_since_signup"], ignore_index=True)[COHORT_COLUMNS]
