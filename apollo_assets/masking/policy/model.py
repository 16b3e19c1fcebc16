"""The masking policy of a collection: which action applies to which field (the model; YAML in `files`).

`keep` on a struct never extends to its sub-fields: a sub-field must be named to be kept, so one that
appears in a later backup stays fail-closed. The other actions, named on a struct or array, cover it whole
(they can only remove information).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from apollo_assets.errors import KnownError
from apollo_assets.masking.policy.paths import ancestors, normalize_path

ACTIONS = ("keep", "hash", "email", "phone", "generalize", "redact", "drop")
DEFAULTS = ("hash", "drop")  # for unlisted fields; `keep` would defeat fail-closed, so it is refused
GRANULARITIES = ("month", "year")
PATTERNS = ("email", "phone", "card", "iban")
ALWAYS_KEPT = "_backup_id"


class PolicyError(KnownError, ValueError):
    """A policy that cannot be used; the message names the file and, when there is one, the field."""

    def __init__(self, source: str, field: str | None, problem: str) -> None:
        self.source, self.field = source, field
        super().__init__(f"{source}: field {field!r}: {problem}" if field else f"{source}: {problem}")


@dataclass(frozen=True)
class FieldRule:
    path: str
    action: str
    to: str | None = None  # generalize: month | year
    allow: frozenset[str] = frozenset()  # leak patterns this field may legitimately hold
    reason: str | None = None


@dataclass(frozen=True)
class MaskingPolicy:
    collection: str
    rules: tuple[FieldRule, ...] = ()
    default: str = "hash"
    source: str = "<memory>"
    is_default: bool = False  # no policy file: every field is unlisted, hence fail-closed

    @classmethod
    def empty(cls, collection: str, source: str = "<none>") -> MaskingPolicy:
        return cls(collection=collection, source=source, is_default=True)

    @cached_property
    def by_path(self) -> dict[str, FieldRule]:
        return {rule.path: rule for rule in self.rules}

    @cached_property
    def enclosing_paths(self) -> frozenset[str]:
        """Every field the policy names something inside of (the proper ancestors of its rules' paths)."""
        return frozenset(parent for rule in self.rules for parent in ancestors(rule.path))

    def rule(self, path: str) -> FieldRule | None:
        """The rule naming exactly this field."""
        return self.by_path.get(normalize_path(path))

    def governing_rule(self, path: str) -> FieldRule | None:
        """The rule naming the field, else the nearest enclosing rule that covers sub-fields."""
        if (own := self.rule(path)) is not None:
            return own
        enclosing = (self.by_path.get(p) for p in ancestors(path))
        return next((r for r in enclosing if r is not None and r.action != "keep"), None)
