"""The stream's topics: their versioned JSON schemas (`schemas/<topic>.v<N>.json`), masking policies and event times.

A topic's Kafka name is `<prefix><topic>` (prefix `APOLLO_KAFKA_TOPIC_PREFIX`, default `apollo.`); producers name
the schema version of each message in the `schema` header (`usage_events/v1`); a message without the header is read
with the topic's current version. Messages that break their schema go to the dead-letter topic.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from apollo_assets.stream.contract import Contract, compile_contract

SCHEMA_DIR = Path(__file__).parent / "schemas"
DEFAULT_PREFIX = "apollo."
DEAD_LETTER = "dead_letter"
SCHEMA_HEADER = "schema"


@dataclass(frozen=True)
class StreamTopic:
    name: str  # the lake dataset `stream/<name>` and the masking policy `policies/<name>.yaml`
    version: int  # the current schema version, the one producers write
    event_time: str  # the column whose value places an event in its hour
    key: str  # the field whose value is the Kafka message key (ordering per account)
    description: str

    @property
    def schema_path(self) -> Path:
        return SCHEMA_DIR / f"{self.name}.v{self.version}.json"

    @property
    def schema_id(self) -> str:
        return f"{self.name}/v{self.version}"

    def json_schema(self) -> dict:
        return load_json_schema(self.name, self.version)

    def contract(self) -> Contract:
        return load_contract(self.name, self.version)


TOPICS: dict[str, StreamTopic] = {
    "usage_events": StreamTopic(
        "usage_events", 1, "timestamp", "account_id", "Product feature use, as the `usage_events` collection"
    ),
    "email_events": StreamTopic(
        "email_events", 1, "occurred_at", "account_id", "Sequence e-mails: sent, delivered, opened, clicked, replied"
    ),
}


def dataset_name(topic: str) -> str:
    """The topic's dataset in the lake: `stream/<topic>`."""
    return f"stream/{topic}"


def kafka_topic(name: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}{name}"


def topic_of(kafka_name: str, prefix: str = DEFAULT_PREFIX) -> StreamTopic:
    return TOPICS[kafka_name.removeprefix(prefix)]


@functools.cache
def load_json_schema(name: str, version: int) -> dict:
    path = SCHEMA_DIR / f"{name}.v{version}.json"
    if not path.is_file():
        raise KeyError(f"no schema {name}/v{version} (expected {path.name} in {SCHEMA_DIR})")
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def load_contract(name: str, version: int) -> Contract:
    return compile_contract(f"{name}/v{version}", load_json_schema(name, version))


def schema_versions(name: str) -> list[int]:
    """Every version of a topic's schema kept in the repository (old ones stay readable)."""
    found = (p.name.removeprefix(f"{name}.v").removesuffix(".json") for p in SCHEMA_DIR.glob(f"{name}.v*.json"))
    return sorted(int(v) for v in found if v.isdigit())
