"""The platform's configuration, read from the environment once.

`APOLLO_ENV=local` (default) keeps every piece of state under `APOLLO_DATA_DIR`; `APOLLO_ENV=prod` takes every
location and credential from named environment variables and fails at start, by name, when one is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from apollo_assets.errors import KnownError

Environment = Literal["local", "prod"]

# The variables production needs, with what each one is for: the error message and the README quote them.
PROD_VARIABLES: dict[str, str] = {
    "APOLLO_BACKUP_URL": "backup bucket, e.g. gs://acme-mongo-backups/apollo",
    "APOLLO_LAKE_URL": "masked lake, e.g. gs://acme-lake/apollo",
    "APOLLO_SNAPSHOT_URL": "restricted snapshot zone, e.g. gs://acme-restricted/apollo-snapshots",
    "APOLLO_MASKING_KEY": "HMAC key of the pseudonyms (hex or base64, at least 32 bytes)",
    "SNOWFLAKE_ACCOUNT": "Snowflake account identifier",
    "SNOWFLAKE_USER": "Snowflake user",
    "SNOWFLAKE_PASSWORD": "Snowflake password",
    "SNOWFLAKE_DATABASE": "Snowflake database of the warehouse",
    "SNOWFLAKE_WAREHOUSE": "Snowflake virtual warehouse",
    "SNOWFLAKE_ROLE": "Snowflake role of the platform (owns LAKE, STAGING, GOLD, MARTS, SEEDS)",
    "SNOWFLAKE_SCHEMA": "Snowflake default schema (dbt models without a folder schema)",
    "SNOWFLAKE_STORAGE_INTEGRATION": "Snowflake storage integration that may read the lake's GCS bucket",
}


class ConfigurationError(KnownError, RuntimeError):
    """The environment does not describe a runnable platform."""


@dataclass(frozen=True)
class Settings:
    env: Environment
    data_dir: Path
    backup_url: str
    snapshot_url: str
    lake_url: str
    warehouse_path: Path
    ml_dir: Path
    dagster_home: Path
    lake_grace_minutes: float = 60.0  # a superseded lake version is deleted this long after (readers may hold it)

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    env = environ.get("APOLLO_ENV", "local").strip().lower() or "local"
    if env not in ("local", "prod"):
        raise ConfigurationError(f"APOLLO_ENV must be 'local' or 'prod', not {env!r}")
    data_dir = Path(environ.get("APOLLO_DATA_DIR", ".data")).expanduser().resolve()
    if env == "prod":
        missing = [name for name in PROD_VARIABLES if not environ.get(name)]
        if missing:
            details = "; ".join(f"{name} ({PROD_VARIABLES[name]})" for name in missing)
            raise ConfigurationError(f"APOLLO_ENV=prod is missing environment variables: {details}")
    return Settings(
        env=env,  # type: ignore[arg-type]
        data_dir=data_dir,
        backup_url=_location(environ, "APOLLO_BACKUP_URL", env, data_dir / "backups"),
        snapshot_url=_location(environ, "APOLLO_SNAPSHOT_URL", env, data_dir / "snapshots"),
        lake_url=_location(environ, "APOLLO_LAKE_URL", env, data_dir / "lake"),
        warehouse_path=Path(environ.get("APOLLO_WAREHOUSE_PATH", data_dir / "warehouse.duckdb")),
        ml_dir=Path(environ.get("APOLLO_ML_DIR", data_dir / "ml")),
        dagster_home=Path(environ.get("DAGSTER_HOME", data_dir / "dagster_home")),
        lake_grace_minutes=_minutes(environ, "APOLLO_LAKE_GRACE_MINUTES", 60.0),
    )


def _minutes(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1.0
    if not minutes >= 0:
        raise ConfigurationError(f"{name} must be a number of minutes (0 or more), not {raw!r}")
    return minutes


def _location(environ: Mapping[str, str], name: str, env: str, local_default: Path) -> str:
    if env == "prod":
        return environ[name]
    return environ.get(name, str(local_default))
