"""No package imports upward: the layers of README.md ("How it is organised"), lowest first.

A module may import its own package and the packages of lower layers, never a package of its own layer or of a
higher one. Every import counts (in functions and `TYPE_CHECKING` blocks too): a deferred import is still a
dependency. A new package or top-level module fails `test_every_package_has_a_layer` until it is given one here
and in the README."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.platform_source import PACKAGES, ROOT, Module, imports, platform_modules

LAYERS: list[tuple[str, ...]] = [
    ("errors",),
    # neutral: names, settings and storage that every stage shares, none of them a stage of the pipeline
    ("names", "field_paths", "personal_data", "settings", "collections", "freshness", "pools", "jit", "storage"),
    ("lake", "backups", "sample_data", "metrics"),  # where datasets and backups live; the generated source; metrics
    ("mongo",),  # reading a backup (or a live cluster) into Arrow
    ("masking",),  # masking Arrow data; publishing a snapshot dataset masked into the lake
    ("kernel_preload",),  # the compiled kernels of mongo and masking, loaded once (the ingest pool preloads it)
    ("ingest",),  # a collection → a published dataset (snapshot or masked); the snapshot assets
    ("warehouse",),  # the lake → dbt → marts, DuckDB or Snowflake, behind one interface
    ("ml_assets",),  # the models (they take the warehouse interface), their registry and the service
    ("stream", "operations"),  # the event stream into the lake; sensors, schedules, alerts, retention
    ("resources", "run_log", "run_progress"),  # wiring and the run's process
    ("definitions",),  # the Dagster definitions
    # `apollo run`; the Streamlit dashboards; what the step processes load first (the definitions among it)
    ("local_run", "dashboards", "step_preload"),
    ("cli",),  # the `apollo` command
]
RANK = {component: rank for rank, layer in enumerate(LAYERS) for component in layer}


def component(module: str) -> str | None:
    """What a layer holds: a package or top-level module of `apollo_assets`, or `ml_assets` as a whole."""
    parts = module.split(".")
    if parts[0] == "ml_assets":
        return "ml_assets"
    if parts[0] == "apollo_assets" and len(parts) > 1:
        return parts[1]
    return None


def upward_imports(modules: list[Module]) -> list[str]:
    found = []
    for module in modules:
        importer = component(module.name)
        if importer is None:
            continue
        for line, imported in imports(module):
            target = component(imported) if imported.split(".")[0] in PACKAGES else None
            if target is None or target == importer:
                continue
            if RANK.get(target, len(LAYERS)) >= RANK[importer]:
                where = f"{module.path.relative_to(ROOT)}:{line}"
                found.append(
                    f"{where}: {module.name} ({importer}, layer {RANK[importer]}) imports {imported} "
                    f"({target}, layer {RANK.get(target, '?')})"
                )
    return found


def test_every_package_has_a_layer():
    present = {component(m.name) for m in platform_modules()} - {None}
    assert present - RANK.keys() == set(), "give these a layer in tests/test_layers.py and the README"
    assert RANK.keys() - present == set(), "these are gone: take them out of LAYERS and the README"


def test_no_package_imports_upward():
    assert upward_imports(list(platform_modules())) == []


@pytest.mark.parametrize(
    ("name", "source", "upward"),
    [
        ("apollo_assets.mongo.reader", "from apollo_assets.ingest import ingest_collection", True),
        ("apollo_assets.mongo.reader", "def f():\n    from apollo_assets.masking.tokens import key", True),
        ("apollo_assets.lake.datasets", "from apollo_assets.backups import bucket", True),  # same layer
        ("apollo_assets.mongo.reader", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n import ml_assets", True),
        ("apollo_assets.masking.publish", "from ..lake.datasets import PartitionedDataset", False),
        ("apollo_assets.masking.tokens.key", "from .. import actions", False),  # its own package
        ("apollo_assets.cli.run", "from apollo_assets import definitions", False),
    ],
)
def test_an_upward_import_is_found(name, source, upward):
    path = ROOT.joinpath(*name.split(".")).with_suffix(".py")
    assert bool(upward_imports([Module(name, Path(path), ast.parse(source))])) is upward


def test_the_readme_names_every_layer():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## How it is organised") :]
    missing = [c for c in RANK if f"`{c}" not in section]
    assert missing == []
