"""What the service says when something fails, to the client, on /health and in its log: no file path on /health,
no value from a request or the data in a message."""

from __future__ import annotations

import json
import logging
import re
from fractions import Fraction

from fastapi.testclient import TestClient

from ml_assets.registry import MODEL_FILE, ModelRegistry
from ml_assets.service.app import create_app

from .conftest import AUTH, PASSED, settings

SCORE = "/models/reply_propensity/score"
PLANTED = "planted.person@example.com"
ABSOLUTE_PATH = re.compile(r"(^|[\s'\"(=:])/[\w.-]+/")


def test_health_shows_no_file_path(sample, registry_copy):
    registry = ModelRegistry(registry_copy)
    card = registry.card("reply_propensity", 1)
    pipeline = registry.load("reply_propensity", 1)
    missing = registry.register("reply_propensity", pipeline, "p", card.metrics, card.features, checks=PASSED)
    (registry_copy / "reply_propensity" / f"v{missing.version}" / MODEL_FILE).unlink()
    registry.register("similar_companies", {"weights": Fraction(1, 3)}, "p", {}, [], checks=PASSED)
    with TestClient(create_app(settings(sample, registry_copy))) as client:
        health = client.get("/health")
    text = health.text
    errors = {name: model["load_errors"] for name, model in health.json()["models"].items()}
    assert errors["reply_propensity"]["2"] == "FileNotFoundError: No such file or directory"
    assert "similar_companies v2: the model file names type fractions.Fraction" in errors["similar_companies"]["2"]
    for path in (registry_copy, sample.serving_path, sample.manifest):
        assert str(path) not in text and path.name not in text
    assert MODEL_FILE not in text and not ABSOLUTE_PATH.search(text), text


def test_a_422_never_echoes_what_the_client_sent(client):
    bad = [
        client.post(SCORE, headers=AUTH, json={"prospects": [{"send_hour": PLANTED}]}),
        client.post(SCORE, headers=AUTH, json={"prospects": [{"person_seniority": PLANTED}]}),
        client.post(SCORE, headers=AUTH, json={"prospects": [{}], "note": PLANTED}),
        client.get("/marts/mart_activation_l1", headers=AUTH, params={"new_accounts": PLANTED}),
        client.get("/marts/mart_activation_l1", headers=AUTH, params={PLANTED: "1"}),
        client.get(f"/companies/{PLANTED}/similar", headers=AUTH),
        client.get(f"/people/{PLANTED}", headers=AUTH),
        client.get("/marts/mart_activation_l1", headers=AUTH, params={"limit": PLANTED}),
    ]
    for response in bad:
        assert response.status_code == 422, response.text
        assert PLANTED not in response.text
        assert response.json()["detail"]  # still says what and where


def test_an_unexpected_error_is_a_500_logged_without_its_message_or_path(sample, registry_template, caplog):
    app = create_app(settings(sample, registry_template))

    def fails(item: str) -> None:
        raise ValueError(f"could not convert {item!r}")  # as libraries do: the value in the message

    app.add_api_route("/items/{item}", fails)
    caplog.set_level(logging.DEBUG)
    # raise_server_exceptions: an exception that left the app would be raised here, as a server would log it whole.
    with TestClient(app, raise_server_exceptions=True) as client:
        response = client.get(f"/items/{PLANTED}", headers=AUTH)
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # httpx: the test's own client
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in server_side)
    assert "unhandled error on GET /items/{item}: ValueError" in logged
    assert PLANTED not in logged


def test_model_load_failures_are_logged_without_a_path(sample, registry_copy, caplog):
    registry = ModelRegistry(registry_copy)
    card = registry.card("reply_propensity", 1)
    broken = registry.register(
        "reply_propensity", registry.load("reply_propensity", 1), "p", card.metrics, card.features, checks=PASSED
    )
    (registry_copy / "reply_propensity" / f"v{broken.version}" / MODEL_FILE).write_bytes(b"replaced")
    caplog.set_level(logging.INFO)
    with TestClient(create_app(settings(sample, registry_copy))) as client:
        detail = json.dumps(client.get("/models", headers=AUTH).json())
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("ml_assets"))
    assert "reply_propensity v2 failed to load" in logged and "does not match the sha256" in logged
    for text in (logged, detail):
        assert str(registry_copy) not in text and not ABSOLUTE_PATH.search(text)
