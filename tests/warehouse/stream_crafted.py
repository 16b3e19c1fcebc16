"""Stream events over the crafted database (crafted.py): some also in backup A, some only in the stream."""

from __future__ import annotations

from typing import Any

from .crafted import AC1, AC3, C1, K1, M1, U1, U3, oid

# The hours the tests build, as dbt's `stream_hours` and as the commit log's folders.
HOUR_BOTH = "2026-09-10 12:00:00"  # crafted event 1 (AC1, in backup A) is also in the stream
HOUR_REPLY = "2026-09-15 08:00:00"  # M1's reply (in backup A) is also in the stream; its click only there
HOUR_NEW = "2026-11-02 09:00:00"  # after backup A: stream only


def usage(n: int, user, account, feature: str, use_case: str, when: str) -> dict[str, Any]:
    return {
        "_id": str(oid(0x1000 + n)),  # crafted._event's ids: n = 1 is backup A's event 1
        "user_id": str(user),
        "account_id": str(account),
        "feature": feature,
        "use_case": use_case,
        "timestamp": when,
        "properties": {"source": "web", "count": 1},
    }


def email(n: int, step: str, when: str, message=M1) -> dict[str, Any]:
    return {
        "_id": str(oid(0x7000 + n)),
        "type": step,
        "message_id": str(message),
        "campaign_id": str(C1),
        "account_id": str(AC1),
        "user_id": str(U1),
        "contact_id": str(K1),
        "to_email": "ann.lee@acme.io",
        "occurred_at": when,
    }


USAGE = [
    usage(1, U1, AC1, "sequences", "engagement", "2026-09-10T12:00:00Z"),  # = backup A's event 1
    usage(101, U1, AC1, "people_search", "prospecting", "2026-09-10T12:30:00Z"),  # stream only
    usage(101, U1, AC1, "people_search", "prospecting", "2026-09-10T12:30:00Z"),  # the same, produced twice
    usage(102, U3, AC3, "dialer", "engagement", "2026-11-02T09:15:00Z"),
]
EMAIL = [
    email(1, "replied", "2026-09-15T08:00:00Z"),  # = backup A's M1.replied_at
    email(2, "clicked", "2026-09-15T08:05:00Z"),  # stream only: backups have no clicks
    email(3, "sent", "2026-11-02T09:20:00Z", message=oid(0x6F)),
]
