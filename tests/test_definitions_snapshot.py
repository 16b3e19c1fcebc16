"""A snapshot of the whole graph: a change to keys, groups, partitions, freshness or lineage shows up in review.

Regenerate after an intended change with `UPDATE_SNAPSHOTS=1 pytest tests/test_definitions_snapshot.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from apollo_assets.definitions import build_definitions
from apollo_assets.settings import load_settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def describe(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for spec in sorted(defs.resolve_all_asset_specs(), key=lambda s: s.key.to_user_string()):
        node = graph.get(spec.key)
        assets[spec.key.to_user_string()] = {
            "group": spec.group_name,
            "kinds": sorted(spec.kinds),
            "partitions": getattr(spec.partitions_def, "name", None),
            "freshness": repr(spec.freshness_policy),
            "deps": sorted(d.asset_key.to_user_string() for d in spec.deps),
            "checks": sorted(c.name for c in node.check_keys) if node else [],
        }
    repo = defs.get_repository_def()
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "sensors": sorted(s.name for s in repo.sensor_defs),
    }


def test_definitions_match_the_snapshot(tmp_path):
    current = describe(build_definitions(load_settings({"APOLLO_DATA_DIR": str(tmp_path)})))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), f"no snapshot yet: run with UPDATE_SNAPSHOTS=1 to write {SNAPSHOT}"
    assert current == json.loads(SNAPSHOT.read_text())


def test_every_layer_is_in_the_graph_with_freshness(tmp_path):
    described = describe(build_definitions(load_settings({"APOLLO_DATA_DIR": str(tmp_path)})))["assets"]
    layers = {key.split("/")[0] for key in described}
    assert {"mongo", "lake", "warehouse", "ml", "stream"} <= layers
    assert all(a["freshness"] != "None" for a in described.values())
    # Everything but the stream (its lake datasets and its dbt models, by hour) is partitioned by backup.
    assert all(a["partitions"] == "backups" for a in described.values() if a["group"] != "stream")
    stream_models = [a for k, a in described.items() if k.startswith("warehouse/") and a["group"] == "stream"]
    assert stream_models and all(a["checks"] and a["partitions"] is None for a in stream_models)
    assert all("offsets_match_broker" in a["checks"] for k, a in described.items() if k.startswith("stream/"))
    assert any(a["checks"] for k, a in described.items() if k.startswith("warehouse/"))
    assert all("no_pii_leak" in a["checks"] for k, a in described.items() if k.startswith("lake/"))
