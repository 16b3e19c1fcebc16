"""Where run failures are told: always the log; Slack (incoming webhook) and e-mail when configured.

Off by default: set `APOLLO_ALERT_WEBHOOK_URL` (Slack-compatible `{"text": …}` POST), or `APOLLO_ALERT_EMAIL_TO`
with `APOLLO_ALERT_SMTP_HOST` (and optionally `APOLLO_ALERT_SMTP_PORT`, `APOLLO_ALERT_EMAIL_FROM`)."""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

logger = logging.getLogger("apollo.alerts")


@dataclass(frozen=True)
class Alert:
    run_id: str
    job: str
    partition: str | None
    failures: list[tuple[str, str]] = field(default_factory=list)  # (asset or step, error)

    def lines(self) -> list[str]:
        where = f"run {self.run_id} of {self.job}" + (f" for backup {self.partition}" if self.partition else "")
        return [f"FAILED {target} in {where}: {error}" for target, error in self.failures]

    def text(self) -> str:
        return "\n".join(self.lines())


Notifier = Callable[[Alert], None]


def webhook_notifier(url: str) -> Notifier:
    def notify(alert: Alert) -> None:
        body = json.dumps({"text": alert.text()}).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    return notify


def email_notifier(host: str, port: int, sender: str, recipients: list[str]) -> Notifier:
    def notify(alert: Alert) -> None:
        message = EmailMessage()
        backup = f" (backup {alert.partition})" if alert.partition else ""
        message["Subject"] = f"[apollo] run {alert.run_id} failed{backup}"
        message["From"], message["To"] = sender, ", ".join(recipients)
        message.set_content(alert.text())
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            smtp.send_message(message)

    return notify


def notifiers_from_env(environ: Mapping[str, str] | None = None) -> list[Notifier]:
    environ = os.environ if environ is None else environ
    notifiers = []
    if environ.get("APOLLO_ALERT_WEBHOOK_URL"):
        notifiers.append(webhook_notifier(environ["APOLLO_ALERT_WEBHOOK_URL"]))
    recipients = [r.strip() for r in environ.get("APOLLO_ALERT_EMAIL_TO", "").split(",") if r.strip()]
    if recipients and environ.get("APOLLO_ALERT_SMTP_HOST"):
        port = int(environ.get("APOLLO_ALERT_SMTP_PORT", "25"))
        sender = environ.get("APOLLO_ALERT_EMAIL_FROM", "apollo-platform@localhost")
        notifiers.append(email_notifier(environ["APOLLO_ALERT_SMTP_HOST"], port, sender, recipients))
    return notifiers


def send(alert: Alert, notifiers: list[Notifier]) -> list[str]:
    """Log the alert, then hand it to each notifier; a notifier that fails is logged, never raised."""
    for line in alert.lines():
        logger.error(line)
    problems = []
    for notify in notifiers:
        try:
            notify(alert)
        except Exception as exc:  # an alert channel that is down must not hide the failure itself
            problems.append(f"{getattr(notify, '__qualname__', notify)}: {exc}")
            logger.warning(f"alert for run {alert.run_id} not delivered: {exc}")
    return problems
