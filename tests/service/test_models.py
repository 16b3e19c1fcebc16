"""Model listing, similar companies, and versions picked up (or refused) while the service runs."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from ml_assets.registry import MODEL_FILE, ModelRegistry
from ml_assets.service.app import create_app
from ml_assets.similar_companies.model import SimilarCompanies

from .conftest import AUTH, PASSED, settings

SCORE = "/models/reply_propensity/score"


def eventually(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_models_lists_versions_with_metrics_and_what_serves(client):
    models = {m["name"]: m for m in client.get("/models", headers=AUTH).json()}
    reply = models["reply_propensity"]
    assert reply["serving_version"] == 1
    assert reply["scoring"].startswith("compiled")
    [version] = reply["versions"]
    assert version["status"] == "serving"
    assert version["metrics"]["roc_auc"] > version["metrics"]["baseline_roc_auc"]
    assert version["checks"] == PASSED
    assert models["similar_companies"]["serving_version"] == 1


def test_similar_companies_of_a_company(client, registry_template):
    artifact = ModelRegistry(registry_template).load("similar_companies", 1)
    company_id = SimilarCompanies.from_artifact(artifact).company_ids[0]
    response = client.get(f"/companies/{company_id}/similar", headers=AUTH, params={"k": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["company"]["company_id"] == company_id
    similar = body["similar"]
    assert len(similar) == 5
    assert company_id not in {s["company_id"] for s in similar}
    assert [s["similarity"] for s in similar] == sorted((s["similarity"] for s in similar), reverse=True)
    assert set(similar[0]) == {"company_id", "company_name", "domain", "industry", "similarity"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/companies/{'f' * 32}/similar", 404),  # well-formed, no such company
        ("/companies/not-an-id/similar", 422),
        (f"/companies/{'f' * 32}/similar?k=0", 422),
        (f"/companies/{'f' * 32}/similar?k=51", 422),
        (f"/companies/{'f' * 32}/similar?k=ten", 422),
    ],
)
def test_similar_companies_input_errors(client, path, status):
    assert client.get(path, headers=AUTH).status_code == status


def test_no_servable_version_is_a_503_not_a_500(sample, tmp_path):
    with TestClient(create_app(settings(sample, tmp_path / "empty-registry"))) as empty:
        response = empty.post(SCORE, headers=AUTH, json={"prospects": [{}]})
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert empty.get(f"/companies/{'f' * 32}/similar", headers=AUTH).status_code == 503
        assert empty.get("/health").json()["models"]["reply_propensity"]["serving_version"] is None


def test_new_versions_are_picked_up_and_a_broken_one_keeps_the_previous_serving(sample, registry_copy):
    registry = ModelRegistry(registry_copy)
    pipeline = registry.load("reply_propensity", 1)
    card = registry.card("reply_propensity", 1)
    with TestClient(create_app(settings(sample, registry_copy, poll_seconds=0.1))) as live:

        def serving() -> int | None:
            return live.get("/health").json()["models"]["reply_propensity"]["serving_version"]

        registry.register("reply_propensity", pipeline, "later", card.metrics, card.features, checks=PASSED)
        eventually(lambda: serving() == 2)  # no restart
        assert live.post(SCORE, headers=AUTH, json={"prospects": [{}]}).json()["version"] == 2

        broken = registry.register("reply_propensity", pipeline, "later", card.metrics, card.features, checks=PASSED)
        (registry_copy / "reply_propensity" / f"v{broken.version}" / MODEL_FILE).write_bytes(b"not a model")
        eventually(lambda: live.get("/health").json()["status"] == "degraded")
        health = live.get("/health").json()["models"]["reply_propensity"]
        assert health["serving_version"] == 2
        assert "3" in health["load_errors"]
        assert live.post(SCORE, headers=AUTH, json={"prospects": [{}]}).json()["version"] == 2

        registry.register("reply_propensity", pipeline, "later", card.metrics, card.features, checks=PASSED)
        eventually(lambda: serving() == 4)
        assert live.get("/health").json()["status"] == "ok"  # the failure was superseded
        statuses = {v["version"]: v["status"] for v in live.get("/models", headers=AUTH).json()[0]["versions"]}
        assert statuses == {4: "serving", 3: "failed", 2: "available", 1: "available"}


def test_a_version_below_its_quality_floor_is_never_served(sample, registry_copy):
    registry = ModelRegistry(registry_copy)
    card = registry.card("reply_propensity", 1)
    failing = {**PASSED, "beats_baseline": False}
    registry.register(
        "reply_propensity", registry.load("reply_propensity", 1), "p", card.metrics, card.features, checks=failing
    )
    with TestClient(create_app(settings(sample, registry_copy))) as fresh:
        [reply] = [m for m in fresh.get("/models", headers=AUTH).json() if m["name"] == "reply_propensity"]
        assert reply["serving_version"] == 1
        assert reply["versions"][0]["status"] == "not_servable"
        assert "beats_baseline" in reply["versions"][0]["detail"]


def test_a_model_trained_on_other_features_is_refused(sample, registry_copy):
    registry = ModelRegistry(registry_copy)
    card = registry.card("reply_propensity", 1)
    registry.register(
        "reply_propensity", registry.load("reply_propensity", 1), "p", card.metrics, card.features[:-1], checks=PASSED
    )
    with TestClient(create_app(settings(sample, registry_copy))) as fresh:
        health = fresh.get("/health").json()
        assert health["status"] == "degraded"
        assert "features" in health["models"]["reply_propensity"]["load_errors"]["2"]
        assert health["models"]["reply_propensity"]["serving_version"] == 1
