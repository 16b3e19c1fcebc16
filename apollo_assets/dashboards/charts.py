"""The dashboards' charts (Vega-Lite through Altair, drawn by Streamlit in the browser): pure functions of frames."""

from __future__ import annotations

import altair as alt
import pandas as pd

HEIGHT = 260


def rate_lines(series: pd.DataFrame, title: str, legend: str) -> alt.Chart:
    """A `weekly` series: rate per week, one line per use case or feature."""
    return (
        alt.Chart(series, title=title, height=HEIGHT)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="week"),
            y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("line:N", title=legend),
            tooltip=[
                alt.Tooltip("week:T", title="week"),
                alt.Tooltip("line:N", title=legend),
                alt.Tooltip("rate:Q", title="rate", format=".1%"),
                alt.Tooltip("numerator:Q", title="counted", format=","),
                alt.Tooltip("denominator:Q", title="out of", format=","),
            ],
        )
    )


STAGES = ["sent", "opened", "replied"]


def funnel_bars(funnel: pd.DataFrame) -> alt.Chart:
    """Messages sent, opened and replied per send week, side by side."""
    long = funnel.melt(id_vars=["week"], value_vars=STAGES, var_name="stage", value_name="messages")
    return (
        alt.Chart(long, title="Sequence messages by send week", height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(week):O", title="send week"),
            xOffset=alt.XOffset("stage:N", sort=STAGES),
            y=alt.Y("messages:Q", title="messages"),
            color=alt.Color("stage:N", sort=STAGES, title="stage"),
            tooltip=[alt.Tooltip("week:T", title="week"), "stage:N", alt.Tooltip("messages:Q", format=",")],
        )
    )


def cohort_heatmap(triangle: pd.DataFrame, title: str) -> alt.LayerChart:
    """Retention per signup-week cohort (rows) and week since signup (columns), with each cell's percentage."""
    data = triangle.assign(cohort=triangle["cohort_week"].dt.strftime("%Y-%m-%d"))
    base = alt.Chart(data).encode(
        x=alt.X("weeks_since_signup:O", title="weeks since signup"),
        y=alt.Y("cohort:O", title="signup week", sort="descending", axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("retention_rate:Q", title="retention", scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=[
            alt.Tooltip("cohort:O", title="signup week"),
            alt.Tooltip("weeks_since_signup:O", title="weeks since signup"),
            alt.Tooltip("retention_rate:Q", title="retention", format=".1%"),
            alt.Tooltip("cohort_users:Q", title="users", format=","),
        ],
    )
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text("retention_rate:Q", format=".0%"),
        color=alt.condition(alt.datum.retention_rate > 0.5, alt.value("white"), alt.value("black")),
    )
    return (cells + labels).properties(title=title, height=heatmap_height(triangle))


def heatmap_height(triangle: pd.DataFrame) -> int:
    """Room for every cohort's label and its cells' percentages."""
    return max(HEIGHT, 26 * triangle["cohort_week"].nunique())
