"""The FastAPI application: routers, authentication, the model store and its background refresh."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from ml_assets.engagement_store import EngagementStore
from ml_assets.errors import describe
from ml_assets.registry import ModelRegistry
from ml_assets.service import errors
from ml_assets.service.auth import BearerTokenMiddleware
from ml_assets.service.loaders import LOADERS
from ml_assets.service.model_store import ModelStore
from ml_assets.service.openapi import build_openapi
from ml_assets.service.routes import entities, health, marts, models
from ml_assets.service.settings import ServiceSettings, load_service_settings
from ml_assets.service.warehouse import Warehouse

log = logging.getLogger(__name__)


def create_app(settings: ServiceSettings) -> FastAPI:
    store = ModelStore(ModelRegistry(settings.registry_root), LOADERS)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(store.refresh)  # serve the current versions from the first request on
        poller = asyncio.create_task(_poll(store, settings.poll_seconds))
        yield
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller

    app = FastAPI(
        title="Apollo Data & ML service",
        version="1.0.0",
        description="Reply-propensity scores, similar companies, gold entities and metric marts. Bearer token "
        "(APOLLO_SERVICE_TOKEN) on every endpoint but /health.",
        lifespan=lifespan,
        # The schema is behind the token like everything else; without the token a UI could not fetch it.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.warehouse = Warehouse(settings.warehouse_path, settings.dbt_manifest)
    app.state.engagement = EngagementStore(settings.engagement_store) if settings.engagement_store else None
    # The scoring route first: routes are matched in order, and it is the hot path.
    for router in (models.router, health.router, entities.router, marts.router):
        app.include_router(router)
    app.add_middleware(BearerTokenMiddleware, token=settings.token)
    errors.install(app)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> dict[str, Any]:
        return build_openapi(app)

    return app


def create_app_from_environment() -> FastAPI:
    """The uvicorn factory of `apollo serve` (each worker process builds its own app)."""
    return create_app(load_service_settings())


async def _poll(store: ModelStore, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(store.refresh)
        except Exception as error:  # the registry may be briefly unreadable (a network disk); try again next time
            log.error("model refresh failed: %s", describe(error))
