"""How the dbt asset's events get the marts' metadata: marts' outputs only, after every other event, and a mart whose
numbers fail keeps its event (with a warning naming it, and no value)."""

from __future__ import annotations

import logging

import dagster as dg

from apollo_assets.metrics.trend_image import MAX_PNG_BYTES
from apollo_assets.warehouse.mart_metadata import with_mart_metadata

from .hand_marts import B


def model_of(output_name: str) -> str | None:
    return output_name.removeprefix("warehouse__")


def events() -> list:
    return [
        dg.Output(None, "warehouse__mart_adoption_l1", metadata={"dagster/row_count": 6}),
        dg.Output(None, "warehouse__stg_people", metadata={"dagster/row_count": 10}),
        dg.AssetCheckResult(passed=True, asset_key=dg.AssetKey(["warehouse", "stg_people"]), check_name="not_null"),
        dg.Output(None, "warehouse__mart_engagement_funnel"),
    ]


def test_marts_get_numbers_and_a_small_trend_image_other_events_pass_untouched(hand_warehouse) -> None:
    passed = list(with_mart_metadata(events(), model_of, hand_warehouse, B))
    assert [getattr(e, "output_name", "check") for e in passed] == [
        "warehouse__stg_people",
        "check",
        "warehouse__mart_adoption_l1",
        "warehouse__mart_engagement_funnel",
    ]
    assert passed[0].metadata == {"dagster/row_count": dg.IntMetadataValue(10)}
    adoption = passed[2].metadata
    assert adoption["dagster/row_count"] == dg.IntMetadataValue(6)
    assert adoption["metric/top_use_case_adoption"] == dg.FloatMetadataValue(0.75)
    assert adoption["metric_backup_id"] == dg.TextMetadataValue(B)
    assert adoption["top_use_case"] == dg.TextMetadataValue("prospecting")
    trend = adoption["trend"].value
    assert trend.count("data:image/png;base64,") == 1 and len(trend) < MAX_PNG_BYTES * 4 / 3 + 200


class BrokenWarehouse:
    def relation(self, model: str) -> str:
        return f"marts.{model}"

    def frame(self, sql, params=None):
        raise RuntimeError("Catalog Error: Table with name mart_adoption_l1 does not exist!\nLINE 1: select …")


def test_a_mart_whose_numbers_fail_keeps_its_event_and_row_count(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        passed = list(with_mart_metadata(events()[:1], model_of, BrokenWarehouse(), B))
    assert passed[0].metadata == {"dagster/row_count": dg.IntMetadataValue(6)}
    assert caplog.messages == [
        "No headline numbers for mart_adoption_l1: RuntimeError: Catalog Error: Table with name mart_adoption_l1 "
        "does not exist!"
    ]
