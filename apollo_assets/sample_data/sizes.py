"""How many documents the first backup holds per collection."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Sizes:
    """Document counts for generation 0; `scale` multiplies them all (defaults keep a pipeline run fast)."""

    organizations: int = 300
    people: int = 2_000
    accounts: int = 60
    users: int = 240
    contacts: int = 3_000
    emailer_campaigns: int = 120
    emailer_messages: int = 6_000
    usage_events: int = 20_000
    scale: float = 1.0

    def of(self, collection: str) -> int:
        return max(1, round(getattr(self, collection) * self.scale))

    def scaled(self, factor: float) -> "Sizes":
        return replace(self, scale=self.scale * factor)
