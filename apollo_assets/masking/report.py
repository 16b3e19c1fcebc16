"""What a Masker did: per field, the action taken, and which fields the policy did not name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class MaskingReport:
    collection: str
    policy_source: str
    policy_is_default: bool
    key_id: str
    actions: dict[str, str] = field(default_factory=dict)  # every leaf field (and dropped container) → action
    unlisted_fields: dict[str, str] = field(default_factory=dict)  # not named by the policy → action
    notes: dict[str, str] = field(default_factory=dict)  # why the action differs from the rule's
    unused_rules: list[str] = field(default_factory=list)  # named by the policy, absent from this data
    rows: int = 0
    batches: int = 0
    masked_values: dict[str, int] = field(default_factory=dict)  # non-null values masked, per field
    unparsable: dict[str, int] = field(default_factory=dict)  # phone/email values not parsed (masked anyway)

    @property
    def dropped(self) -> list[str]:
        return [path for path, action in self.actions.items() if action == "drop"]

    def count(self, counter: dict[str, int], path: str, amount: int) -> None:
        if amount:
            counter[path] = counter.get(path, 0) + amount

    def to_metadata(self) -> dict[str, object]:
        """Plain JSON-able values (e.g. for Dagster asset metadata); holds field names and counts only."""
        return asdict(self)
