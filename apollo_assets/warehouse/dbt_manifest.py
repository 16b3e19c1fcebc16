"""Where dbt builds each model, read from its manifest: for the warehouse resources and the service alike.

Nothing here imports dbt or Dagster: the service reads the manifest too, and starts without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def model_nodes(manifest_path: Path | str) -> dict[str, dict[str, Any]]:
    """Every model and seed of the manifest's target, by name."""
    nodes = json.loads(Path(manifest_path).read_text())["nodes"].values()
    return {n["name"]: n for n in nodes if n["resource_type"] in ("model", "seed")}


def model_node(manifest_path: Path | str, model: str) -> dict[str, Any]:
    nodes = model_nodes(manifest_path)
    if model not in nodes:
        raise KeyError(f"dbt project has no model {model!r}")
    return nodes[model]


def relation_name(manifest_path: Path | str, model: str) -> str:
    """The fully qualified table of a dbt model in the manifest's target, as dbt itself names it."""
    return model_node(manifest_path, model)["relation_name"]


def schema_and_table(relation: str) -> str:
    """`"schema"."table"` of a relation name: the catalog is whichever database file is open."""
    parts = [p.strip('"') for p in relation.split(".")]
    return ".".join(f'"{p}"' for p in parts[-2:])
