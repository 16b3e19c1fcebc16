"""The backup sensor over a bucket of 10,000 complete backups, against the daemon's 60 s limit for one evaluation.

Each step is measured next to a baseline taken in the same run, on the same bucket:

  listing      `BackupBucket.complete_backup_ids()` on a local folder (a readdir and a stat per backup), next to
               one bare `os.listdir` of the bucket;                                        target <= 5 s
  evaluation   the sensor's first and second evaluations as the daemon applies them (10,000 partitions added, ten
               run requests each), next to the listing alone;                              target <= 15 s each
  daemon tick  one iteration of the real sensor daemon, in process (the code location loaded beforehand),
               creating the ten runs, next to the evaluation;                              target <= 30 s
  GCS          the evaluation over the same backups in a GCS bucket served by fake-gcs-server, next to one
               listing of every object of the bucket with google-cloud-storage;            target <= 15 s

The targets are fractions of the limit (a quarter, half for the whole tick) so that a shared 2-core machine still
meets them. The correctness of the same steps is tested in tests/backups/test_sensor_scale.py and test_sensor_gcs.py.

    python benchmarks/sensor.py [--backups 10000] [--no-gcs]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dagster as dg  # noqa: E402

from apollo_assets.backups.bucket import BackupBucket  # noqa: E402
from apollo_assets.operations.backup_sensor import MAX_RUNS_PER_TICK, build_backup_sensor  # noqa: E402
from tests.backups.conftest import resources_for, start_fake_gcs, tick  # noqa: E402
from tests.backups.daemon import QUEUED_ONLY, Daemon  # noqa: E402
from tests.backups.test_sensor_scale import backup_ids, write_markers  # noqa: E402

TICK_LIMIT = 60.0  # the daemon's default time limit for one sensor evaluation
TARGETS = {"listing_s": 5.0, "evaluation_s": TICK_LIMIT / 4, "daemon_tick_s": TICK_LIMIT / 2}
TARGETS["gcs_evaluation_s"] = TICK_LIMIT / 4
GCS_URL = "gs://acme-backups/prod/apollo"


def timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def local(root: Path, ids: list[str]) -> dict:
    bucket = root / "backups"
    write_markers(bucket, ids)
    _, bare = timed(lambda: os.listdir(bucket))
    listed, listing = timed(BackupBucket.from_url(str(bucket)).complete_backup_ids)
    assert listed == ids
    sensor = build_backup_sensor("backup_pipeline")
    resources = resources_for(str(bucket), root)
    with dg.instance_for_test() as instance:
        first, first_s = timed(lambda: tick(sensor, instance, resources))
        second, second_s = timed(lambda: tick(sensor, instance, resources))
        assert [r.run_key for r in first.run_requests + second.run_requests] == ids[: 2 * MAX_RUNS_PER_TICK]
    os.environ["APOLLO_TEST_DATA_DIR"] = str(root)  # where tests/backups/daemon_defs.py finds the bucket
    with dg.instance_for_test(overrides=QUEUED_ONLY) as instance:
        daemon = Daemon(instance)
        daemon_tick = daemon.tick()
        assert daemon.run_keys() == ids[:MAX_RUNS_PER_TICK]
    return {
        "baseline_listdir_s": round(bare, 4),
        "listing_s": round(listing, 3),
        "evaluation_s": round(max(first_s, second_s), 3),
        "evaluations_s": [round(first_s, 3), round(second_s, 3)],
        "daemon_tick_s": round(daemon_tick, 3),
    }


def gcs(root: Path, ids: list[str]) -> dict:
    from google.cloud import storage

    bucket_name, _, prefix = GCS_URL.removeprefix("gs://").partition("/")
    write_markers(root / "gcs" / bucket_name / prefix, ids)
    print(f"starting fake-gcs-server with {len(ids):,} objects (it loads them in quadratic time)", file=sys.stderr)
    server, url = start_fake_gcs(root / "gcs", root / "fake-gcs.log")
    saved = {name: os.environ.get(name) for name in ("STORAGE_EMULATOR_HOST", "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT")}
    os.environ.update(STORAGE_EMULATOR_HOST=url, GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT="false")
    try:
        client = storage.Client.create_anonymous_client()
        names, bare = timed(lambda: [b.name for b in client.list_blobs(bucket_name, prefix=f"{prefix}/")])
        assert len(names) == len(ids)
        with dg.instance_for_test() as instance:
            sensor = build_backup_sensor("backup_pipeline")
            result, evaluation = timed(lambda: tick(sensor, instance, resources_for(GCS_URL, root)))
            assert instance.get_dynamic_partitions("backups") == ids
            assert [r.run_key for r in result.run_requests] == ids[:MAX_RUNS_PER_TICK]
    finally:
        server.terminate()
        server.wait()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return {"gcs_baseline_list_blobs_s": round(bare, 3), "gcs_evaluation_s": round(evaluation, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backups", type=int, default=10_000)
    parser.add_argument("--no-gcs", action="store_true", help="skip the GCS measurement (fake-gcs-server)")
    args = parser.parse_args()
    ids = backup_ids(args.backups)
    result: dict = {"bench": "sensor", "backups": args.backups, "tick_limit_s": TICK_LIMIT}
    with tempfile.TemporaryDirectory(prefix="apollo-bench-sensor-") as folder:
        result |= local(Path(folder) / "local", ids)
        if not args.no_gcs:
            result |= gcs(Path(folder) / "gcs", ids)
    result["targets_s"] = {k: v for k, v in TARGETS.items() if k in result}
    result["met"] = all(result[k] <= v for k, v in result["targets_s"].items())
    r = result
    summary = [
        f"listing {r['listing_s']:.2f} s (bare listdir {r['baseline_listdir_s']:.3f} s)",
        f"evaluations {r['evaluations_s']} s",
        f"daemon tick {r['daemon_tick_s']:.2f} s",
    ]
    if "gcs_evaluation_s" in r:
        bare = r["gcs_baseline_list_blobs_s"]
        summary.append(f"GCS evaluation {r['gcs_evaluation_s']:.2f} s (bare listing {bare:.2f} s)")
    print(f"{args.backups:,} backups: {', '.join(summary)}; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
