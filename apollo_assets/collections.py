"""The product database's collections that the platform ingests, in dependency-free order."""

DATABASE = "apollo"

COLLECTIONS: tuple[str, ...] = (
    "organizations",
    "people",
    "accounts",
    "users",
    "contacts",
    "emailer_campaigns",
    "emailer_messages",
    "usage_events",
)
