"""The OpenAPI schema, completed with what FastAPI cannot infer here: the bearer scheme (enforced by a middleware,
not a dependency) and the scoring request body (validated by the endpoint itself, for speed)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ml_assets.service.auth import PUBLIC_PATHS
from ml_assets.service.schemas import ScoreRequest

SCORE_PATH = "/models/reply_propensity/score"
SCHEMAS = "#/components/schemas/{model}"


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    body = ScoreRequest.model_json_schema(ref_template=SCHEMAS)
    components.setdefault("schemas", {}).update(body.pop("$defs", {}))
    components["schemas"]["ScoreRequest"] = body
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    schema["paths"][SCORE_PATH]["post"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": SCHEMAS.format(model="ScoreRequest")}}},
    }
    for path, operations in schema["paths"].items():
        if path not in PUBLIC_PATHS:
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema
