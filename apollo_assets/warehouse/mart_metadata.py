"""The metric marts' materializations carry their headline numbers and a trend image, besides dbt's row count.

Numbers are `metric/<name>` floats (the Dagster UI's Plots view trends them across backups; the headless runner
prints them); the image is Markdown with an embedded PNG of the last weeks. They are computed from the marts only,
after dbt has finished (DuckDB admits no reader beside dbt's writer), for the newest backup of the run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:  # the metrics compute with pandas and matplotlib: imported by the step, not the definitions
    from apollo_assets.metrics.marts import MartReader

log = logging.getLogger(__name__)


def mart_metadata(reader: MartReader, model: str, backup_id: str) -> dict[str, Any]:
    from apollo_assets.metrics.mart_headlines import mart_headlines
    from apollo_assets.metrics.trend_image import trend_markdown

    found = mart_headlines(reader, model, backup_id)
    metadata: dict[str, Any] = {f"metric/{name}": value for name, value in found.numbers.items()}
    metadata["metric_backup_id"] = backup_id
    metadata |= found.labels
    if found.trend is not None and not found.trend.empty:
        metadata["trend"] = dg.MetadataValue.md(trend_markdown(found.trend, found.trend_title))
    return metadata


def with_mart_metadata(
    events: Iterable[Any],
    model_of: Callable[[str], str | None],
    reader: MartReader,
    backup_id: str,
    logger: logging.Logger | dg.DagsterLogManager = log,
) -> Iterator[Any]:
    """Pass dbt's events through; the metric marts' outputs are held until dbt is done, then given their metadata.

    `model_of(output_name)` names the dbt model of an output (None for anything else). A mart whose numbers cannot
    be computed keeps its event and row count, with a warning: its table was built, the numbers are a bonus."""
    from apollo_assets.metrics.mart_headlines import MODELS

    held = []
    for event in events:
        model = model_of(event.output_name) if isinstance(event, dg.Output) else None
        if model in MODELS:
            held.append((model, event))
        else:
            yield event
    for model, event in held:
        try:
            extra = mart_metadata(reader, model, backup_id)
        except Exception as error:  # any warehouse or plotting error: the build itself succeeded
            logger.warning(f"No headline numbers for {model}: {type(error).__name__}: {str(error).splitlines()[0]}")
            yield event
        else:
            yield event.with_metadata({**event.metadata, **extra})
