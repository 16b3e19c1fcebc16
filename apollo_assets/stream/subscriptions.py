"""Subscriptions: product code acting on masked events as the stream service commits them.

```python
subscriptions = Subscriptions()

@subscriptions.on_event("email_events", where={"type": ("replied",)})
def note_reply(events: list[dict]) -> None:     # masked rows, as in the lake, with _kafka_partition/_kafka_offset
    ...
```

`on_event(topic, where=None, name=None)` registers a handler for a topic's events; `where` keeps the rows whose column
values are among the given ones (or is a function from the batch's Arrow table to a boolean mask). The stream
service calls `dispatch` with each micro-batch, masked, before it commits the batch to the lake: a crash in between
replays the batch, so a handler sees every event at least once and must be idempotent (by `_id`). A handler that
raises is retried (`retries`, with a doubling pause); after the last failure its events go to the dead-letter store
(`<dead_letter_dir>/<name>.jsonl`, masked values only) and the stream goes on: a broken subscriber never stops
ingestion.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger(__name__)
Handler = Callable[[list[dict]], None]
Filter = Mapping[str, Sequence[object]] | Callable[[pa.Table], pa.Array] | None


@dataclass(frozen=True)
class Subscription:
    topic: str
    handler: Handler
    where: Filter
    name: str


class Subscriptions:
    def __init__(self, dead_letter_dir: Path | None = None, retries: int = 3, pause: float = 0.2) -> None:
        self.dead_letter_dir, self.retries, self.pause = dead_letter_dir, retries, pause
        self.subscriptions: list[Subscription] = []
        self.failed: dict[str, int] = {}

    def on_event(self, topic: str, where: Filter = None, name: str | None = None) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.subscriptions.append(Subscription(topic, handler, where, name or handler.__name__))
            return handler

        return register

    def dispatch(self, topic: str, masked: pa.Table) -> None:
        for subscription in self.subscriptions:
            if subscription.topic != topic:
                continue
            chosen = _select(masked, subscription.where)
            if chosen.num_rows:
                self._deliver(subscription, chosen.to_pylist())

    def _deliver(self, subscription: Subscription, events: list[dict]) -> None:
        for attempt in range(self.retries + 1):
            try:
                subscription.handler(events)
                return
            except Exception as error:  # a subscriber's bug must not stop ingestion
                if attempt == self.retries:
                    log.error(
                        "subscription %s failed %d times (%s): %d events to the dead-letter store",
                        subscription.name,
                        attempt + 1,
                        type(error).__name__,
                        len(events),
                    )
                    self._dead_letter(subscription, events, error)
                    return
                time.sleep(self.pause * 2**attempt)

    def _dead_letter(self, subscription: Subscription, events: list[dict], error: Exception) -> None:
        self.failed[subscription.name] = self.failed.get(subscription.name, 0) + len(events)
        if self.dead_letter_dir is None:
            return
        self.dead_letter_dir.mkdir(parents=True, exist_ok=True)
        with open(self.dead_letter_dir / f"{subscription.name}.jsonl", "a", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps({"error": type(error).__name__, "event": event}, default=str) + "\n")


def _select(table: pa.Table, where: Filter) -> pa.Table:
    if where is None:
        return table
    if callable(where):
        return table.filter(where(table))
    mask = None
    for column, values in where.items():
        test = pc.is_in(table.column(column), value_set=pa.array(list(values), table.schema.field(column).type))
        mask = test if mask is None else pc.and_(mask, test)
    return table.filter(mask)
