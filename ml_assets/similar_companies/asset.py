"""The `ml/similar_companies` asset: refitted per backup on that backup's company profiles."""

import math

import dagster as dg

from apollo_assets.warehouse.interface import Warehouse
from ml_assets import checks, plots
from ml_assets.errors import values_withheld
from ml_assets.guards import column_roles, identifier_violations
from ml_assets.model_asset import model_asset, not_trained
from ml_assets.publish import Candidate, publish_model
from ml_assets.resource import ModelRegistryResource
from ml_assets.similar_companies.evaluate import K, evaluate, held_out_signal
from ml_assets.similar_companies.features import BLOCK_WEIGHTS, FEATURES, PROFILES_MODEL, SAVES_MODEL
from ml_assets.tracking import display_uri

NAME = "similar_companies"
PRECISION = f"precision_at_{K}"
FLOOR = f"precision@{K} on held-out co-saves above the popularity baseline's"


@model_asset(
    NAME,
    sources=[PROFILES_MODEL, SAVES_MODEL],
    floor=FLOOR,
    description="Companies similar to a company, from industry, size, keywords and technologies (TF-IDF, cosine "
    "nearest neighbours), evaluated with precision@k on companies saved by the same held-out accounts.",
)
def similar_companies_model(
    context: dg.AssetExecutionContext, warehouse: dg.ResourceParam[Warehouse], model_registry: ModelRegistryResource
) -> dg.MaterializeResult:
    backup_id = context.partition_key
    query = "select * from {} where backup_id = ? order by company_id"
    with values_withheld(f"{NAME}: reading the company profiles"):  # any error message may quote a row's value
        profiles = warehouse.frame(query.format(warehouse.relation(PROFILES_MODEL)), [backup_id])
        violations = identifier_violations(profiles, FEATURES, column_roles(warehouse.dbt_manifest, PROFILES_MODEL))
    if violations:
        return not_trained(violations, FEATURES)
    from ml_assets.similar_companies.model import K_MAX, fit_similar_companies  # scikit-learn: in the step only

    saves_query = "select * from {} where backup_id = ? order by company_id, account_id"  # a total order
    with values_withheld(f"{NAME}: fitting and evaluating"):
        model = fit_similar_companies(profiles)
        saves = warehouse.frame(saves_query.format(warehouse.relation(SAVES_MODEL)), [backup_id])
        metrics, curves = evaluate(model.neighbors, held_out_signal(saves, model.company_ids))
    passed = not math.isnan(metrics[PRECISION]) and metrics[PRECISION] > metrics[f"baseline_{PRECISION}"]
    params = {"k_max": K_MAX, "block_weights": BLOCK_WEIGHTS, "companies": len(model.company_ids)}
    uri = model_registry.mlflow_uri()
    candidate = Candidate(
        NAME,
        model.artifact(),
        backup_id,
        metrics,
        FEATURES,
        params,
        {checks.NO_IDENTIFIER_FEATURES: True, checks.BEATS_BASELINE: passed},
    )
    published = publish_model(model_registry.registry(), uri, candidate)
    context.log.info(f"{NAME} v{published.card.version}: {metrics}")
    table = checks.metrics_table(
        {name: (metrics[name], metrics[f"baseline_{name}"]) for name in (PRECISION, f"coverage_at_{K}")}
    )
    note = f"Random ranking would score {metrics['random_precision']:.4f} (density of the held-out signal).\n"
    return dg.MaterializeResult(
        metadata={
            "registered": True,
            "version": published.card.version,
            "training_partition": backup_id,
            "companies": len(model.company_ids),
            "mlflow_run_id": published.run.run_id,
            "mlflow_tracking_uri": display_uri(uri),
            "features": dg.MetadataValue.json(FEATURES),
            "evaluation": dg.MetadataValue.md("\n".join([table, note, plots.precision_at_k_plot(curves)])),
            **checks.metric_metadata(metrics),
        },
        check_results=[
            checks.identifier_result([], FEATURES),
            checks.baseline_result(
                passed, {k: metrics[k] for k in (PRECISION, f"baseline_{PRECISION}", "random_precision")}
            ),
        ],
    )
