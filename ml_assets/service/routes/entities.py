"""Gold people and companies by id, as of a backup (the latest one by default)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from ml_assets.service.warehouse import Warehouse, public_rows

router = APIRouter(tags=["warehouse"])
BackupId = Annotated[str | None, Query(pattern=r"^\d{8}T\d{6}Z$", description="Backup id; default: the latest.")]
PersonId = Annotated[str, Path(pattern="^[0-9a-f]{24}$", description="Person id (ObjectId).")]
CompanyId = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="Company id (md5 of its domain).")]


def entity(request: Request, model: str, key: str, value: str, backup_id: str | None) -> dict[str, Any]:
    warehouse: Warehouse = request.app.state.warehouse
    table = warehouse.relation(model)
    # The latest backup that has this entity, unless one is asked for.
    sql = f"select * from {table} where {key} = ? and (? is null or backup_id = ?) order by backup_id desc limit 1"
    columns, rows = warehouse.query(sql, [value, backup_id, backup_id])
    if not rows:
        where = f" in backup {backup_id}" if backup_id else ""
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no {model} row with {key} {value}{where}")
    return public_rows(columns, rows)[0]


# Plain `def`: DuckDB blocks, so FastAPI runs these in its thread pool.
@router.get("/people/{person_id}")
def person(request: Request, person_id: PersonId, backup_id: BackupId = None) -> dict[str, Any]:
    return entity(request, "people", "person_id", person_id, backup_id)


@router.get("/companies/{company_id}")
def company(request: Request, company_id: CompanyId, backup_id: BackupId = None) -> dict[str, Any]:
    return entity(request, "companies", "company_id", company_id, backup_id)
