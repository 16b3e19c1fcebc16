"""The metric marts, paginated and filtered: GET /marts/{mart}?use_case=engagement&limit=100&offset=0.

Any query parameter other than backup_id / limit / offset filters a column by equality (repeat it for several
values). Column names and value types are checked against the table itself, so a typo is a 422 naming the
columns that exist, never an SQL error."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, HTTPException, Query, Request, status

from ml_assets.service.routes.entities import BackupId
from ml_assets.service.schemas import Page
from ml_assets.service.warehouse import SENSITIVE, Warehouse, public_rows

router = APIRouter(tags=["warehouse"])
PAGING = {"backup_id", "limit", "offset"}
COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Mart(StrEnum):
    mart_activation_l1 = "mart_activation_l1"
    mart_activation_l2 = "mart_activation_l2"
    mart_adoption_l1 = "mart_adoption_l1"
    mart_adoption_l2 = "mart_adoption_l2"
    mart_retention_l1 = "mart_retention_l1"
    mart_retention_l2 = "mart_retention_l2"
    mart_engagement_funnel = "mart_engagement_funnel"


@router.get("/marts")
def list_marts(request: Request) -> list[dict[str, Any]]:
    warehouse: Warehouse = request.app.state.warehouse
    with warehouse.session() as con:
        return [{"name": mart.value, "columns": _columns(con, warehouse.relation(mart.value))} for mart in Mart]


@router.get("/marts/{mart}", response_model=Page)
def read_mart(
    request: Request,
    mart: Mart,
    backup_id: BackupId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page:
    warehouse: Warehouse = request.app.state.warehouse
    table = warehouse.relation(mart.value)
    requested: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name not in PAGING:
            requested.setdefault(name, []).append(value)
    with warehouse.session() as con:
        columns = _columns(con, table)
        conditions, params = _filters(con, columns, requested)
        if backup_id is None:
            backup_id = con.execute(f"select max(backup_id) from {table}").fetchone()[0]
        where = " and ".join(["backup_id = ?", *conditions])
        total = con.execute(f"select count(*) from {table} where {where}", [backup_id, *params]).fetchone()[0]
        cursor = con.execute(
            f"select * from {table} where {where} order by all limit ? offset ?", [backup_id, *params, limit, offset]
        )
        names, rows = [d[0] for d in cursor.description], cursor.fetchall()
    following = offset + limit if offset + limit < total else None
    return Page(
        table=mart.value,
        backup_id=backup_id,
        total=total,
        limit=limit,
        offset=offset,
        next_offset=following,
        rows=public_rows(names, rows),
    )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    described = con.execute(f"describe {table}").fetchall()
    return {row[0]: row[1] for row in described if not SENSITIVE.search(row[0])}


def _filters(
    con: duckdb.DuckDBPyConnection, columns: dict[str, str], requested: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    conditions, params = [], []
    for name, values in requested.items():
        if name not in columns:
            # Named back only when it looks like a column name: a parameter may be anything a client sent.
            shown = repr(name) if COLUMN_NAME.fullmatch(name) else "(not a column name)"
            detail = f"unknown filter {shown}; filterable columns: {', '.join(sorted(columns))}"
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
        kind = columns[name]  # from the catalog, never from the request: safe to place in the SQL
        for value in values:
            if con.execute(f"select try_cast(? as {kind}) is null", [value]).fetchone()[0]:
                detail = f"filter {name}: a value is not a valid {kind}"  # which value the client knows
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
        conditions.append(f'"{name}" in ({", ".join(f"cast(? as {kind})" for _ in values)})')
        params.extend(values)
    return conditions, params
