"""The dbt project itself: parses offline, sources carry their Dagster asset keys, every model is versioned by
backup, and no model holds target-specific SQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from apollo_assets.collections import COLLECTIONS
from apollo_assets.stream.topics import TOPICS

from .conftest import DBT_DIR, MODELS


@pytest.fixture(scope="module")
def manifest(dbt_work: Path) -> dict:
    work = dbt_work
    result = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target",
            "duckdb",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ]
    )
    assert result.success, result.exception
    return json.loads((work / "target" / "manifest.json").read_text())


def test_sources_carry_dagster_asset_keys(manifest: dict) -> None:
    sources = {(s["source_name"], s["name"]): s for s in manifest["sources"].values()}
    assert set(sources) == {("lake", c) for c in COLLECTIONS} | {("stream", t) for t in TOPICS}
    for (source_name, name), source in sources.items():
        assert source["schema"] == "lake"
        assert source["meta"]["dagster"]["asset_key"] == [source_name, name]  # lake/<collection>, stream/<topic>
        assert source["columns"], name


def test_every_model_is_versioned_by_backup(manifest: dict) -> None:
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert set(MODELS) <= set(models)
    for name, node in models.items():  # every model of the project, also those added later
        config = node["config"]
        if "stream" in config["tags"]:
            # The stream's models are sliced by event hour instead, and kept out of the batch build by their tag.
            assert config["materialized"] == "hour_slices", name
            continue
        assert config["materialized"] in ("backup_versions", "backup_slices"), name
        if config["materialized"] == "backup_versions":
            assert config.get("version_key") in node["columns"], f"{name}: version_key undocumented"
    for name in MODELS:
        assert models[name]["config"]["materialized"] == "backup_versions", name
    for name in MODELS:
        columns = models[name]["columns"]
        assert "backup_id" in columns, f"{name}: backup_id undocumented"
        assert all(c.get("description") for c in columns.values()), f"{name}: undocumented column"


def test_models_have_no_target_specific_sql() -> None:
    forbidden = re.compile(
        r"\b(unnest|lateral|flatten|struct_extract|regexp_\w+|json_\w+|try_cast|timezone|"
        r"convert_timezone|parse_json|array_size|len|isodow|dayofweekiso|qualify)\s*\(|::|"
        r"\bqualify\b",
        re.IGNORECASE,
    )
    for path in sorted((DBT_DIR / "models").rglob("*.sql")):
        sql = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.DOTALL)
        sql = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", sql, flags=re.DOTALL)
        assert not forbidden.search(sql), f"{path.relative_to(DBT_DIR)}: {forbidden.search(sql).group(0)}"


def test_seed_taxonomy_matches_the_generator() -> None:
    taxonomy = pytest.importorskip("apollo_assets.sample_data.taxonomy")
    rows = Path(DBT_DIR / "seeds" / "feature_taxonomy.csv").read_text().split()[1:]
    assert {tuple(r.split(",")) for r in rows} == {
        (use_case, feature) for use_case, features in taxonomy.USE_CASES.items() for feature in features
    }
