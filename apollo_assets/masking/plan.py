"""Deciding, once per input schema, what happens to every field: the policy applied to the Arrow schema.

Resolution for a field: its own rule; else an enclosing rule that covers sub-fields (any action but
`keep`); else it is *unlisted* and fail-closed: text is hashed, anything else dropped (or everything
dropped with `default: drop`). Structs and lists are descended into; only leaves carry an action.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from apollo_assets.masking.arrowtypes import is_list_like, list_of
from apollo_assets.masking.decide import decide, fail_closed
from apollo_assets.masking.maskers import output_type
from apollo_assets.masking.paths import child_path, strip_brackets
from apollo_assets.masking.policy import ALWAYS_KEPT, FieldRule, MaskingPolicy, PolicyError
from apollo_assets.masking.report import MaskingReport

DRIFT_SUFFIX = "__bson_type"
Cover = FieldRule | None  # an enclosing rule that covers a whole sub-document


@dataclass(frozen=True)
class Step:
    """What happens to one field: a leaf action, or "struct"/"list" with the steps of its children."""

    path: str
    out_field: pa.Field | None  # None: the field is dropped
    action: str
    param: str | None = None
    children: tuple[tuple[int, Step], ...] = ()  # (index of the child in the input type, its step)


class Planner:
    def __init__(self, policy: MaskingPolicy, report: MaskingReport) -> None:
        self.policy, self.report = policy, report
        self.seen: set[str] = set()

    def plan_schema(self, schema: pa.Schema) -> list[Step]:
        steps = self.plan_fields(list(schema), "", "", None)
        self._check_rules()
        return steps

    def plan_fields(self, fields: list[pa.Field], parent: str, brackets: str, cover: Cover) -> list[Step]:
        names = {f.name for f in fields}
        steps: dict[str, Step] = {}
        companions = []
        for f in fields:
            path = child_path(parent, f.name, brackets)
            base = f.name.removesuffix(DRIFT_SUFFIX)
            if f.name != base and base in names and self.policy.rule(path) is None:
                companions.append((f, path, base))
            elif not parent and f.name == ALWAYS_KEPT:
                steps[f.name] = self._leaf(f, path, "keep", note="the backup id is always kept")
            else:
                steps[f.name] = self.plan(f, path, "", cover)
        for f, path, base in companions:  # type names only: kept, unless the drifting field is dropped
            action = "drop" if steps[base].out_field is None else "keep"
            steps[f.name] = self._leaf(f, path, action, note=f"drift type of {base!r}: follows its keep/drop")
        return [steps[f.name] for f in fields]

    def plan(self, f: pa.Field, path: str, brackets: str, cover: Cover) -> Step:
        self.seen.add(path)
        rule = self.policy.rule(path) or cover
        type_ = f.type
        if rule is not None and rule.action == "drop":
            return self._leaf(f, path, "drop")
        if pa.types.is_struct(type_):
            inner = rule if rule is not None and rule.action != "keep" else None
            kids = self.plan_fields(list(type_), path, brackets, inner)
            return self._container(f, path, "struct", list(enumerate(kids)))
        if is_list_like(type_):
            inner = rule if rule is not None and rule.action != "keep" else None
            element = self.plan(type_.value_field, path, brackets + "[]", inner)
            return self._container(f, path, "list", [(0, element)])
        if rule is None:
            return self._unlisted(f, path)
        return self._ruled(f, path, rule)

    def _container(self, f: pa.Field, path: str, kind: str, kids: list[tuple[int, Step]]) -> Step:
        kept = [(i, s) for i, s in kids if s.out_field is not None]
        if not kept:
            self.report.actions[path] = "drop"
            return Step(path, None, "drop")
        fields = [s.out_field for _, s in kept]
        type_ = pa.struct(fields) if kind == "struct" else list_of(f.type, fields[0])
        return Step(path, f.with_type(type_), kind, children=tuple(kept))

    def _unlisted(self, f: pa.Field, path: str) -> Step:
        action = fail_closed(f.type, self.policy.default)
        self.report.unlisted_fields[path] = action
        return self._leaf(f, path, action)

    def _ruled(self, f: pa.Field, path: str, rule: FieldRule) -> Step:
        action, note = decide(f.type, rule)
        return self._leaf(f, path, action, rule.to if action == "generalize" else None, note or "")

    def _leaf(self, f: pa.Field, path: str, action: str, param: str | None = None, note: str = "") -> Step:
        self.seen.add(path)
        self.report.actions[path] = action
        if note:
            self.report.notes[path] = note
        out_field = None if action == "drop" else f.with_type(output_type(action, f.type))
        return Step(path, out_field, action, param)

    def _check_rules(self) -> None:
        """A rule whose path matches the data only without its `[]` is a typo, not an absent field."""
        loose = {strip_brackets(p): p for p in self.seen}
        for rule in self.policy.rules:
            if rule.path in self.seen:
                continue
            actual = loose.get(strip_brackets(rule.path))
            if actual is not None:
                problem = f"does not match the data, which has {actual!r}"
                raise PolicyError(self.policy.source, rule.path, problem)
            self.report.unused_rules.append(rule.path)
