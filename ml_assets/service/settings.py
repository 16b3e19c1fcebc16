"""The service's configuration, from the environment; it refuses to start without its bearer token."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from apollo_assets.settings import ConfigurationError, load_settings
from ml_assets.engagement_store import engagement_store_path

TOKEN_VARIABLE = "APOLLO_SERVICE_TOKEN"
MIN_TOKEN_LENGTH = 16
DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"  # not imported from the dbt wiring: it loads Dagster


@dataclass(frozen=True)
class ServiceSettings:
    token: str
    warehouse_path: Path
    registry_root: Path
    dbt_manifest: Path
    poll_seconds: float = 5.0
    engagement_store: Path | None = None  # contacts' recent engagement, kept fresh by `apollo stream`


def load_service_settings(environ: Mapping[str, str] | None = None) -> ServiceSettings:
    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if len(token) < MIN_TOKEN_LENGTH:
        state = "is not set" if not token else f"is shorter than {MIN_TOKEN_LENGTH} characters"
        raise ConfigurationError(
            f"{TOKEN_VARIABLE} {state}: the service requires a bearer token on every endpoint but /health "
            f"(e.g. export {TOKEN_VARIABLE}=$(openssl rand -hex 32))"
        )
    platform = load_settings(environ)
    return ServiceSettings(
        token=token,
        warehouse_path=platform.warehouse_path,
        registry_root=platform.ml_dir / "registry",
        # The manifest the Dagster code location parses for the local (DuckDB) target.
        dbt_manifest=Path(environ.get("APOLLO_DBT_MANIFEST", DBT_DIR / "target" / "duckdb" / "manifest.json")),
        poll_seconds=float(environ.get("APOLLO_MODEL_POLL_SECONDS", "5")),
        engagement_store=engagement_store_path(platform.data_dir, environ),
    )
