"""Read-only access to the warehouse: a DuckDB connection opened per request and closed right away.

Holding the file open would block dbt (DuckDB allows one writing process, and no writer while a reader has it
open), so the service never keeps it. While dbt writes, opening fails: that is a 503 with Retry-After, not a 500.
Relations come from the dbt manifest (`apollo_assets/warehouse/dbt_manifest.py`: schema and table; the catalog is
whatever file is opened)."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
from fastapi import HTTPException, status

from apollo_assets.warehouse.dbt_manifest import model_nodes, schema_and_table

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"
# Personal columns that must never leave the service, even masked (pseudonyms still single out a person).
# has_email, has_phone… are presence flags, not personal data.
SENSITIVE = re.compile(
    r"^(?!has_)((first_|last_)?name"
    r"|.*?(^|_)(email|phone|linkedin_url|twitter_url|street|postal_code|birthdate|subject|body))$"
)
MASKED_EMAIL = re.compile(r"^[0-9a-f]{32}@")


class Warehouse:
    def __init__(self, path: Path, manifest: Path) -> None:
        self.path, self.manifest = Path(path), Path(manifest)

    @cached_property
    def relations(self) -> dict[str, str]:
        if not self.manifest.exists():
            raise _unavailable(f"dbt manifest {self.manifest} not found: the warehouse has not been built yet")
        return {name: schema_and_table(node["relation_name"]) for name, node in model_nodes(self.manifest).items()}

    def relation(self, model: str) -> str:
        if model not in self.relations:
            raise _unavailable(f"the dbt project has no model {model}: rebuild the warehouse")
        return self.relations[model]

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection for a few statements; closed on exit, so that dbt is never kept waiting."""
        if not self.path.exists():
            raise _unavailable("the warehouse has not been built yet")
        try:
            with duckdb.connect(str(self.path), read_only=True) as con:
                yield con
        except duckdb.IOException as error:  # the lock of a writing dbt build, typically
            log.warning("warehouse unavailable: %s", _first_line(error))
            raise _unavailable("the warehouse is being written (a dbt build holds it), retry shortly") from error
        except duckdb.CatalogException as error:
            log.warning("warehouse table missing: %s", _first_line(error))
            raise _unavailable("a warehouse table is missing: build the warehouse first") from error

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        """Column names (sensitive ones included: callers filter with `public_rows`) and rows."""
        with self.session() as con:
            cursor = con.execute(sql, list(params))
            return [d[0] for d in cursor.description], cursor.fetchall()


def public_rows(columns: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    keep = [i for i, name in enumerate(columns) if not SENSITIVE.search(name)]
    return [{columns[i]: _json_value(row[i]) for i in keep} for row in rows]


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and MASKED_EMAIL.match(value):
        return None
    return value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200]


def _unavailable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail, headers={"Retry-After": RETRY_AFTER_SECONDS})
