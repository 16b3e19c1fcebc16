"""The dbt project in `dbt/`, its manifest per target, and how its nodes become Dagster assets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from apollo_assets.freshness import WAREHOUSE_FRESHNESS

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
GROUPS = {
    "staging": "warehouse_staging",
    "gold": "warehouse_gold",
    "marts": "marts",
    "ml_features": "ml_features",
    "stream": "warehouse_staging",
}


def build_dbt_project(target: str) -> DbtProject:
    """The project for one profile target, with a manifest no older than the project's files."""
    project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR, target=target, target_path=f"target/{target}")
    if _manifest_is_stale(project.manifest_path):
        _parse(target)
    return project


def _manifest_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    sources = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources.extend(p for p in (DBT_DIR / folder).rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime


def _parse(target: str) -> None:
    from dbt.cli.main import dbtRunner

    args = ["parse", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target", target]
    result = dbtRunner().invoke([*args, "--target-path", f"target/{target}", "--quiet"])
    if not result.success:
        raise RuntimeError(f"dbt parse of {DBT_DIR} for target {target!r} failed: {result.exception}")


class WarehouseTranslator(DagsterDbtTranslator):
    """Models live under `warehouse/`, grouped by their folder, with the warehouse freshness policy."""

    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey(["warehouse", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        folder = fqn[1] if len(fqn) > 2 else ""
        return GROUPS.get(folder, "warehouse_staging" if dbt_resource_props["resource_type"] == "seed" else "marts")

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("source."):
            return spec
        return spec.replace_attributes(freshness_policy=WAREHOUSE_FRESHNESS)
