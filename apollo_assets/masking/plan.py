"""Deciding, once per input schema, what happens to every field: the policy applied to the Arrow schema.

Resolution for a field: its own rule; else an enclosing rule that covers sub-fields (any action but
`keep`); else it is *unlisted* and fail-closed: text is hashed, anything else dropped (or everything
dropped with `default: drop`). Structs and lists are descended into; only leaves carry an action.

Columns are told apart by the snapshot's field metadata (`bson_fields`), never by their names: an Extended JSON
text column under `keep`, `email` or `phone` (or with rules for fields inside it) is masked by the shape of each
value (`ejson.mask`), and a drift type column is recognised only beside the drifting field it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pyarrow as pa

from apollo_assets.masking.actions import output_type
from apollo_assets.masking.arrow.bson_fields import DRIFT_SUFFIX, is_json_text, type_columns
from apollo_assets.masking.arrow.types import is_list_like, list_of
from apollo_assets.masking.policy.decide import decide, fail_closed
from apollo_assets.masking.policy.model import ALWAYS_KEPT, FieldRule, MaskingPolicy, PolicyError
from apollo_assets.masking.policy.paths import ancestors, child_path, normalize_path, strip_brackets
from apollo_assets.masking.report import MaskingReport

__all__ = ["DRIFT_SUFFIX", "Planner", "Step"]

Cover = FieldRule | None  # an enclosing rule that covers a whole sub-document
SHAPED_ACTIONS = ("keep", "email", "phone")  # on Extended JSON text, these are applied value by value


@dataclass(frozen=True)
class Step:
    """What happens to one field: a leaf action, or "struct"/"list" with the steps of its children."""

    path: str
    out_field: pa.Field | None  # None: the field is dropped
    action: str
    param: str | None = None
    children: tuple[tuple[int, Step], ...] = ()  # (index of the child in the input type, its step)
    rule: FieldRule | None = None  # "json": the rule of the field (None: only fields inside it are named)
    types: int | None = None  # index, among its siblings, of the drift type column of this field


class Planner:
    def __init__(self, policy: MaskingPolicy, report: MaskingReport) -> None:
        self.policy, self.report = policy, report
        self.seen: set[str] = set()
        self.json_roots: set[str] = set()  # Extended JSON columns masked by shape: rules inside them are used

    def plan_schema(self, schema: pa.Schema) -> list[Step]:
        steps = self.plan_fields(list(schema), "", "", None)
        self._check_rules()
        return steps

    def plan_fields(self, fields: list[pa.Field], parent: str, brackets: str, cover: Cover) -> list[Step]:
        paths = [child_path(parent, f.name, brackets) for f in fields]
        companions = {i: base for i, base in type_columns(fields).items() if self.policy.rule(paths[i]) is None}
        steps: dict[int, Step] = {}
        for i, f in enumerate(fields):
            if i in companions:
                continue
            if not parent and f.name == ALWAYS_KEPT:
                steps[i] = self._leaf(f, paths[i], "keep", note="the backup id is always kept")
            else:
                steps[i] = self.plan(f, paths[i], "", cover)
        for i, base in companions.items():  # type names only: kept, unless the drifting field is dropped
            action = "drop" if steps[base].out_field is None else "keep"
            note = f"drift type of {fields[base].name!r}: follows its keep/drop"
            steps[i] = self._leaf(fields[i], paths[i], action, note=note)
            steps[base] = replace(steps[base], types=i)
        return [steps[i] for i in range(len(fields))]

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
        if is_json_text(f) and self._by_shape(path, rule):
            return self._shaped(f, path + brackets, rule)
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

    def _by_shape(self, path: str, rule: FieldRule | None) -> bool:
        """Whether a JSON text column is masked value by value: its rule keeps or masks scalars, or the policy names
        fields inside it (otherwise its rule, or fail-closed, applies to each whole text)."""
        if rule is None:
            return normalize_path(path) in self.policy.enclosing_paths
        return rule.action in SHAPED_ACTIONS

    def _shaped(self, f: pa.Field, root: str, rule: FieldRule | None) -> Step:
        """An Extended JSON column masked value by value (`ejson.mask`), from ``root`` (its path with array steps)."""
        path = normalize_path(root)
        self.seen.add(path)
        self.json_roots.add(path)
        if rule is None:
            self.report.unlisted_fields[path] = "hash"
            self.report.notes[path] = "JSON text: fields named inside it by their rules, the rest fail-closed"
        else:
            self.report.notes[path] = "JSON text: scalars by the rule, documents field by field, other keys hashed"
        self.report.actions[path] = rule.action if rule is not None else "hash"
        return Step(path, f, "json", root, rule=rule)

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
            if rule.path in self.seen or not self.json_roots.isdisjoint(ancestors(rule.path)):
                continue  # a field of the data, or one inside a JSON text column (which may hold it)
            actual = loose.get(strip_brackets(rule.path))
            if actual is not None:
                problem = f"does not match the data, which has {actual!r}"
                raise PolicyError(self.policy.source, rule.path, problem)
            self.report.unused_rules.append(rule.path)
