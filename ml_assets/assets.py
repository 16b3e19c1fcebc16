"""Model assets: retrained per backup partition on that backup's marts, registered for the service."""


from pathlib import Path

import dagster as dg

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.freshness import MODEL_FRESHNESS
from apollo_assets.warehouse.resource import DuckDBWarehouse
from ml_assets.registry import ModelRegistry
from ml_assets.reply_propensity.features import FEATURES
from ml_assets.reply_propensity.train import train_reply_model

REPLY_MODEL = "reply_propensity"


class ModelRegistryResource(dg.ConfigurableResource):
    root: str

    def registry(self) -> ModelRegistry:
        return ModelRegistry(Path(self.root))


@dg.asset(
    key=["ml", REPLY_MODEL],
    deps=[dg.AssetKey(["warehouse", "mart_reply_training"])],
    partitions_def=backup_partitions,
    group_name="ml",
    kinds={"scikit-learn", "python"},
    description="Gradient-boosted reply propensity of a prospect to a sequence message, trained on earlier sends "
    "and validated on later ones, next to a constant-rate baseline.",
    freshness_policy=MODEL_FRESHNESS,
    tags={"layer": "model"},
)
def reply_propensity_model(
    context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse, model_registry: ModelRegistryResource
) -> dg.MaterializeResult:
    backup_id = context.partition_key
    frame = warehouse.frame(
        f"select * from {warehouse.relation('mart_reply_training')} where backup_id = ?", [backup_id]
    )
    trained = train_reply_model(frame)
    card = model_registry.registry().register(REPLY_MODEL, trained.pipeline, backup_id, trained.metrics, FEATURES)
    return dg.MaterializeResult(
        metadata={
            "version": card.version,
            "training_rows": trained.train_rows,
            "validation_rows": trained.validation_rows,
            **{f"metric/{name}": value for name, value in trained.metrics.items()},
        }
    )


model_assets = [reply_propensity_model]
