"""The warehouse the dashboards read: the platform's own resource for APOLLO_ENV, initialised outside a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pandas as pd

from apollo_assets.settings import ConfigurationError, Settings
from apollo_assets.warehouse.interface import Warehouse


class MartSource:
    """A warehouse as the metrics read it, with the marts' table names looked up in the dbt manifest once."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._relations: dict[str, str] = {}

    def relation(self, model: str) -> str:
        if model not in self._relations:
            self._relations[model] = self.warehouse.relation(model)
        return self._relations[model]

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.warehouse.frame(sql, params)


@contextmanager
def open_marts(settings: Settings) -> Iterator[MartSource]:
    """The marts of this environment's warehouse (Snowflake credentials are resolved here, from the environment)."""
    from apollo_assets.resources import dbt_target, warehouse_resource
    from apollo_assets.warehouse.dbt_project import build_dbt_project

    if not settings.is_prod and not settings.warehouse_path.exists():
        raise ConfigurationError(f"no warehouse at {settings.warehouse_path}: run `make run` first")
    project = build_dbt_project(dbt_target(settings))
    resource = warehouse_resource(settings, str(project.manifest_path))
    with dg.build_resources({"warehouse": resource}) as resources:
        yield MartSource(resources.warehouse)
