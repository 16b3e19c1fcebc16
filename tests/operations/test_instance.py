"""dagster.yaml gives the instance the issue asks for; the steps use its pools, retries and backfill policies."""

from __future__ import annotations

import itertools

import dagster as dg

from apollo_assets.stream.assets import STREAM_GROUP


def test_dagster_yaml_configures_the_instance(platform_instance, tmp_path):
    instance = platform_instance
    assert instance.root_directory == str(tmp_path / "dagster_home")
    assert type(instance.run_storage).__name__ == "SqliteRunStorage"
    assert (tmp_path / "dagster_home" / "history" / "runs.db").exists()  # SQLite under DAGSTER_HOME
    assert instance.get_settings("telemetry") == {"enabled": False}
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    queue = instance.get_concurrency_config().run_queue_config
    assert queue.max_concurrent_runs == 2
    assert queue.tag_concurrency_limits == [{"key": "dagster/backfill", "limit": 1}]
    pools = instance.get_concurrency_config().pool_config
    assert (pools.default_pool_limit, pools.pool_granularity.value) == (1, "op")
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
    assert instance.run_retries_retry_on_asset_or_op_failure is False  # transient (worker) failures only
    assert instance.run_monitoring_enabled and instance.run_monitoring_start_timeout_seconds == 180
    assert instance.freshness_enabled


def layers(defs: dg.Definitions) -> dict[str, list]:
    graph = defs.resolve_asset_graph()
    by_layer: dict[str, list] = {}
    for key in graph.get_all_asset_keys():
        by_layer.setdefault(key.path[0], []).append(graph.get(key))
    return by_layer


def test_heavy_steps_are_in_pools_and_io_steps_retry_with_backoff(platform_defs):
    by_layer = layers(platform_defs)
    for node in by_layer["mongo"] + by_layer["lake"]:
        assert node.pools == {"ingest"}, node.key  # one slot (default_limit): two ingests never overlap
        policy = node.assets_def.node_def.retry_policy
        assert policy.max_retries >= 2 and policy.backoff == dg.Backoff.EXPONENTIAL and policy.delay, node.key
    for node in by_layer["warehouse"]:
        assert node.pools == {"warehouse"}, node.key


def test_backfills_run_each_partition_on_its_own(platform_defs):
    """No asset of a backup has a backfill policy: an asset backfill gives each backup its own run, as the pipeline
    job does (a job whose assets' policies differ makes Dagster warn each time it loads it). The stream's hourly dbt
    models (`warehouse_stream`, in no job with other assets) keep dagster-dbt's single run for a range of hours."""
    for layer, nodes in layers(platform_defs).items():
        of_backups = [n for n in nodes if n.assets_def.group_names_by_key[n.key] != STREAM_GROUP]
        assert all(n.assets_def.backfill_policy is None for n in of_backups), layer
    stream_dbt = platform_defs.resolve_assets_def(dg.AssetKey(["warehouse", "mart_engagement_hourly"]))
    assert stream_dbt.backfill_policy == dg.BackfillPolicy.single_run()
    assert platform_defs.resolve_job_def("backup_pipeline").backfill_policy == dg.BackfillPolicy.multi_run(1)


def test_a_runs_ingest_steps_take_turns_without_waiting_on_the_pool(platform):
    """Within a run the executor hands out the ingest steps one at a time (its tag limit), so none of them waits on
    the instance pool's claim backoff; across runs the pool keeps them apart."""
    for run in platform.runs.values():
        stats = platform.instance.get_run_step_stats(run.run_id)
        ingest = sorted(
            (s.start_time, s.end_time, s.step_key) for s in stats if s.step_key.startswith(("mongo__", "lake__"))
        )
        assert len(ingest) == 16
        for (_, end, step), (start, _, following) in itertools.pairwise(ingest):
            assert end <= start, f"{step} and {following} overlapped"
        records = platform.instance.get_records_for_run(run.run_id).records
        blocked = [r for r in records if "blocked by limit for pool" in (r.event_log_entry.user_message or "")]
        assert not blocked, [r.event_log_entry.user_message for r in blocked][:3]
