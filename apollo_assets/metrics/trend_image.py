"""A small PNG of a series' last weeks, as Markdown with the image embedded (the Dagster UI shows it in place).

matplotlib's object API (no pyplot): no global state and no GUI backend, safe in the multiprocess executor's steps."""

from __future__ import annotations

import base64
import io

import pandas as pd

MAX_LINES = 5  # a legend of more lines is unreadable at this size: the highest latest values are drawn
MAX_PNG_BYTES = 40_000  # the metadata's limit (the tests hold the images to it)
PALETTE_COLORS = 64


def trend_png(series: pd.DataFrame, title: str) -> bytes:
    """Line chart of `rate` per week, one line per `line` (at most MAX_LINES), as PNG bytes."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(6.0, 2.6))
    axes = figure.subplots()
    latest = series.sort_values("week").groupby("line")["rate"].last().sort_values(ascending=False)
    for line in latest.index[:MAX_LINES]:
        rows = series[series["line"] == line].sort_values("week")
        axes.plot(rows["week"], rows["rate"], marker=".", linewidth=1.2, label=str(line))
    axes.set_title(title, fontsize=9)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.tick_params(labelsize=7)
    figure.autofmt_xdate(rotation=30)
    if len(latest):
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=90, bbox_inches="tight")
    return _palette_png(drawn.getvalue())


def _palette_png(png: bytes) -> bytes:
    """A few lines on white need no more than a small palette: a third to a fifth of the size of the RGBA image."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=PALETTE_COLORS)
    small = io.BytesIO()
    image.save(small, format="PNG", optimize=True)
    return small.getvalue()


def trend_markdown(series: pd.DataFrame, title: str) -> str:
    encoded = base64.b64encode(trend_png(series, title)).decode("ascii")
    return f"**{title}**\n\n![{title}](data:image/png;base64,{encoded})\n"
