"""APOLLO_ENV=prod wiring: every location and credential from the environment, none of them copied into config."""

from __future__ import annotations

import json

import dagster as dg
import pytest
from dagster_dbt import DbtProject

from apollo_assets.lake.resource import LakeResource
from apollo_assets.resources import build_resources
from apollo_assets.settings import PROD_VARIABLES, ConfigurationError, load_settings
from apollo_assets.warehouse.dbt_project import DBT_DIR
from apollo_assets.warehouse.snowflake.prod import endpoint_args
from apollo_assets.warehouse.snowflake.resource import SnowflakeWarehouse

from .snowflake_emulator import snowflake_env

SECRETS = {"SNOWFLAKE_PASSWORD": "pw-7f3a9c-never-in-config", "APOLLO_MASKING_KEY": "ab" * 32}


def prod_environ(**extra: str) -> dict[str, str]:
    return {
        "APOLLO_ENV": "prod",
        "APOLLO_BACKUP_URL": "gs://acme-backups/apollo",
        "APOLLO_LAKE_URL": "gs://acme-lake/apollo",
        "APOLLO_SNAPSHOT_URL": "gs://acme-restricted/apollo",
        **snowflake_env(),
        **SECRETS,
        **extra,
    }


def test_prod_names_each_missing_variable_including_the_snowflake_role_schema_and_integration():
    environ = prod_environ()
    for name in ("SNOWFLAKE_ROLE", "SNOWFLAKE_SCHEMA", "SNOWFLAKE_STORAGE_INTEGRATION"):
        assert name in PROD_VARIABLES
        with pytest.raises(ConfigurationError, match=name):
            load_settings({k: v for k, v in environ.items() if k != name})
    assert load_settings(environ).lake_url == "gs://acme-lake/apollo"


def test_the_ml_directory_comes_from_the_environment(tmp_path):
    assert load_settings(prod_environ(APOLLO_ML_DIR=str(tmp_path / "ml"))).ml_dir == tmp_path / "ml"


def test_prod_resources_hold_env_var_references_not_secrets(monkeypatch, tmp_path):
    environ = prod_environ(APOLLO_DATA_DIR=str(tmp_path))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR, target="snowflake", target_path="target/snowflake")
    resources = build_resources(load_settings(environ), project)

    warehouse = resources["warehouse"]
    assert isinstance(warehouse, SnowflakeWarehouse)
    assert resources["dbt"].target == "snowflake"
    assert resources["lake"] == LakeResource(
        snapshot_url="gs://acme-restricted/apollo", lake_url="gs://acme-lake/apollo"
    )
    assert resources["backup_bucket"].url == "gs://acme-backups/apollo"
    assert warehouse.snowflake.password == dg.EnvVar("SNOWFLAKE_PASSWORD")
    assert resources["masking_key"].key == dg.EnvVar("APOLLO_MASKING_KEY")
    assert warehouse.storage_integration == dg.EnvVar("SNOWFLAKE_STORAGE_INTEGRATION")
    config = json.dumps({k: r.model_dump(mode="json") for k, r in resources.items()}, default=str)
    assert not [name for name, secret in SECRETS.items() if secret in config]


def test_the_endpoint_is_optional():
    assert endpoint_args({}) == {}
    environ = {"SNOWFLAKE_HOST": "acme.privatelink.snowflakecomputing.com", "SNOWFLAKE_PORT": "443"}
    assert endpoint_args(environ) == {"host": "acme.privatelink.snowflakecomputing.com", "port": 443}
