"""The metrics' SQL on Snowflake (fakesnow, in-process) through the production warehouse resource: the same slices,
hence the same numbers, as on DuckDB."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest
from prod.snowflake_emulator import DATABASE, SCHEMA, patched_snowflake, snowflake_env

from apollo_assets.metrics import marts
from apollo_assets.metrics.mart_headlines import MODELS, mart_headlines
from apollo_assets.warehouse.snowflake.prod import production_warehouse

from .hand_marts import A, B, create_statements, write_manifest


def test_slices_and_headlines_match_duckdb(tmp_path, monkeypatch, hand_warehouse) -> None:
    for name, value in snowflake_env(DATABASE, SCHEMA).items():
        monkeypatch.setenv(name, value)
    manifest = write_manifest(tmp_path / "manifest.json")
    with patched_snowflake(), dg.build_resources({"w": production_warehouse(str(manifest), {})}) as resources:
        snowflake = resources.w
        snowflake.query(f"create database if not exists {DATABASE}")
        snowflake.query("create schema if not exists marts")
        for sql, rows in create_statements():
            for row in rows or [()]:
                snowflake.query(sql, list(row))
        assert marts.backup_ids(snowflake) == marts.backup_ids(hand_warehouse) == [B, A]
        models = list(marts.COLUMNS)
        for model, on_snowflake, on_duckdb in zip(
            models, marts.read_slices(snowflake, models, B), marts.read_slices(hand_warehouse, models, B), strict=True
        ):
            order = list(marts.COLUMNS[model])
            pd.testing.assert_frame_equal(
                on_snowflake.sort_values(order, ignore_index=True),
                on_duckdb.sort_values(order, ignore_index=True),
                check_dtype=False,
            )
        for model in MODELS:
            expected = mart_headlines(hand_warehouse, model, B)
            found = mart_headlines(snowflake, model, B)
            assert found.numbers == pytest.approx(expected.numbers) and found.labels == expected.labels, model
