"""Kafka connection and stream settings from the environment; `describe()` is what logs and metadata may show.

| variable | default | what |
|---|---|---|
| `APOLLO_KAFKA_BOOTSTRAP` | (required) | `host:port[,host:port]` of the brokers |
| `APOLLO_KAFKA_SECURITY_PROTOCOL` | `PLAINTEXT` | `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL` |
| `APOLLO_KAFKA_SASL_MECHANISM` | `PLAIN` | `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` |
| `APOLLO_KAFKA_SASL_USERNAME`, `APOLLO_KAFKA_SASL_PASSWORD` | | SASL credentials (secret: never logged) |
| `APOLLO_KAFKA_SSL_CA_LOCATION` | system CAs | CA bundle that signed the brokers' certificates |
| `APOLLO_KAFKA_SSL_CERTIFICATE_LOCATION`, `…_SSL_KEY_LOCATION`, `…_SSL_KEY_PASSWORD` | | mutual TLS (password secret) |
| `APOLLO_KAFKA_GROUP_ID` | `apollo-stream` | the consumer group of `apollo stream` |
| `APOLLO_KAFKA_TOPIC_PREFIX` | `apollo.` | topic `usage_events` is `apollo.usage_events` |
| `APOLLO_STREAM_BATCH_EVENTS` | `50000` | a partition's micro-batch is written after this many events |
| `APOLLO_STREAM_BATCH_SECONDS` | `2` | or after this many seconds |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from apollo_assets.errors import KnownError
from apollo_assets.stream.topics import DEFAULT_PREFIX

SECRET_KEYS = frozenset({"sasl.password", "ssl.key.password"})
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_OPTIONAL = {
    "APOLLO_KAFKA_SASL_USERNAME": "sasl.username",
    "APOLLO_KAFKA_SASL_PASSWORD": "sasl.password",
    "APOLLO_KAFKA_SSL_CA_LOCATION": "ssl.ca.location",
    "APOLLO_KAFKA_SSL_CERTIFICATE_LOCATION": "ssl.certificate.location",
    "APOLLO_KAFKA_SSL_KEY_LOCATION": "ssl.key.location",
    "APOLLO_KAFKA_SSL_KEY_PASSWORD": "ssl.key.password",
}


class KafkaSettingsError(KnownError, ValueError):
    """The environment does not describe a usable Kafka connection; the message names the variable."""


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap: str
    group_id: str = "apollo-stream"
    topic_prefix: str = DEFAULT_PREFIX
    batch_events: int = 50_000
    batch_seconds: float = 2.0
    security: dict[str, str] = field(default_factory=dict, repr=False)  # librdkafka keys, secrets included

    def client_config(self) -> dict[str, str]:
        """What every client (consumer, producer, admin) needs to connect."""
        return {"bootstrap.servers": self.bootstrap, **self.security}

    def describe(self) -> dict[str, str]:
        """Settings for logs and metadata: secrets replaced by `***`."""
        shown = {k: ("***" if k in SECRET_KEYS else v) for k, v in self.client_config().items()}
        return shown | {"group.id": self.group_id, "topic.prefix": self.topic_prefix}

    def __repr__(self) -> str:
        return f"KafkaSettings({self.describe()})"


def kafka_settings_from_env(environ: Mapping[str, str] | None = None, bootstrap: str | None = None) -> KafkaSettings:
    environ = os.environ if environ is None else environ
    bootstrap = bootstrap or environ.get("APOLLO_KAFKA_BOOTSTRAP", "").strip()
    if not bootstrap:
        raise KafkaSettingsError("APOLLO_KAFKA_BOOTSTRAP is not set (host:port of the Kafka brokers)")
    protocol = environ.get("APOLLO_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").strip().upper() or "PLAINTEXT"
    if protocol not in SECURITY_PROTOCOLS:
        raise KafkaSettingsError(f"APOLLO_KAFKA_SECURITY_PROTOCOL must be one of {list(SECURITY_PROTOCOLS)}")
    security = {"security.protocol": protocol}
    if protocol.startswith("SASL"):
        mechanism = environ.get("APOLLO_KAFKA_SASL_MECHANISM", "PLAIN").strip().upper() or "PLAIN"
        if mechanism not in SASL_MECHANISMS:
            raise KafkaSettingsError(f"APOLLO_KAFKA_SASL_MECHANISM must be one of {list(SASL_MECHANISMS)}")
        security["sasl.mechanism"] = mechanism
        for name in ("APOLLO_KAFKA_SASL_USERNAME", "APOLLO_KAFKA_SASL_PASSWORD"):
            if not environ.get(name):
                raise KafkaSettingsError(f"{name} is required with APOLLO_KAFKA_SECURITY_PROTOCOL={protocol}")
    for name, key in _OPTIONAL.items():
        if value := environ.get(name):
            security[key] = value
    return KafkaSettings(
        bootstrap=bootstrap,
        group_id=environ.get("APOLLO_KAFKA_GROUP_ID", "apollo-stream").strip() or "apollo-stream",
        topic_prefix=environ.get("APOLLO_KAFKA_TOPIC_PREFIX", DEFAULT_PREFIX),
        batch_events=_positive(environ, "APOLLO_STREAM_BATCH_EVENTS", 50_000, int),
        batch_seconds=_positive(environ, "APOLLO_STREAM_BATCH_SECONDS", 2.0, float),
        security=security,
    )


def _positive(environ: Mapping[str, str], name: str, default: float, kind: type) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise KafkaSettingsError(f"{name} must be a positive number") from None
    if value <= 0:
        raise KafkaSettingsError(f"{name} must be a positive number")
    return value
