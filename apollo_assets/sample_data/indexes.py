"""Each collection's indexes as `listIndexes` returns them (what mongodump copies into metadata.json)."""

# (key, options); every collection also has the `_id_` index
_SECONDARY: dict[str, list[tuple[dict[str, int], dict[str, object]]]] = {
    "organizations": [
        ({"domain": 1}, {"unique": True}),
        ({"industry": 1, "estimated_num_employees": -1}, {}),
    ],
    "people": [
        ({"email": 1}, {"sparse": True}),
        ({"organization_id": 1}, {}),
        ({"last_name": 1, "first_name": 1}, {}),
    ],
    "accounts": [({"domain": 1}, {"unique": True})],
    "users": [({"email": 1}, {"unique": True}), ({"account_id": 1}, {})],
    "contacts": [
        ({"account_id": 1}, {}),
        ({"account_id": 1, "stage": 1}, {}),
        ({"person_id": 1}, {"sparse": True}),
    ],
    "emailer_campaigns": [({"account_id": 1, "status": 1}, {})],
    "emailer_messages": [({"campaign_id": 1, "sent_at": -1}, {}), ({"contact_id": 1}, {})],
    "usage_events": [({"timestamp": 1}, {}), ({"account_id": 1, "timestamp": -1}, {})],
}


def index_name(key: dict[str, int]) -> str:
    return "_".join(f"{field}_{direction}" for field, direction in key.items())


def indexes_for(collection: str) -> list[dict]:
    indexes: list[dict] = [{"v": 2, "key": {"_id": 1}, "name": "_id_"}]
    for key, options in _SECONDARY.get(collection, []):
        indexes.append({"v": 2, "key": key, "name": index_name(key), **options})
    return indexes
