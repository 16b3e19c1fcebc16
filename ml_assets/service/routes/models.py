"""Models: their versions and metrics, reply-propensity scores, similar companies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ml_assets.service.body import read_body
from ml_assets.service.loaders import REPLY, SIMILAR, SimilarIndex
from ml_assets.service.model_store import ModelStore, Served, Slot
from ml_assets.service.openapi import SCORE_PATH
from ml_assets.service.schemas import ModelInfo, ScoreRequest, ScoreResponse, SimilarResponse, VersionInfo
from ml_assets.similar_companies.model import K_MAX

router = APIRouter(tags=["models"])
MAX_BODY_BYTES = 2_000_000  # 1,000 prospects take ~400 kB
CompanyId = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="Company id (md5 of its domain).")]


def _served(request: Request, name: str) -> Served:
    served = request.app.state.store.get(name)
    if served is None:
        detail = f"no servable version of {name} yet (see GET /models for versions and their checks)"
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail, headers={"Retry-After": "30"})
    return served


@router.post(SCORE_PATH, response_model=ScoreResponse)
async def score(request: Request) -> Response:
    """Reply probability of each prospect (1 to 1,000), from the serving version of reply_propensity."""
    # The body is validated here rather than by FastAPI's parameter machinery, which costs ~90 µs more per request;
    # errors keep FastAPI's 422 format. Scoring is inline: the compiled scorer takes tens of µs for one prospect.
    raw = await read_body(request, MAX_BODY_BYTES)
    try:
        body = ScoreRequest.model_validate_json(raw)
    except ValidationError as error:
        # Without the input: it may be anything the client sent, NaN included (which JSON cannot carry back).
        errors = error.errors(include_url=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None
    served = _served(request, REPLY)
    rows = [vars(prospect) for prospect in body.prospects]
    engagement = _live_engagement(request, rows)
    scores = served.model.predict(rows)
    fields = {"engagement": engagement} if engagement is not None else {}
    result = ScoreResponse(model=REPLY, version=served.card.version, scores=scores.tolist(), **fields)
    return Response(result.model_dump_json(exclude_unset=engagement is None), media_type="application/json")


def _live_engagement(request: Request, rows: list[dict]) -> list[dict[str, int] | None] | None:
    """Fill each named contact's engagement features from the stream-fed store (the request's own values win)."""
    contacts = [row.get("contact_id") for row in rows]
    store = request.app.state.engagement
    if store is None or not any(contacts):
        return None
    known = store.engagement(c for c in contacts if c)
    found = []
    for row, contact in zip(rows, contacts, strict=True):
        live = known.get(contact) if contact else None
        if live is not None:
            if row.get("previous_messages_to_person") is None:
                row["previous_messages_to_person"] = float(live.sent)
            if row.get("previous_replies_from_person") is None:
                row["previous_replies_from_person"] = float(live.replies)
        found.append(live.as_dict() if live else None)
    return found


@router.get("/models", response_model=list[ModelInfo])
def list_models(request: Request) -> list[ModelInfo]:  # reads cards from disk: in the thread pool
    store: ModelStore = request.app.state.store
    return [_describe(store, name) for name in store.slots]


def _describe(store: ModelStore, name: str) -> ModelInfo:
    slot = store.slots[name]
    serving = slot.current.card.version if slot.current else None
    versions = [_version(store, slot, version, serving) for version in reversed(store.registry.versions(name))]
    scoring = getattr(slot.current.model, "reason", None) if slot.current else None
    return ModelInfo(name=name, serving_version=serving, scoring=scoring, versions=[v for v in versions if v])


def _version(store: ModelStore, slot: Slot, version: int, serving: int | None) -> VersionInfo | None:
    try:
        card = store.registry.card(slot.name, version)
    except (OSError, ValueError, TypeError):  # unreadable card: the store reports it as failed if it tried
        return None
    if version == serving:
        state = "serving"
    elif version in slot.failed:
        state = "failed"
    else:
        state = "not_servable" if version in slot.not_servable else "available"
    return VersionInfo(
        version=card.version,
        training_partition=card.training_partition,
        created_at=card.created_at,
        metrics=card.metrics,
        checks=card.checks,
        features=card.features,
        status=state,
        detail=slot.failed.get(version) or slot.not_servable.get(version),
    )


@router.get("/companies/{company_id}/similar", response_model=SimilarResponse)
async def similar(
    request: Request, company_id: CompanyId, k: Annotated[int, Query(ge=1, le=K_MAX)] = 10
) -> SimilarResponse:
    served = _served(request, SIMILAR)
    index: SimilarIndex = served.model
    row = index.rows.get(company_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"company {company_id} has no profile in v{served.card.version}")
    neighbours = zip(index.model.neighbors[row][:k], index.model.similarities[row][:k], strict=True)
    similar = [{**index.company(int(other)), "similarity": round(float(sim), 6)} for other, sim in neighbours]
    return SimilarResponse(model=SIMILAR, version=served.card.version, company=index.company(row), similar=similar)
