"""After the whole graph ran over two backups: the Data & ML service, reading that warehouse and that registry, answers
no raw email or full name of the backups on any endpoint (models, people and companies by id, every page of every
mart, similar companies, scores, OpenAPI)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from fastapi.testclient import TestClient

from ml_assets.service.app import create_app
from ml_assets.service.routes.marts import Mart
from ml_assets.service.settings import load_service_settings

from .raw_pii import RawPii

TOKEN = "pii-scan-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAMPLED_IDS = 50  # people and companies asked for by id


@pytest.fixture(scope="module")
def client(platform) -> Iterator[TestClient]:
    settings = load_service_settings({"APOLLO_DATA_DIR": str(platform.data_dir), "APOLLO_SERVICE_TOKEN": TOKEN})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def ids(platform, sql: str) -> list[str]:
    with duckdb.connect(str(platform.data_dir / "warehouse.duckdb"), read_only=True) as con:
        return [row[0] for row in con.execute(sql).fetchall()]


@pytest.fixture(scope="module")
def responses(platform, client: TestClient) -> dict[str, str]:
    """Every answer of the service, by request, as the client receives it (all 200)."""
    got: dict[str, str] = {}

    def get(path: str, **params) -> dict | list:
        response = client.get(path, headers=AUTH, params=params)
        assert response.status_code == 200, (path, params, response.text)
        got[f"GET {path} {params}"] = response.text
        return response.json()

    get("/health")
    get("/openapi.json")
    get("/models")
    get("/marts")
    for mart in Mart:
        offset = 0
        while True:
            page = get(f"/marts/{mart.value}", limit=1000, offset=offset)
            offset += len(page["rows"])
            if not page["rows"] or offset >= page["total"]:
                break
    people = ids(platform, f"select distinct person_id from gold.people order by 1 limit {SAMPLED_IDS}")
    companies = ids(platform, f"select distinct company_id from gold.companies order by 1 limit {SAMPLED_IDS}")
    for person_id in people:
        get(f"/people/{person_id}")
    for company_id in companies:
        get(f"/companies/{company_id}")
        get(f"/companies/{company_id}/similar", k=20)
    prospects = [{"person_seniority": "vp", "company_industry": "software"}, {}]
    scored = client.post("/models/reply_propensity/score", headers=AUTH, json={"prospects": prospects})
    assert scored.status_code == 200, scored.text
    got["POST score"] = scored.text
    return got


def test_the_crawl_reached_every_kind_of_answer(responses: dict[str, str]) -> None:
    kinds = {key.split()[1].split("/")[1] for key in responses if key.startswith("GET")}
    assert {"health", "openapi.json", "models", "marts", "people", "companies"} <= kinds
    assert sum(key.endswith("/similar {'k': 20}") for key in responses) == SAMPLED_IDS


def test_the_scan_sees_a_planted_value(backup_pii: RawPii) -> None:
    email, name = sorted(backup_pii.emails)[0], sorted(backup_pii.names)[0]
    assert backup_pii.found_in(f'{{"note": "{email.upper()}", "owner": "{name.title()}"}}') == {email, name}


def test_no_raw_email_or_name_in_any_response(backup_pii: RawPii, responses: dict[str, str]) -> None:
    leaks = {key: hits for key, text in responses.items() if (hits := backup_pii.found_in(text))}
    assert not leaks, f"raw PII in service responses: {dict(list(leaks.items())[:5])}"
