"""Recent e-mail engagement per contact (sends, opens, clicks, replies), kept fresh by the event stream.

The stream service's subscription writes masked `email_events` here within seconds of their commit; the Data & ML
service reads a contact's counts when it scores. One SQLite file (WAL: one writer, readers in any process), one
row per event id, so an event delivered twice (a replay after a crash) counts once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

STORE_VARIABLE = "APOLLO_ENGAGEMENT_STORE"
WINDOW = timedelta(days=30)  # "recent": what a contact did in the last month
COUNTED = ("sent", "opened", "clicked", "replied")


@dataclass(frozen=True)
class ContactEngagement:
    sent: int = 0
    opens: int = 0
    clicks: int = 0
    replies: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class EngagementStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("pragma journal_mode=wal")
            con.execute(
                "create table if not exists contact_events (event_id text primary key, contact_id text not null, "
                "type text not null, occurred_at real not null)"
            )
            con.execute("create index if not exists by_contact on contact_events (contact_id, occurred_at)")

    def record(self, events: Iterable[Mapping]) -> int:
        """Add events (`_id`, `contact_id`, `type`, `occurred_at`); returns how many were new."""
        rows = [
            (e["_id"], e["contact_id"], e["type"], _seconds(e["occurred_at"]))
            for e in events
            if e.get("type") in COUNTED and e.get("contact_id")
        ]
        with self._connect() as con:
            before = con.total_changes
            con.executemany("insert or ignore into contact_events values (?, ?, ?, ?)", rows)
            return con.total_changes - before

    def engagement(self, contact_ids: Iterable[str], now: datetime | None = None) -> dict[str, ContactEngagement]:
        """Counts of the last WINDOW per contact (contacts without events are absent)."""
        ids = sorted(set(contact_ids))
        if not ids:
            return {}
        since = _seconds((now or datetime.now(UTC)) - WINDOW)
        marks = ",".join("?" * len(ids))
        with self._connect() as con:
            rows = con.execute(
                f"select contact_id, type, count(*) from contact_events where contact_id in ({marks}) "
                "and occurred_at >= ? group by contact_id, type",
                [*ids, since],
            ).fetchall()
        counts: dict[str, dict[str, int]] = {}
        for contact, kind, n in rows:
            counts.setdefault(contact, {})[kind] = n
        return {
            c: ContactEngagement(k.get("sent", 0), k.get("opened", 0), k.get("clicked", 0), k.get("replied", 0))
            for c, k in counts.items()
        }

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)


def engagement_store_path(data_dir: Path, environ: Mapping[str, str]) -> Path:
    """`APOLLO_ENGAGEMENT_STORE`, else `<data dir>/features/contact_engagement.sqlite` (the service and the stream
    service must name the same file)."""
    return Path(environ.get(STORE_VARIABLE) or Path(data_dir) / "features" / "contact_engagement.sqlite")


def _seconds(value: datetime | float) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)
