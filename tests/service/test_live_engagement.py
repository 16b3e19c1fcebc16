"""A reply arriving on the event stream changes the contact's reply-propensity score within the same second: the
stream's subscription writes the masked event to the engagement store, and the scoring route reads it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from apollo_assets.masking import MaskingKey
from apollo_assets.settings import load_settings
from apollo_assets.stream.batches import PendingBatch, prepare
from apollo_assets.stream.runtime import platform_subscriptions
from apollo_assets.stream.service import _masker
from apollo_assets.stream.topics import TOPICS
from ml_assets.registry import ModelRegistry
from ml_assets.reply_propensity.features import FEATURES
from ml_assets.reply_propensity.synthetic import synthetic_sends
from ml_assets.reply_propensity.train import train_reply_model
from ml_assets.service.app import create_app
from ml_assets.service.settings import ServiceSettings

from .conftest import AUTH, PASSED, TOKEN

SCORE = "/models/reply_propensity/score"
CONTACT = "6aa20a17e03ae19f0c000649"
PROSPECT = {"person_seniority": "manager", "company_size_bucket": "51-200", "send_hour": 10, "send_day_of_week": 2}


def _email_event(n: int, kind: str) -> bytes:
    return json.dumps(
        {
            "_id": f"{n:024x}",
            "type": kind,
            "message_id": "6b15f0c00679cbd73e000001",
            "campaign_id": "6a9d84a07196226659000040",
            "account_id": "6a659de548de4baddb000029",
            "user_id": "6a726b6dc378f642950000c0",
            "contact_id": CONTACT,
            "to_email": "emily.shah@echogroup.co.uk",
            "occurred_at": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        }
    ).encode()


def _masked_batch(kinds: list[str]):
    """The batch as the stream service hands it to subscribers: decoded, masked, with Kafka coordinates."""
    topic = TOPICS["email_events"]
    batch = PendingBatch(topic, partition=0, start=0)
    for offset, kind in enumerate(kinds):
        batch.add(_email_event(offset + 1, kind), None, offset)
    masked, dead = prepare(batch, _masker(topic, MaskingKey(b"k" * 32)))
    assert not dead
    return masked


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> ModelRegistry:
    """A model that learned that people who replied before reply again (synthetic sends with that signal)."""
    registry = ModelRegistry(tmp_path_factory.mktemp("registry"))
    model = train_reply_model(synthetic_sends(3000), explain=False)
    registry.register("reply_propensity", model.pipeline, "20260101T000000Z", model.metrics, FEATURES, checks=PASSED)
    return registry


@pytest.fixture
def service(registry, tmp_path, monkeypatch):
    store = tmp_path / "engagement.sqlite"
    monkeypatch.setenv("APOLLO_ENGAGEMENT_STORE", str(store))
    settings = ServiceSettings(
        TOKEN,
        tmp_path / "warehouse.duckdb",
        registry.root,
        tmp_path / "manifest.json",
        poll_seconds=3600.0,
        engagement_store=store,
    )
    with TestClient(create_app(settings)) as client:
        yield client, platform_subscriptions(load_settings({"APOLLO_DATA_DIR": str(tmp_path)}))


def _score(client) -> dict:
    response = client.post(SCORE, headers=AUTH, json={"prospects": [{**PROSPECT, "contact_id": CONTACT}, PROSPECT]})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_reply_event_changes_the_contacts_score(service, registry):
    client, subscriptions = service
    before = _score(client)
    assert before["engagement"] == [None, None]

    subscriptions.dispatch("email_events", _masked_batch(["sent", "delivered", "opened", "clicked", "replied"]))
    after = _score(client)
    assert after["engagement"] == [{"sent": 1, "opens": 1, "clicks": 1, "replies": 1}, None]
    assert after["scores"][1] == before["scores"][1]  # no contact named: nothing changes
    assert after["scores"][0] != before["scores"][0]  # the model sees 1 send and 1 reply instead of unknowns
    pipeline = registry.load("reply_propensity", 1)
    row = {**PROSPECT, "previous_messages_to_person": 1.0, "previous_replies_from_person": 1.0}
    expected = pipeline.predict_proba(pd.DataFrame([row], columns=FEATURES))[:, 1]
    np.testing.assert_allclose(after["scores"][0], expected[0], atol=1e-9)

    subscriptions.dispatch("email_events", _masked_batch(["sent", "delivered", "opened", "clicked", "replied"]))
    assert _score(client) == after  # a replayed batch (after a crash) counts once


def test_the_request_own_values_win_and_no_contact_keeps_the_response_as_before(service):
    client, subscriptions = service
    subscriptions.dispatch("email_events", _masked_batch(["sent", "replied"]))
    prospects = [
        {**PROSPECT, "contact_id": CONTACT, "previous_replies_from_person": 5},  # the request's 5 replies win
        {**PROSPECT, "previous_messages_to_person": 1, "previous_replies_from_person": 5},
        {**PROSPECT, "previous_messages_to_person": 1, "previous_replies_from_person": 1},
    ]
    scores = client.post(SCORE, headers=AUTH, json={"prospects": prospects}).json()["scores"]
    assert scores[0] == scores[1] != scores[2]
    plain = client.post(SCORE, headers=AUTH, json={"prospects": [PROSPECT]}).json()
    assert "engagement" not in plain
