"""GET /health: no authentication, for load balancers and humans; says which model versions serve and which
newer versions failed to load (status `degraded`)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ml_assets.service.model_store import ModelStore
from ml_assets.service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    store: ModelStore = request.app.state.store
    models, degraded = {}, False
    for name, slot in store.slots.items():
        serving = slot.current.card.version if slot.current else None
        # A failure older than the serving version was superseded; a newer one means we serve a stale version.
        errors = {str(v): e for v, e in slot.failed.items() if v > (serving or 0)}
        degraded = degraded or bool(errors)
        models[name] = {"serving_version": serving, "load_errors": errors}
    return Health(status="degraded" if degraded else "ok", models=models)
