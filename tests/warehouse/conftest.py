"""Fixtures of the warehouse tests: DuckDB warehouses in tmp dirs with raw `lake.<collection>` relations, built by
the real dbt project (dbt/) through dbt's Python runner."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from apollo_assets.warehouse.versions import BACKUP_IDS_ENV, environment
from tests import tiers

from . import crafted
from .lake_builder import Lake

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
MODELS = (
    "stg_organizations",
    "stg_people",
    "stg_people_employment",
    "stg_accounts",
    "stg_users",
    "stg_contacts",
    "stg_emailer_campaigns",
    "stg_emailer_messages",
    "stg_usage_events",
    "companies",
    "people",
    "mart_activation_l1",
    "mart_activation_l2",
    "mart_retention_l1",
    "mart_retention_l2",
    "mart_adoption_l1",
    "mart_adoption_l2",
    "mart_engagement_funnel",
    "mart_reply_training",
)
SCHEMA_OF = {"stg": "staging", "companies": "gold", "people": "gold", "mart": "marts"}


def relation(model: str) -> str:
    schema = SCHEMA_OF.get(model.split("_")[0], SCHEMA_OF.get(model))
    return f"{schema}.{model}"


@dataclass
class Build:
    result: dbtRunnerResult

    @property
    def statuses(self) -> dict[str, str]:
        return {r.node.unique_id: str(r.status) for r in self.result.result.results}

    @property
    def relations(self) -> dict[str, str]:
        """schema.table of every model built, by model name."""
        return {
            r.node.name: f"{r.node.schema}.{r.node.alias}"
            for r in self.result.result.results
            if r.node.resource_type == "model"
        }

    def failures(self) -> list[str]:
        return [
            f"{r.node.unique_id}: {r.status}: {r.message}"
            for r in self.result.result.results
            if str(r.status) not in ("success", "pass")
        ]


@dataclass
class Warehouse:
    path: Path
    work: Path
    lake: Lake
    dbt_work: Path  # target/ and logs/ of dbt, shared by the session so that dbt parses partially

    def dbt(self, *args: str, backup_ids: Sequence[str] | None = None) -> Build:
        """Run dbt in-process against this warehouse (its own target/log dirs: dbt/ is never written)."""
        command = [
            *args,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target",
            "duckdb",
            "--target-path",
            str(self.dbt_work / "target"),
            "--log-path",
            str(self.dbt_work / "logs"),
        ]
        # The backups as the `warehouse_dbt` asset passes them (an environment variable: dbt parses partially)
        variables = {"APOLLO_WAREHOUSE_PATH": str(self.path), BACKUP_IDS_ENV: ""}
        if backup_ids is not None:
            variables[BACKUP_IDS_ENV] = json.dumps(list(backup_ids))
        with environment(variables):
            result = dbtRunner().invoke(command)
        if result.exception is not None:
            raise result.exception
        return Build(result)

    def build(self, backup_ids: Sequence[str] | None = None) -> Build:
        """The batch build, as `warehouse_dbt` runs it: the stream's hour-sliced models (tag `stream`) are another
        asset's (tests/warehouse/test_stream_models.py)."""
        build = self.dbt("build", "--exclude", "tag:stream", backup_ids=backup_ids)
        assert build.result.success, "dbt build failed:\n" + "\n".join(build.failures())
        return build

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with duckdb.connect(str(self.path)) as con:
            return con.execute(sql, list(params)).fetchall()

    def dicts(self, sql: str, params: Sequence[object] = ()) -> list[dict]:
        with duckdb.connect(str(self.path)) as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def slice_rows(self, model: str, backup_id: str) -> list[tuple]:
        """A model's rows of one backup, sorted, for before/after comparisons (model: a name or schema.table)."""
        table = model if "." in model else relation(model)
        rows = self.query(f"select * from {table} where backup_id = ?", [backup_id])
        return sorted(rows, key=repr)


def new_warehouse(root: Path, dbt_work: Path, mode: str = "table") -> Warehouse:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "warehouse.duckdb"
    return Warehouse(path, root, Lake(path, root / "lake", mode=mode), dbt_work)


@pytest.fixture(scope="session")
@tiers.integration  # every fixture that runs dbt over the project takes this one
def dbt_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dbt")


@pytest.fixture(scope="session")
def crafted_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_work: Path) -> Iterator[tuple[Warehouse, Build]]:
    """The hand-made database in two backups (A, B), loaded as raw tables, built once."""
    warehouse = new_warehouse(tmp_path_factory.mktemp("crafted"), dbt_work)
    warehouse.lake.load(crafted.BACKUP_A, crafted.backup_a())
    warehouse.lake.load(crafted.BACKUP_B, crafted.backup_b())
    yield warehouse, warehouse.build()


# Versions written by an older version of stg_accounts: they lack `plan` (the model gained it) and have
# `legacy_tier` (the model lost it). Run through any target's query function; a build must then follow the model.
ACCOUNTS_PLANS = "select account_id || backup_id, plan from staging.stg_accounts"
AGE_ACCOUNTS = (
    "alter table staging.stg_accounts__versions drop column plan",
    "alter table staging.stg_accounts__versions add column legacy_tier varchar",
    "update staging.stg_accounts__versions set legacy_tier = 'gold'",
)
ACCOUNTS_AFTER = "select account_id || backup_id, backup_id, plan from staging.stg_accounts"
ACCOUNT_TIERS = "select account_id, valid_from_backup, legacy_tier from staging.stg_accounts__versions"


def changed_account(documents: dict, account_id: object) -> dict:
    """`documents` with one account's seat count changed (a new version of it in that backup)."""
    for account in documents["accounts"]:
        if account["_id"] == account_id:
            account["seats"] = account["seats"] + 10
    return documents


def assert_accounts_follow_the_model(
    found: list[tuple], tiers: list[tuple], plans: dict, changed: str, rebuilt: str
) -> None:
    """ACCOUNTS_AFTER and ACCOUNT_TIERS once backup `rebuilt` was built again with account `changed` changed: its new
    version has `plan` (the column the model gained, added to the versions) and no `legacy_tier` (the column it
    lost, which stays in the versions and leaves the view); the versions written before keep theirs (plan null)."""
    assert any(plans.values())
    for key, backup_id, plan in found:
        new_version = key == changed + rebuilt
        assert plan == (plans[key] if new_version else None), (key, backup_id)
    assert sorted(tier for account, valid_from, tier in tiers if account == changed and valid_from == rebuilt) == [None]
    assert all(tier == "gold" for account, valid_from, tier in tiers if valid_from != rebuilt)
