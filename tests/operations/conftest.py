"""An instance configured by the repository's dagster.yaml, and the platform's Definitions over a temp data dir."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from apollo_assets.definitions import build_definitions
from apollo_assets.settings import load_settings

DAGSTER_YAML = Path(__file__).parents[2] / "dagster.yaml"


@pytest.fixture
def platform_instance(tmp_path, monkeypatch):
    """A DagsterInstance built exactly from dagster.yaml, in a fresh DAGSTER_HOME."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        yield instance


@pytest.fixture(scope="session")
def platform_defs(tmp_path_factory) -> dg.Definitions:
    return build_definitions(load_settings({"APOLLO_DATA_DIR": str(tmp_path_factory.mktemp("ops-data"))}))


@pytest.fixture
def test_instance():
    with dg.instance_for_test() as instance:
        yield instance
