"""The four pages. Each shows which backup it reads, how fresh its marts are (with links to them in the Dagster UI),
headline cards with their week-over-week change, a table of the numbers and the charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apollo_assets.dashboards import charts, data
from apollo_assets.dashboards.formatting import backup_label, comparison_table, count, percent, points, week
from apollo_assets.dashboards.freshness import asset_url
from apollo_assets.metrics import marts, weekly

BACKUP_KEY = "backup"  # the sidebar's as-of selector (app.py), also the `?backup=` query parameter
MEASURES = {"activation": "Activation", "retention": "Retention", "adoption": "Adoption"}


def selected_backup() -> str:
    return st.session_state[BACKUP_KEY]


def header(title: str, models: list[str], backup_id: str) -> None:
    st.title(title)
    st.caption(
        f"As of backup {backup_label(backup_id)}. Weeks are ISO weeks, shown by their Monday; Δ w/w: the change from "
        "the week before."
    )
    lines = []
    for model in models:
        fresh = data.freshness(model)
        link = asset_url(data.dagster_ui(), model, backup_id)
        lines.append(f"- Data: {fresh.describe()} · [{model} in Dagster]({link})")
    st.markdown("\n".join(lines))


def _chart(chart, height: int | None = None) -> None:
    st.altair_chart(chart, width="stretch", **({"height": height} if height else {}))


def _card(column, label: str, found: weekly.Headline | None, help_text: str) -> None:
    if found is None:
        column.metric(label, percent(None), help=help_text)
        return
    column.metric(label, percent(found.value), points(found.change), help=f"{help_text} Week of {week(found.week)}.")


def _trends(activation: pd.DataFrame, retention: pd.DataFrame, adoption: pd.DataFrame, legend: str) -> None:
    st.subheader(f"Weekly trends (last {weekly.TREND_WEEKS} weeks)")
    _chart(charts.rate_lines(weekly.recent(activation), "Activation of new accounts, by signup week", legend))
    _chart(charts.rate_lines(weekly.recent(retention), "Retention of users 1-12 weeks after signup", legend))
    _chart(charts.rate_lines(weekly.recent(adoption), "Adoption among active accounts, by week", legend))


def overview() -> None:
    backup_id = selected_backup()
    header("L1 overview: use cases", [marts.ACTIVATION_L1, marts.RETENTION_L1, marts.ADOPTION_L1], backup_id)
    read = data.mart_slices((marts.ACTIVATION_L1, marts.RETENTION_L1, marts.ADOPTION_L1), backup_id)
    activation, retention, adoption = weekly.activation(read[0]), weekly.retention(read[1]), weekly.adoption(read[2])

    cards = st.columns(3)
    _card(
        cards[0],
        f"Activation ({weekly.KEY_ACTION}, newest cohort)",
        weekly.headline(activation, weekly.KEY_ACTION),
        "New accounts that ran a sequence or sent an email within 14 days of signup.",
    )
    _card(
        cards[1],
        "Retention (any use, last week)",
        weekly.headline(retention, weekly.ANY),
        "Users who signed up 1-12 weeks before, active that week.",
    )
    top = weekly.top_line(adoption)
    _card(
        cards[2],
        f"Adoption of {top.line if top else 'the top use case'} (last week)",
        top,
        "Active accounts that used the most adopted use case.",
    )
    st.subheader("Per use case: latest week and week-over-week change")
    comparison = weekly.comparison({"activation": activation, "retention": retention, "adoption": adoption})
    st.table(comparison_table(comparison, "use case", MEASURES), hide_index=True)
    _trends(activation, retention, adoption, "use case")


def features() -> None:
    backup_id = selected_backup()
    header("L2 drill-down: features", [marts.ACTIVATION_L2, marts.RETENTION_L2, marts.ADOPTION_L2], backup_id)
    read = data.mart_slices((marts.ACTIVATION_L2, marts.RETENTION_L2, marts.ADOPTION_L2), backup_id)
    frames = dict(zip(("activation", "retention", "adoption"), read, strict=True))
    use_cases = sorted(frames["adoption"]["use_case"].dropna().unique()) or [weekly.KEY_ACTION]
    default = use_cases.index(weekly.KEY_ACTION) if weekly.KEY_ACTION in use_cases else 0
    use_case = st.selectbox("Use case", use_cases, index=default, key="use_case", bind="query-params")
    chosen = {name: frame[frame["use_case"] == use_case] for name, frame in frames.items()}
    activation = weekly.activation(chosen["activation"], "feature")
    retention = weekly.retention(chosen["retention"], "feature")
    adoption = weekly.adoption(chosen["adoption"], "feature")

    cards = st.columns(3)
    for column, (name, series) in zip(
        cards, (("activation", activation), ("retention", retention), ("adoption", adoption)), strict=True
    ):
        top = weekly.top_line(series)
        label = f"{MEASURES[name]}: {top.line if top else 'no feature'} (top feature)"
        _card(column, label, top, f"The {use_case} feature with the highest {name} in the latest week.")
    st.subheader(f"Features of {use_case}: latest week and week-over-week change")
    comparison = weekly.comparison({"activation": activation, "retention": retention, "adoption": adoption})
    st.table(comparison_table(comparison, "feature", MEASURES), hide_index=True)
    _trends(activation, retention, adoption, "feature")


def funnel() -> None:
    backup_id = selected_backup()
    header("Engagement funnel: sequences", [marts.FUNNEL], backup_id)
    [frame] = data.mart_slices((marts.FUNNEL,), backup_id)
    statuses = sorted(frame["campaign_status"].dropna().unique())
    chosen = st.multiselect("Campaign status", statuses, default=statuses, key="statuses")
    weekly_funnel = weekly.recent(weekly.funnel(frame, backup_id, chosen))
    rates = weekly.funnel_series(weekly_funnel)

    cards = st.columns(3)
    last = weekly_funnel.iloc[-1] if len(weekly_funnel) else None
    cards[0].metric("Messages sent (last whole week)", count(last["sent"] if last is not None else None))
    _card(cards[1], "Open rate", weekly.headline(rates, "open rate"), "Messages opened (or replied) / sent.")
    _card(cards[2], "Reply rate", weekly.headline(rates, "reply rate"), "Messages replied / sent.")
    _chart(charts.funnel_bars(weekly_funnel))
    _chart(charts.rate_lines(rates, "Open and reply rates, by send week", "rate"))
    st.subheader("Sent → opened → replied, by send week")
    table = pd.DataFrame(
        {
            "send week": weekly_funnel["week"].map(week),
            "sent": weekly_funnel["sent"].map(count),
            "opened": weekly_funnel["opened"].map(count),
            "replied": weekly_funnel["replied"].map(count),
            "open rate": weekly_funnel["open_rate"].map(percent),
            "reply rate": weekly_funnel["reply_rate"].map(percent),
            "replies per open": weekly_funnel["reply_to_open_rate"].map(percent),
        }
    )
    st.table(table.iloc[::-1], hide_index=True)


COHORT_WEEKS = (1, 2, 4, 8, 12)


def cohorts() -> None:
    backup_id = selected_backup()
    header("Retention cohorts", [marts.RETENTION_L1], backup_id)
    [frame] = data.mart_slices((marts.RETENTION_L1,), backup_id)
    lines = [weekly.ANY, *sorted(set(frame["use_case"].dropna().unique()) - {weekly.ANY})]
    line = st.selectbox("Use case", lines, key="cohort_use_case", bind="query-params")
    triangle = weekly.cohorts(frame, line)
    recent_cohorts = sorted(triangle["cohort_week"].unique())[-weekly.TREND_WEEKS :]
    triangle = triangle[triangle["cohort_week"].isin(recent_cohorts)]

    first_weeks = triangle[triangle["weeks_since_signup"] == 1]
    newest = first_weeks.iloc[-1] if len(first_weeks) else None
    previous = first_weeks.iloc[-2]["retention_rate"] if len(first_weeks) > 1 else None
    st.metric(
        "Week-1 retention of the newest cohort",
        percent(newest["retention_rate"] if newest is not None else None),
        points(newest["retention_rate"] - previous) if newest is not None and previous is not None else None,
        help="Users of the newest signup week with a whole week after it, active in that week; Δ: the cohort before.",
    )
    what = "any use" if line == weekly.ANY else line
    heatmap = charts.cohort_heatmap(triangle, f"Weekly retention by signup cohort ({what})")
    _chart(heatmap, height=charts.heatmap_height(triangle) + 80)  # the axis titles beside the cells
    st.subheader("Cohorts")
    table = triangle.pivot_table(index="cohort_week", columns="weeks_since_signup", values="retention_rate")
    sizes = triangle.groupby("cohort_week")["cohort_users"].max()
    shown = pd.DataFrame({"signup week": table.index.map(week), "users": [count(sizes[w]) for w in table.index]})
    for weeks in COHORT_WEEKS:
        values = table[weeks] if weeks in table.columns else pd.Series(index=table.index, dtype=float)
        shown[f"week {weeks}"] = [percent(v) for v in values]
    st.table(shown.iloc[::-1], hide_index=True)
