"""The checks every model asset declares: no identifier among its inputs (blocking: such a model is never
registered), and a quality floor (the model beats its trivial baseline on the same evaluation rows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg

NO_IDENTIFIER_FEATURES = "no_identifier_features"
BEATS_BASELINE = "beats_baseline"


def check_specs(asset_key: Sequence[str], floor: str) -> list[dg.AssetCheckSpec]:
    key = dg.AssetKey(list(asset_key))
    return [
        dg.AssetCheckSpec(
            NO_IDENTIFIER_FEATURES,
            asset=key,
            blocking=True,
            description="No input is an identifier or a pseudonym (by name, by dbt ml_role, by value).",
        ),
        dg.AssetCheckSpec(BEATS_BASELINE, asset=key, description=f"Quality floor: {floor}."),
    ]


def identifier_result(violations: Sequence[str], features: Sequence[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=NO_IDENTIFIER_FEATURES,
        passed=not violations,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "features": dg.MetadataValue.json(list(features)),
            "violations": dg.MetadataValue.json(list(violations)),
        },
    )


def baseline_result(passed: bool, evidence: Mapping[str, float | str]) -> dg.AssetCheckResult:
    # WARN: a model below its floor is still recorded (registry, MLflow) for diagnosis, but the service never
    # serves it (it serves the newest version whose checks all passed).
    return dg.AssetCheckResult(
        check_name=BEATS_BASELINE, passed=passed, severity=dg.AssetCheckSeverity.WARN, metadata=dict(evidence)
    )


def metric_metadata(metrics: Mapping[str, float]) -> dict[str, float]:
    """`metric/<name>` floats: the headless runner prints these keys, the UI plots them across materializations."""
    return {f"metric/{name}": float(value) for name, value in metrics.items()}


def metrics_table(rows: Mapping[str, tuple[float, float]]) -> str:
    """A Markdown table of metric: (model, baseline)."""
    lines = ["| metric | model | baseline |", "|---|---|---|"]
    lines += [f"| {name} | {model:.4f} | {baseline:.4f} |" for name, (model, baseline) in rows.items()]
    return "\n".join(lines) + "\n"
