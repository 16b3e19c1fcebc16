"""Freshness expectations per layer: backups land daily, and each layer has a little longer to follow."""

from datetime import timedelta

import dagster as dg

SNAPSHOT_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=25))
LAKE_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=27), warn_window=timedelta(hours=25))
WAREHOUSE_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=28), warn_window=timedelta(hours=26))
MODEL_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=30), warn_window=timedelta(hours=27))
