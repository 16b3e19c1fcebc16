"""Collection metadata (options, indexes, uuid, type) as mongodump writes it: Extended JSON text."""

from __future__ import annotations

from typing import Any

from bson import json_util

from apollo_assets.mongo.errors import MetadataError

_EXPECTED_TYPES: dict[str, type | tuple[type, ...]] = {
    "options": dict,
    "indexes": list,
    "uuid": str,
    "collectionName": str,
    "type": str,
}


def parse_metadata(text: str | bytes, source: str) -> dict[str, Any]:
    """Parse and check one metadata document; `source` names it in errors."""
    try:
        metadata = json_util.loads(text)
    except (ValueError, TypeError, KeyError) as exc:
        raise MetadataError(f"malformed metadata JSON: {exc}", source) from exc
    if not isinstance(metadata, dict):
        raise MetadataError(f"metadata must be a JSON object, not {type(metadata).__name__}", source)
    for key, expected in _EXPECTED_TYPES.items():
        if key in metadata and not isinstance(metadata[key], expected):
            raise MetadataError(
                f"metadata field {key!r} must be {expected.__name__}, "  # type: ignore[union-attr]
                f"not {type(metadata[key]).__name__}",
                source,
            )
    if "indexes" not in metadata:
        raise MetadataError("metadata has no 'indexes' list", source)
    for i, index in enumerate(metadata["indexes"]):
        if not isinstance(index, dict) or "key" not in index:
            raise MetadataError(f"metadata index #{i} is not an index document with a 'key'", source)
    metadata.setdefault("options", {})
    return metadata


def metadata_kind(metadata: dict[str, Any]) -> str:
    """'collection', 'view' or 'timeseries' (the latter two have no documents of their own)."""
    return metadata.get("type") or "collection"
