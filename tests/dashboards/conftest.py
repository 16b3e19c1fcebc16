from __future__ import annotations

from pathlib import Path

import pytest

from apollo_assets.warehouse.resource import DuckDBWarehouse

from .hand_marts import write_duckdb, write_manifest


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DuckDBWarehouse:
    """The hand-made marts in DuckDB, read through the platform's warehouse resource."""
    root: Path = tmp_path_factory.mktemp("hand-marts")
    path = write_duckdb(root / "warehouse.duckdb")
    return DuckDBWarehouse(path=str(path), dbt_manifest=str(write_manifest(root / "manifest.json")))
