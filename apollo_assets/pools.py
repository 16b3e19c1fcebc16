"""Concurrency of the heavy steps. Across runs, Dagster's pools (dagster.yaml: one slot each) keep two heavy ingests or
two dbt builds from overlapping. Within a run, the executor itself holds the ingest steps to one at a time, so that
they never queue on the pool: a step blocked on a pool is retried with a backoff of up to 15 s, which would add
seconds between every two of a run's sixteen short snapshot and masking steps."""

INGEST = "ingest"  # snapshot and masking steps: a collection in memory each
WAREHOUSE = "warehouse"  # dbt and the warehouse checks: they hold the DuckDB file
POOL_TAG = "apollo/pool"


def pool_tags(pool: str) -> dict[str, str]:
    """Op tags naming the step's pool, which the run's executor limits (`RUN_LIMITS`)."""
    return {POOL_TAG: pool}


RUN_LIMITS = [{"key": POOL_TAG, "value": INGEST, "limit": 1}]
