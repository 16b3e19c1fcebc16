"""Gold entities and metric marts: read-only, paginated, filtered, never personal columns, 503 while locked."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from ml_assets.service.app import create_app
from ml_assets.service.warehouse import MASKED_EMAIL, SENSITIVE

from .conftest import AUTH, settings


def first(sample, sql: str):
    return sample.warehouse.query(sql)[0][0]


def assert_public(row: dict) -> None:
    assert not [c for c in row if SENSITIVE.search(c)]
    assert not [v for v in row.values() if isinstance(v, str) and MASKED_EMAIL.match(v)]


def test_a_person_by_id_without_personal_columns(client, sample):
    person_id = first(sample, "select person_id from gold.people order by person_id limit 1")
    response = client.get(f"/people/{person_id}", headers=AUTH)
    assert response.status_code == 200
    person = response.json()
    assert person["person_id"] == person_id and person["backup_id"] == sample.backup_id
    assert {"seniority", "company_id", "has_email", "email_domain"} <= set(person)
    assert_public(person)


def test_a_company_by_id(client, sample):
    company_id = first(sample, "select company_id from gold.companies order by company_id limit 1")
    company = client.get(f"/companies/{company_id}", headers=AUTH, params={"backup_id": sample.backup_id}).json()
    assert company["company_id"] == company_id
    assert_public(company)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (f"/people/{'0' * 24}", {}, 404),
        ("/people/not-an-object-id", {}, 422),
        (f"/companies/{'0' * 32}", {}, 404),
        ("/companies/XYZ", {}, 422),
        (f"/people/{'0' * 24}", {"backup_id": "yesterday"}, 422),
        (f"/people/{'0' * 24}", {"backup_id": "20000101T000000Z"}, 404),
    ],
)
def test_entity_input_errors(client, path, params, status):
    assert client.get(path, headers=AUTH, params=params).status_code == status


def test_a_mart_reads_page_by_page(client, sample):
    total = first(sample, "select count(*) from marts.mart_activation_l2")
    rows, offset = [], 0
    while offset is not None:
        page = client.get("/marts/mart_activation_l2", headers=AUTH, params={"limit": 50, "offset": offset}).json()
        assert page["total"] == total and page["backup_id"] == sample.backup_id
        assert len(page["rows"]) <= 50
        rows += page["rows"]
        offset = page["next_offset"]
    assert len(rows) == total
    assert len({tuple(sorted(r.items())) for r in rows}) == total  # no row twice across pages


def test_mart_filters_by_column_equality(client, sample):
    params = [("use_case", "engagement"), ("use_case", "deals"), ("limit", "1000")]
    page = client.get("/marts/mart_adoption_l2", headers=AUTH, params=params).json()
    expected = first(sample, "select count(*) from marts.mart_adoption_l2 where use_case in ('engagement', 'deals')")
    assert page["total"] == expected > 0
    assert {r["use_case"] for r in page["rows"]} == {"engagement", "deals"}
    week = page["rows"][0]["activity_week"]
    dated = client.get("/marts/mart_adoption_l2", headers=AUTH, params={"activity_week": week}).json()
    assert {r["activity_week"] for r in dated["rows"]} == {week}


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/marts/mart_activation_l1", {"usecase": "engagement"}, "unknown filter 'usecase'"),
        ("/marts/mart_activation_l1", {"cohort_week": "last week"}, "not a valid DATE"),
        ("/marts/mart_activation_l1", {"new_accounts": "many"}, "not a valid"),
        ("/marts/mart_activation_l1", {"limit": "5000"}, "less than or equal to 1000"),
        ("/marts/mart_activation_l1", {"offset": "-1"}, "greater than or equal to 0"),
        ("/marts/mart_reply_training", {}, "mart_engagement_funnel"),  # not a metric mart: the valid ones listed
    ],
)
def test_mart_input_errors_are_422_with_a_reason(client, path, params, message):
    response = client.get(path, headers=AUTH, params=params)
    assert response.status_code == 422
    assert message in response.text


def test_marts_lists_each_metric_mart_with_its_columns(client):
    marts = {m["name"]: m["columns"] for m in client.get("/marts", headers=AUTH).json()}
    assert len(marts) == 7
    assert marts["mart_retention_l1"]["retention_rate"] == "DOUBLE"


def test_a_warehouse_locked_by_a_writer_is_a_503(client, sample):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); sys.stdin.read()",
            str(sample.serving_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        response = client.get("/marts/mart_activation_l1", headers=AUTH)
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert "retry" in response.json()["detail"]
        assert client.post("/models/reply_propensity/score", headers=AUTH, json={"prospects": [{}]}).status_code == 200
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert client.get("/marts/mart_activation_l1", headers=AUTH).status_code == 200


def test_a_warehouse_not_built_yet_is_a_503(sample, registry_template, tmp_path):
    app = create_app(settings(sample, registry_template, warehouse_path=tmp_path / "none.duckdb"))
    with TestClient(app) as fresh:
        response = fresh.get("/marts/mart_activation_l1", headers=AUTH)
        assert response.status_code == 503
        assert "not been built" in response.json()["detail"]
