"""What every model asset shares: how it is declared (partitioned by backup, fed by warehouse models, with the
blocking identifier check and its quality floor), and the result when an identifier is among its inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.freshness import MODEL_FRESHNESS
from ml_assets import checks


def model_asset(
    name: str, *, sources: Sequence[str], floor: str, description: str
) -> Callable[[Callable[..., dg.MaterializeResult]], dg.AssetsDefinition]:
    """The asset `ml/<name>`, retrained per backup on the warehouse models `sources`; `floor` says what beating
    its baseline means."""
    key = ["ml", name]
    return dg.asset(
        key=key,
        deps=[dg.AssetKey(["warehouse", source]) for source in sources],
        partitions_def=backup_partitions,
        check_specs=checks.check_specs(key, floor),
        group_name="ml",
        kinds={"scikit-learn", "python"},
        description=description,
        freshness_policy=MODEL_FRESHNESS,
        tags={"layer": "model"},
    )


def not_trained(violations: Sequence[str], features: Sequence[str]) -> dg.MaterializeResult:
    """An identifier is among the inputs: no model is trained or registered, and both checks say why."""
    return dg.MaterializeResult(
        metadata={"registered": False, "reason": "identifier features"},
        check_results=[
            checks.identifier_result(violations, features),
            checks.baseline_result(False, {"reason": "not trained: identifier features"}),
        ],
    )
