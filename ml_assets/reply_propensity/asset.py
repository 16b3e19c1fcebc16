"""The `ml/reply_propensity` asset: retrained per backup on that backup's mart_reply_training."""

from typing import TYPE_CHECKING

import dagster as dg

from apollo_assets.warehouse.interface import Warehouse
from ml_assets import checks, plots
from ml_assets.errors import values_withheld
from ml_assets.guards import column_roles, identifier_violations
from ml_assets.model_asset import model_asset, not_trained
from ml_assets.publish import Candidate, publish_model
from ml_assets.reply_propensity.features import FEATURES, SOURCE_MODEL
from ml_assets.resource import ModelRegistryResource
from ml_assets.tracking import display_uri

if TYPE_CHECKING:
    from ml_assets.reply_propensity.train import TrainedReplyModel

NAME = "reply_propensity"
ROC_AUC_MARGIN = 0.02
FLOOR = f"ROC AUC at least {ROC_AUC_MARGIN} above the constant-rate baseline, and a better PR AUC and Brier score"


def beats_baseline(metrics: dict[str, float]) -> bool:
    return (
        metrics["roc_auc"] >= metrics["baseline_roc_auc"] + ROC_AUC_MARGIN
        and metrics["pr_auc"] > metrics["baseline_pr_auc"]
        and metrics["brier"] < metrics["baseline_brier"]
    )


@model_asset(
    NAME,
    sources=[SOURCE_MODEL],
    floor=FLOOR,
    description="Gradient-boosted reply propensity of a prospect to a sequence message, trained on earlier sends "
    "and validated on later ones, next to a constant-rate baseline.",
)
def reply_propensity_model(
    context: dg.AssetExecutionContext, warehouse: dg.ResourceParam[Warehouse], model_registry: ModelRegistryResource
) -> dg.MaterializeResult:
    backup_id = context.partition_key
    # In a total order: the time split sorts stably by send time, so ties keep this order, not the table's.
    query = "select * from {} where backup_id = ? order by message_id"
    with values_withheld(f"{NAME}: reading the training rows"):  # any error message may quote a row's value
        frame = warehouse.frame(query.format(warehouse.relation(SOURCE_MODEL)), [backup_id])
        violations = identifier_violations(frame, FEATURES, column_roles(warehouse.dbt_manifest, SOURCE_MODEL))
    if violations:
        return not_trained(violations, FEATURES)
    from ml_assets.reply_propensity.train import PARAMS, train_reply_model  # scikit-learn: in the step only

    with values_withheld(f"{NAME}: training"):
        trained = train_reply_model(frame)
    passed = beats_baseline(trained.metrics)
    uri = model_registry.mlflow_uri()
    candidate = Candidate(
        NAME,
        trained.pipeline,
        backup_id,
        trained.metrics,
        FEATURES,
        PARAMS,
        {checks.NO_IDENTIFIER_FEATURES: True, checks.BEATS_BASELINE: passed},
    )
    published = publish_model(model_registry.registry(), uri, candidate)
    context.log.info(f"{NAME} v{published.card.version}: {trained.metrics}")
    evidence = {k: trained.metrics[k] for k in ("roc_auc", "baseline_roc_auc", "pr_auc", "baseline_pr_auc")}
    return dg.MaterializeResult(
        metadata={
            "registered": True,
            "version": published.card.version,
            "training_partition": backup_id,
            "training_rows": trained.train_rows,
            "validation_rows": trained.validation_rows,
            "mlflow_run_id": published.run.run_id,
            "mlflow_tracking_uri": display_uri(uri),
            "features": dg.MetadataValue.json(FEATURES),
            "evaluation": dg.MetadataValue.md(report(trained)),
            **checks.metric_metadata(trained.metrics),
        },
        check_results=[
            checks.identifier_result([], FEATURES),
            checks.baseline_result(passed, {**evidence, "brier": trained.metrics["brier"], "floor": FLOOR}),
        ],
    )


def report(trained: "TrainedReplyModel") -> str:
    m = trained.metrics
    table = checks.metrics_table(
        {name: (m[name], m[f"baseline_{name}"]) for name in ("roc_auc", "pr_auc", "brier", "log_loss")}
    )
    parts = [table, f"Calibration error (ECE): {m['calibration_error']:.4f}\n"]
    parts.append(plots.roc_plot(trained.labels, trained.scores, trained.baseline))
    if trained.calibration is not None:
        c = trained.calibration
        parts.append(plots.calibration_plot(c.predicted, c.observed, c.counts))
    if trained.importances:
        parts.append(plots.importance_plot(trained.importances))
    return "\n".join(parts)
