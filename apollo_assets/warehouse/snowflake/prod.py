"""The production warehouse resource from the environment (APOLLO_ENV=prod)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_snowflake import SnowflakeResource

from apollo_assets.warehouse.snowflake.resource import SnowflakeWarehouse


def endpoint_args(environ: Mapping[str, str]) -> dict[str, Any]:
    """Optional connection endpoint (a PrivateLink host or a proxy; the tests' emulator): SNOWFLAKE_HOST, _PORT and
    _PROTOCOL, the same variables dbt's `snowflake` target reads. Not credentials, so plain config."""
    args: dict[str, Any] = {}
    if host := environ.get("SNOWFLAKE_HOST"):
        args["host"] = host
    if port := environ.get("SNOWFLAKE_PORT"):
        args["port"] = int(port)
    if protocol := environ.get("SNOWFLAKE_PROTOCOL"):
        args["protocol"] = protocol
    return args


def production_warehouse(dbt_manifest: str, environ: Mapping[str, str]) -> SnowflakeWarehouse:
    """Every credential and name from the environment, resolved only when a step connects."""
    return SnowflakeWarehouse(
        snowflake=SnowflakeResource(
            account=dg.EnvVar("SNOWFLAKE_ACCOUNT"),
            user=dg.EnvVar("SNOWFLAKE_USER"),
            password=dg.EnvVar("SNOWFLAKE_PASSWORD"),
            role=dg.EnvVar("SNOWFLAKE_ROLE"),
            warehouse=dg.EnvVar("SNOWFLAKE_WAREHOUSE"),
            database=dg.EnvVar("SNOWFLAKE_DATABASE"),
            schema=dg.EnvVar("SNOWFLAKE_SCHEMA"),
            # `?` placeholders, as DuckDB takes them: the model assets' queries run unchanged on both warehouses.
            paramstyle="qmark",
            timezone="UTC",  # naive timestamps are UTC (the lake contract), as in DuckDB's session
            additional_snowflake_connection_args=endpoint_args(environ) or None,
        ),
        dbt_manifest=dbt_manifest,
        storage_integration=dg.EnvVar("SNOWFLAKE_STORAGE_INTEGRATION"),
    )
