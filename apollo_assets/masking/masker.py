"""`Masker`: a policy compiled against one input schema, then applied batch by batch.

Structs are rebuilt from their masked children with the original validity; lists from their masked
values under the original offsets (rebased when the array is a slice, so a slice of a big batch costs
only its own rows). An Extended JSON column masked by shape gets the values of its drift type column
(the sibling the plan found for it, sliced alike through lists), which tell which rows need parsing.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.masking.actions import ACTIONS
from apollo_assets.masking.contact import UNKNOWN_COUNTRY_CODE
from apollo_assets.masking.ejson.mask import JsonMasker, mask_json_column
from apollo_assets.masking.plan import Planner, Step
from apollo_assets.masking.policy.model import MaskingPolicy
from apollo_assets.masking.report import MaskingReport
from apollo_assets.masking.tokens.key import MaskingKey


class Masker:
    """Masks batches of one schema by a policy; ``report`` tells what was done to which field.

    Compiling resolves every field once (own rule, enclosing rule, or fail-closed), so `mask` only runs
    vectorized actions. A batch of another schema is refused: a new field must get its own decision.
    """

    def __init__(self, policy: MaskingPolicy, key: MaskingKey | bytes, input_schema: pa.Schema) -> None:
        key = key if isinstance(key, MaskingKey) else MaskingKey(bytes(key))
        self.policy, self.input_schema = policy, input_schema
        self._secret = key.secret
        self.report = MaskingReport(policy.collection, policy.source, policy.is_default, key.key_id)
        self.steps = Planner(policy, self.report).plan_schema(input_schema)
        kept = [s.out_field for s in self.steps if s.out_field is not None]
        self.output_schema = pa.schema(kept, metadata=input_schema.metadata)

    def __repr__(self) -> str:
        columns = f"{len(self.input_schema)} → {len(self.output_schema)} columns"
        return f"Masker({self.policy.collection!r}, {columns})"

    def mask(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if not batch.schema.equals(self.input_schema):
            raise ValueError(
                f"batch schema differs from the one this Masker was compiled for ({self.policy.collection}); "
                "compile a Masker for the new schema"
            )
        columns = [
            self._run(s, batch.column(i), _types_of(batch.columns, s))
            for i, s in enumerate(self.steps)
            if s.out_field is not None
        ]
        self.report.rows += batch.num_rows
        self.report.batches += 1
        return pa.RecordBatch.from_arrays(columns, schema=self.output_schema)

    def mask_table(self, table: pa.Table) -> pa.Table:
        batches = [self.mask(b) for b in table.to_batches()]
        return pa.Table.from_batches(batches, schema=self.output_schema)

    def _run(self, step: Step, values: pa.Array, types: pa.Array | None = None) -> pa.Array:
        if step.action == "struct":
            return self._struct(step, values)
        if step.action == "list":
            return self._list(step, values, types)
        if pa.types.is_null(values.type):  # nothing to mask; no action has a kernel for it
            return values
        if step.action == "json":
            shaped = JsonMasker(self.policy, step.param or step.path, step.rule)
            out = mask_json_column(values, types, shaped, self._secret)
            self.report.count(self.report.masked_values, step.path, len(values) - values.null_count)
            return out
        out = ACTIONS[step.action](values, self._secret, step.param)
        if step.action != "keep":
            self.report.count(self.report.masked_values, step.path, len(values) - values.null_count)
            self._count_unparsable(step, out)
        return out

    def _struct(self, step: Step, values: pa.StructArray) -> pa.StructArray:
        fields = [values.field(i) for i in range(values.type.num_fields)]
        children = [self._run(child, fields[i], _types_of(fields, child)) for i, child in step.children]
        mask = pc.invert(values.is_valid()) if values.null_count else None
        return pa.StructArray.from_arrays(children, fields=list(step.out_field.type), mask=mask)

    def _list(self, step: Step, values: pa.ListArray, types: pa.Array | None) -> pa.ListArray:
        offsets = values.offsets
        start, end = offsets[0].as_py(), offsets[-1].as_py()
        if start or values.offset:  # a fresh, rebased array: from_arrays refuses sliced offsets with a mask
            offsets = pc.subtract(offsets, pa.scalar(start, offsets.type))
        inner = self._run(step.children[0][1], values.values.slice(start, end - start), _items(types))
        mask = pc.invert(values.is_valid()) if values.null_count else None
        array_type = pa.LargeListArray if pa.types.is_large_list(values.type) else pa.ListArray
        return array_type.from_arrays(offsets, inner, type=step.out_field.type, mask=mask)

    def _count_unparsable(self, step: Step, out: pa.Array) -> None:
        if step.action not in ("phone", "email"):
            return
        if pa.types.is_dictionary(out.type):
            out = out.dictionary.take(out.indices)
        if step.action == "phone":
            bad = pc.sum(pc.equal(out, UNKNOWN_COUNTRY_CODE)).as_py()
        else:
            bad = pc.sum(pc.invert(pc.match_substring(out, "@"))).as_py()
        self.report.count(self.report.unparsable, step.path, bad or 0)


def _types_of(siblings: list[pa.Array], step: Step) -> pa.Array | None:
    return siblings[step.types] if step.types is not None else None


def _items(types: pa.Array | None) -> pa.Array | None:
    """The items of a list of type names, as its own offsets delimit them (None when it is not such a list)."""
    if types is None or not isinstance(types, pa.ListArray | pa.LargeListArray):
        return None
    start, end = types.offsets[0].as_py(), types.offsets[-1].as_py()
    return types.values.slice(start, end - start)
