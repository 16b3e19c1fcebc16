"""On the platform's real runs (two backups through the whole graph): every metric mart's materialization carries
its headline numbers as floats, equal to what the marts give now, and a trend PNG under the size limit; so the Plots
view of each mart has one point per backup."""

from __future__ import annotations

import base64
import re

import dagster as dg
import pytest

from apollo_assets.metrics.mart_headlines import MODELS, mart_headlines
from apollo_assets.metrics.trend_image import MAX_PNG_BYTES
from apollo_assets.warehouse.dbt_project import build_dbt_project
from apollo_assets.warehouse.resource import DuckDBWarehouse

PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)\)")


@pytest.fixture(scope="module")
def materializations(platform) -> dict[tuple[str, str], dict]:
    """(model, backup) -> metadata of the materialization the backup's pipeline run recorded."""
    found = {}
    for backup_id, run in platform.runs.items():
        for record in platform.instance.get_records_for_run(run.run_id).records:
            event = record.event_log_entry.asset_materialization
            if event is not None and event.asset_key.path[0] == "warehouse" and event.asset_key.path[-1] in MODELS:
                found[(event.asset_key.path[-1], backup_id)] = event.metadata
    return found


def test_every_mart_of_every_backup_has_its_numbers_and_a_small_trend_image(platform, materializations) -> None:
    warehouse = DuckDBWarehouse(
        path=str(platform.data_dir / "warehouse.duckdb"), dbt_manifest=str(build_dbt_project("duckdb").manifest_path)
    )
    assert set(materializations) == {(model, backup) for model in MODELS for backup in platform.backups}
    for (model, backup_id), metadata in materializations.items():
        numbers = {k.removeprefix("metric/"): v for k, v in metadata.items() if k.startswith("metric/")}
        assert numbers, (model, backup_id)
        assert all(isinstance(v, dg.FloatMetadataValue) for v in numbers.values()), (model, numbers)
        expected = mart_headlines(warehouse, model, backup_id).numbers
        assert {k: v.value for k, v in numbers.items()} == pytest.approx(expected), (model, backup_id)
        assert metadata["metric_backup_id"].value == backup_id
        assert isinstance(metadata["dagster/row_count"], dg.IntMetadataValue)  # dbt's own metadata is kept
        if model == "mart_reply_training":
            continue  # a training set: its label balance, no weekly trend
        images = PNG.findall(metadata["trend"].value)
        assert len(images) == 1, model
        png = base64.b64decode(images[0])
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and 2_000 < len(png) <= MAX_PNG_BYTES, (model, len(png))


def test_headlines_differ_between_backups_so_the_plots_trend(materializations) -> None:
    adoption = {backup: m for (model, backup), m in materializations.items() if model == "mart_adoption_l1"}
    assert len({m["metric/top_use_case_adoption"].value for m in adoption.values()}) == 2
