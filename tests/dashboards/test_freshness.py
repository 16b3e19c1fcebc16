"""A page's freshness line: the mart's last materialization from the Dagster instance, else its newest backup in
the warehouse; and the link to the asset in the Dagster UI."""

from __future__ import annotations

import dagster as dg
import pytest

from apollo_assets.dashboards.freshness import asset_url, mart_freshness, open_instance
from apollo_assets.dashboards.settings import dagster_ui_url
from apollo_assets.settings import ConfigurationError

from .hand_marts import B


def test_from_the_instance_when_it_recorded_a_materialization(tmp_path, hand_warehouse) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with open_instance(home) as instance:
        assert mart_freshness("mart_adoption_l1", instance, hand_warehouse).materialized_at is None
        instance.add_dynamic_partitions("backups", ["20261103T040000Z"])
        key = dg.AssetKey(["warehouse", "mart_adoption_l1"])
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition="20261103T040000Z"))
        found = mart_freshness("mart_adoption_l1", instance, hand_warehouse)
    assert found.backup_id == "20261103T040000Z" and found.materialized_at is not None
    assert found.describe().startswith("mart_adoption_l1 last materialized ")
    assert found.describe().endswith(" from backup 20261103T040000Z")  # a runless event has no run to name


def test_from_the_warehouse_without_an_instance(tmp_path, hand_warehouse) -> None:
    assert open_instance(tmp_path) is None  # an empty folder is not an instance (and none is created there)
    assert list(tmp_path.iterdir()) == []
    found = mart_freshness("mart_engagement_funnel", None, hand_warehouse)
    assert (found.backup_id, found.materialized_at) == (B, None)
    assert (
        found.describe()
        == f"mart_engagement_funnel: newest backup in the warehouse {B} (no materialization recorded in Dagster)"
    )


def test_links_to_the_asset_and_its_partition() -> None:
    ui = dagster_ui_url({"APOLLO_DAGSTER_UI_URL": "https://dagster.example.com/prod/"})
    assert asset_url(ui, "mart_adoption_l1") == "https://dagster.example.com/prod/assets/warehouse/mart_adoption_l1"
    assert asset_url(ui, "mart_adoption_l1", B).endswith(
        f"/assets/warehouse/mart_adoption_l1?view=partitions&partition={B}"
    )
    assert dagster_ui_url({}) == "http://127.0.0.1:3000"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "127.0.0.1:3000", "http://", "http://h/?q=1"])
def test_a_ui_url_that_is_not_one_is_refused_by_name(url) -> None:
    with pytest.raises(ConfigurationError, match="APOLLO_DAGSTER_UI_URL must be an http"):
        dagster_ui_url({"APOLLO_DAGSTER_UI_URL": url})
