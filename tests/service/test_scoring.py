from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from ml_assets.registry import ModelRegistry
from ml_assets.reply_propensity.features import FEATURES

from .conftest import AUTH

SCORE = "/models/reply_propensity/score"


@pytest.fixture(scope="module")
def prospects(sample) -> list[dict]:
    with duckdb.connect(str(sample.serving_path), read_only=True) as con:
        frame = con.execute(f"select {', '.join(FEATURES)} from marts.mart_reply_training limit 300").df()
    rows = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]
    for row in rows[::3]:  # a client may omit what it does not know
        row.pop("company_industry")
        row.pop("person_intent_score")
    return rows


def test_scores_are_the_registered_pipelines_probabilities(client, registry_template, prospects):
    response = client.post(SCORE, headers=AUTH, json={"prospects": prospects})
    assert response.status_code == 200
    body = response.json()
    assert (body["model"], body["version"]) == ("reply_propensity", 1)
    pipeline = ModelRegistry(registry_template).load("reply_propensity", 1)
    frame = pd.DataFrame([{f: row.get(f) for f in FEATURES} for row in prospects], columns=FEATURES)
    np.testing.assert_allclose(body["scores"], pipeline.predict_proba(frame)[:, 1], rtol=0, atol=1e-9)


def test_a_batch_of_a_thousand_is_scored_and_one_more_is_refused(client):
    assert len(client.post(SCORE, headers=AUTH, json={"prospects": [{}] * 1000}).json()["scores"]) == 1000
    response = client.post(SCORE, headers=AUTH, json={"prospects": [{}] * 1001})
    assert response.status_code == 422
    assert "at most 1000" in response.text


@pytest.mark.parametrize(
    ("body", "location", "message"),
    [
        ('{"prospects": []}', ["body", "prospects"], "at least 1"),
        ('{"prospects": [{"seniority": "vp"}]}', ["body", "prospects", 0, "seniority"], "Extra inputs"),
        ('{"prospects": [{"person_seniority": "king"}]}', ["body", "prospects", 0, "person_seniority"], "'vp'"),
        ('{"prospects": [{"send_hour": 24}]}', ["body", "prospects", 0, "send_hour"], "less than or equal to 23"),
        ('{"prospects": [{"person_intent_score": NaN}]}', ["body", "prospects", 0, "person_intent_score"], "finite"),
        (
            '{"prospects": [{"company_num_employees": "many"}]}',
            ["body", "prospects", 0, "company_num_employees"],
            "number",
        ),
        ('{"prospects": [{}], "model": "x"}', ["body", "model"], "Extra inputs"),
        ('{"prospects": {"send_hour": 1}}', ["body", "prospects"], "valid array"),
        ('{"prospects": [{}]', ["body"], "JSON"),
        ("", ["body"], "JSON"),
        ("[]", ["body"], "object"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, body, location, message):
    response = client.post(SCORE, headers={**AUTH, "Content-Type": "application/json"}, content=body)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(e["loc"][: len(location)] == location and message in e["msg"] for e in errors), errors


def test_an_oversized_body_is_refused_before_parsing(client):
    body = json.dumps({"prospects": [{"person_department": "x" * 100}] * 1000, "pad": "y" * 2_000_000})
    assert client.post(SCORE, headers=AUTH, content=body).status_code == 413


def test_the_openapi_schema_documents_the_scoring_body_and_the_bearer_scheme(client):
    schema = client.get("/openapi.json", headers=AUTH).json()
    operation = schema["paths"][SCORE]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ScoreRequest")
    assert operation["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/health"]["get"]
    prospect = schema["components"]["schemas"]["Prospect"]
    assert set(prospect["properties"]) == {*FEATURES, "contact_id"}  # contact_id: the stream-fed engagement
    assert {"/models", "/marts/{mart}", "/people/{person_id}", "/companies/{company_id}/similar"} <= set(
        schema["paths"]
    )
