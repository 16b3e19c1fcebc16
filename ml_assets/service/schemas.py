"""Request and response bodies. Requests are strict (unknown fields, NaN and out-of-range values are refused with
a 422 that names the field), so that a client's mistake never becomes a silent default or a 500."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_PROSPECTS = 1_000
Label = Annotated[str, Field(min_length=1, max_length=100)]
Count = Annotated[float, Field(ge=0, le=1e9)]


class Prospect(BaseModel):
    """What is known about a prospect when a message is about to be sent; every field may be omitted (missing)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    person_seniority: Literal["c_suite", "vp", "director", "manager", "senior", "entry", "other", "unknown"] | None = (
        None
    )
    person_department: Label | None = None
    company_size_bucket: (
        Literal["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+", "unknown"] | None
    ) = None
    company_industry: Label | None = None
    company_revenue_bucket: (
        Literal["<1M", "1M-10M", "10M-50M", "50M-100M", "100M-500M", "500M-1B", "1B+", "unknown"] | None
    ) = None
    person_intent_score: Annotated[float, Field(ge=-1e6, le=1e6)] | None = None
    person_employment_count: Count | None = None
    company_num_employees: Count | None = None
    company_technology_count: Count | None = None
    previous_messages_to_person: Count | None = None
    previous_replies_from_person: Count | None = None
    send_hour: Annotated[int, Field(ge=0, le=23)] | None = None
    send_day_of_week: Annotated[int, Field(ge=1, le=7, description="ISO: 1 = Monday")] | None = None
    campaign_step_count: Count | None = None
    contact_id: Annotated[str, Field(pattern="^[0-9a-f]{24}$")] | None = Field(
        None,
        description="The contact (ObjectId hex). When given, the contact's engagement of the last 30 days, kept "
        "fresh by the event stream, fills previous_messages_to_person and previous_replies_from_person (unless the "
        "request gives them) and is returned in `engagement`.",
    )


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prospects: list[Prospect] = Field(min_length=1, max_length=MAX_PROSPECTS)


class ScoreResponse(BaseModel):
    model: str
    version: int
    scores: list[float] = Field(description="Reply probability of each prospect, in request order.")
    engagement: list[dict[str, int] | None] | None = Field(
        None,
        description="Per prospect with a contact_id: its recent sent, opens, clicks and replies from the event "
        "stream (null when the stream has seen none); absent when no prospect names a contact.",
    )


class Company(BaseModel):
    company_id: str
    company_name: str
    domain: str
    industry: str


class SimilarCompany(Company):
    similarity: float = Field(description="Cosine similarity of the two profiles (1 = identical).")


class SimilarResponse(BaseModel):
    model: str
    version: int
    company: Company
    similar: list[SimilarCompany]


class VersionInfo(BaseModel):
    version: int
    training_partition: str
    created_at: str
    metrics: dict[str, float | None]
    checks: dict[str, bool]
    features: list[str]
    status: str = Field(description="serving, available, not_servable (failed checks) or failed (did not load)")
    detail: str | None = None


class ModelInfo(BaseModel):
    name: str
    serving_version: int | None
    scoring: str | None = Field(None, description="How scores are computed (compiled fast path or scikit-learn).")
    versions: list[VersionInfo]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    models: dict[str, dict[str, Any]]


class Page(BaseModel):
    table: str
    backup_id: str | None
    total: int
    limit: int
    offset: int
    next_offset: int | None
    rows: list[dict[str, Any]]
