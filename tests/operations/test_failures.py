"""A failed run is told where an operator looks: a log line naming the asset and the error, and the Slack/e-mail
hook when (and only when) it is configured. The failing run here is a real one: a corrupt backup."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from apollo_assets.ingest.assets import snapshot_assets
from apollo_assets.operations.alerts import Alert, email_notifier, notifiers_from_env
from apollo_assets.operations.failures import alert_for, run_failure_alerts
from tests import tiers
from tests.backups.conftest import PEOPLE, make_backup, resources_for

BACKUP = "20261101T040000Z"
EXPECTED = (
    f"backup {BACKUP} is corrupt: people: apollo/people.bson has 3 bytes, its marker says {len(PEOPLE)} (truncated?)"
)


@pytest.fixture
@tiers.integration  # a Dagster run
def failed_run(tmp_path, test_instance):
    """The real `mongo/people` snapshot asset over a backup whose only file was truncated after its marker."""
    folder = make_backup(tmp_path / "backups", BACKUP)
    (folder / "apollo" / "people.bson").write_bytes(PEOPLE[:3])
    test_instance.add_dynamic_partitions("backups", [BACKUP])
    (people,) = [a for a in snapshot_assets if a.key == dg.AssetKey(["mongo", "people"])]
    result = dg.materialize(
        [people],
        partition_key=BACKUP,
        resources=resources_for(str(tmp_path / "backups"), tmp_path),
        instance=test_instance,
        raise_on_error=False,
    )
    assert not result.success
    return test_instance, result.dagster_run


def events(instance, run, kind):
    return [r.event_log_entry for r in instance.get_records_for_run(run.run_id, of_type=kind).records]


def failure_context(instance, run):
    (failure,) = events(instance, run, dg.DagsterEventType.RUN_FAILURE)
    return dg.build_run_status_sensor_context(
        sensor_name="run_failure_alerts",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
    ).for_run_failure()


def test_a_corrupt_backup_fails_its_run_once_with_a_clear_message(failed_run):
    instance, run = failed_run
    assert not events(instance, run, dg.DagsterEventType.STEP_UP_FOR_RETRY)  # the retry policy is for I/O errors
    alert = alert_for(instance, run, None)
    assert alert.partition == BACKUP
    assert alert.failures == [("mongo/people", EXPECTED)]


def test_the_failure_sensor_logs_the_asset_and_the_error_and_sends_nothing_by_default(
    failed_run, caplog, monkeypatch, webhook
):
    instance, run = failed_run
    monkeypatch.delenv("APOLLO_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("APOLLO_ALERT_EMAIL_TO", raising=False)
    with caplog.at_level(logging.ERROR, logger="apollo.alerts"):
        run_failure_alerts(failure_context(instance, run))
    lines = [r.getMessage() for r in caplog.records if r.name == "apollo.alerts"]
    assert lines == [f"FAILED mongo/people in run {run.run_id} of {run.job_name} for backup {BACKUP}: {EXPECTED}"]
    assert webhook.received == []


def test_the_webhook_gets_the_alert_when_configured(failed_run, monkeypatch, webhook):
    instance, run = failed_run
    monkeypatch.setenv("APOLLO_ALERT_WEBHOOK_URL", webhook.url)
    run_failure_alerts(failure_context(instance, run))
    assert len(webhook.received) == 1
    assert "mongo/people" in webhook.received[0]["text"] and EXPECTED in webhook.received[0]["text"]


def test_an_unreachable_webhook_does_not_break_the_sensor(failed_run, monkeypatch, caplog):
    instance, run = failed_run
    monkeypatch.setenv("APOLLO_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nowhere")  # discard port: refused
    with caplog.at_level(logging.WARNING, logger="apollo.alerts"):
        run_failure_alerts(failure_context(instance, run))
    assert any("not delivered" in r.getMessage() for r in caplog.records)


def test_email_is_configured_by_environment_and_sends_the_alert(monkeypatch):
    assert notifiers_from_env({}) == []
    assert len(notifiers_from_env({"APOLLO_ALERT_EMAIL_TO": "a@x.io", "APOLLO_ALERT_SMTP_HOST": "smtp"})) == 1
    sent = []

    class SMTP:
        def __init__(self, host, port, timeout):
            sent.append((host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr("smtplib.SMTP", SMTP)
    email_notifier("smtp.example", 2525, "dagster@x.io", ["ops@x.io"])(Alert("r1", "job", "p", [("a/b", "boom")]))
    assert sent[0] == ("smtp.example", 2525)
    assert sent[1]["To"] == "ops@x.io" and "FAILED a/b in run r1 of job for backup p: boom" in sent[1].get_content()


@pytest.fixture
@tiers.integration
def webhook():
    """A Slack-like incoming webhook on a free loopback port that records what it receives."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    server.received = received
    yield server
    server.shutdown()
    server.server_close()
