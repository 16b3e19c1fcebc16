"""The warehouse as a chain of backups at the issue's size: `dbt build` on DuckDB of a first backup of 1,000,000 people,
100,000 organizations and 5,000,000 usage events into an empty warehouse, then of each later backup as its own
partition, as the `warehouse_dbt` asset runs it. Each later backup changes 0.5 % of the people and organizations,
adds 0.5 % new ones, and brings 3 % new usage events while the oldest 3 % leave (a 30-day retention).

The data is the platform's own, amplified. One sample backup (`apollo_assets.sample_data`, default sizes: 2,000
people, 300 organizations, ~20,000 usage events…) goes through the path of the `mongo/<collection>` and
`lake/<collection>` assets (`publish_snapshot`: BSON → snapshot, `publish_masked`: → masked lake); its committed
tables are then tiled with Arrow, vectorised (`support/amplify.py`: people, organizations and usage events; the
other collections as generated) and written through the lake's partition writer (`PartitionedDataset.write`: zstd
Parquet, published by its `_CURRENT.json`), one backup a day apart.

Measured, each step in its own process (so that its peak RSS is its own):
  - data generation of each backup (sample, platform path, amplification, Parquet);
  - full build: backup 1 into an empty warehouse (the lake exposed as for the `warehouse_dbt` asset, `dbt parse`
    reported apart, then `dbt build` for that backup); a baseline after it: DuckDB copying the same lake rows;
  - incremental builds: backups 2..N, each committed, exposed, parsed, then built alone;
  - the rows each model stores after the chain (its versions) against one backup's rows (what it answers for the
    last backup): the slice design stored one copy per backup, N times one backup;
  - dbt's fixed cost: the same chain's second build at `--fixed-scale` (0.2 % of the size: the sample's own), where
    the data costs nothing.
dbt runs in-process (`dbtRunner`), target `duckdb`, with its target and log folders in the work folder; the build
figures are the `dbt build` invocation's wall time (its CPU seconds and the load average are reported too: on a
shared machine they tell contention from work). Targets on 2 cores: a new backup's build <= 20 % of the full
build, rows stored after 5 backups <= 1.3 times one backup's.

    python benchmarks/warehouse.py [--scale 1.0] [--backups 5] [--keep DIR]

Figures go to stderr as they are measured (with dbt's node lines and progress bars on a terminal); the last line
on stdout is one JSON object: `{"bench": "warehouse", "full_build_s": …, "incremental_build_s": …,
"incremental_ratio": …, "storage_ratio_after_chain": …, "dbt_fixed_s": …, "rows": {…}, …}`.

Figures, and where the time goes: `docs/measurements.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.support.amplify import (  # noqa: E402  (ROOT on sys.path)
    AMPLIFIED,
    DBT_DIR,
    Generation,
    amplified,
    as_generated,
    row_range,
)

KEY = b"benchmark-warehouse-key-0123456789abcdef"

TARGET_INCREMENTAL_RATIO = 0.20
TARGET_STORAGE_RATIO = 1.3
FIXED_SCALE = 0.002
MAIN_MODELS = ("stg_people", "stg_organizations", "stg_usage_events", "people", "companies")


# --- measuring ---------------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process so far (DuckDB's threads included): less sensitive than wall time to other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- data -------------------------------------------------------------------------------------------------------


# --- data -------------------------------------------------------------------------------------------------------


def publish_base(work: Path) -> tuple[str, float, float]:
    """One sample backup through the platform's path into `<work>/base-lake`; its backup id, and the seconds."""
    from apollo_assets.collections import COLLECTIONS
    from apollo_assets.ingest.snapshots import publish_snapshot
    from apollo_assets.lake import PartitionedDataset, open_location
    from apollo_assets.masking import MaskingKey
    from apollo_assets.masking.publish import publish_masked
    from apollo_assets.sample_data import Sizes, write_sample_backup

    started = time.perf_counter()
    backup_dir = write_sample_backup(work / "bucket", sizes=Sizes())
    generated = time.perf_counter() - started
    snapshots, lake = open_location(str(work / "base-snapshots")), open_location(str(work / "base-lake"))
    started = time.perf_counter()
    for collection in COLLECTIONS:
        snapshot = PartitionedDataset(snapshots, collection)
        publish_snapshot(backup_dir / "apollo", collection, backup_dir.name, snapshot)
        publish_masked(collection, backup_dir.name, snapshot, PartitionedDataset(lake, collection), MaskingKey(KEY))
    return backup_dir.name, generated, time.perf_counter() - started


def backup_ids(first: str, count: int) -> list[str]:
    from apollo_assets.sample_data.timeutil import backup_id_for, parse_backup_id

    start = parse_backup_id(first)
    return [backup_id_for(start + timedelta(days=g)) for g in range(count)]


def lake_phase(work: Path, scale: float, generation: int, progress: bool) -> dict[str, Any]:
    """Write backup `generation` (0: the first) into `<work>/lake`, publishing the base sample first if needed."""
    from tqdm import tqdm

    from apollo_assets.collections import COLLECTIONS
    from apollo_assets.lake import PartitionedDataset, open_location
    from apollo_assets.sample_data.timeutil import parse_backup_id

    pa.array(np.arange(1))  # pyarrow imports pandas at its first numpy conversion: imports are not what is measured
    result: dict[str, Any] = {"sample_s": 0.0, "platform_s": 0.0}
    if not (work / "base-lake").exists():
        base_id, result["sample_s"], result["platform_s"] = publish_base(work)
        log(
            f"sample backup {base_id}: generated in {result['sample_s']:.1f} s, "
            f"snapshot + masked lake (platform path) in {result['platform_s']:.1f} s"
        )
    base_lake = open_location(str(work / "base-lake"))
    base_id = PartitionedDataset(base_lake, "people").partitions()[0]
    bases = {}
    for collection in COLLECTIONS:
        table = PartitionedDataset(base_lake, collection).read(base_id).combine_chunks()
        batches = table.to_batches()
        bases[collection] = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
    sizes = {c: round(AMPLIFIED[c][0] * scale) if c in AMPLIFIED else bases[c].num_rows for c in COLLECTIONS}
    org_copies = max(1, sizes["organizations"] // bases["organizations"].num_rows)
    backup_id = backup_ids(base_id, generation + 1)[generation]
    chain = Generation(generation, org_copies, parse_backup_id(base_id))
    lake = open_location(str(work / "lake"))
    started = time.perf_counter()
    written = {"rows": 0, "bytes": 0, "files": 0, "per_collection": {}}
    total = sum(len(row_range(c, sizes[c], generation)) if c in AMPLIFIED else sizes[c] for c in COLLECTIONS)
    bar = tqdm(total=total, desc=backup_id, unit="row", unit_scale=True, leave=False, disable=not progress)
    with bar:
        for collection in COLLECTIONS:
            base = bases[collection]
            if collection in AMPLIFIED:
                batches = amplified(collection, base, sizes[collection], chain, backup_id, bar)
            else:
                batches = as_generated(base, backup_id, bar)
            info = PartitionedDataset(lake, collection).write(backup_id, base.schema, batches)
            written["rows"] += info.rows
            written["bytes"] += info.bytes
            written["files"] += len(info.files)
            written["per_collection"][collection] = info.rows
    seconds = time.perf_counter() - started
    log(
        f"backup {backup_id} committed: {written['rows']:,} rows, {written['bytes'] / 2**20:.0f} MiB Parquet in "
        f"{written['files']} files, {seconds:.1f} s ({written['rows'] / seconds:,.0f} rows/s)"
    )
    return {
        **result,
        "backup_id": backup_id,
        **written,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_rss_mb()),
    }


# --- dbt --------------------------------------------------------------------------------------------------------


def copy_baseline(work: Path, lake: Any, backups: list[str]) -> float:
    """Seconds DuckDB takes to copy the lake rows of `backups` into tables (read through views, like staging)."""
    import duckdb

    from apollo_assets.collections import COLLECTIONS
    from apollo_assets.warehouse.duckdb_lake import refresh_lake_views

    files = {}
    for collection in COLLECTIONS:
        dataset = lake.masked(collection)
        files[collection] = [f for b in dataset.partitions() for f in dataset.files(b)]
    path = work / "baseline.duckdb"
    listed = ", ".join(f"'{b}'" for b in backups)
    try:
        with duckdb.connect(str(path)) as con:
            con.execute("set TimeZone = 'UTC'")
            refresh_lake_views(con, files)
            started = time.perf_counter()
            for collection in COLLECTIONS:
                con.execute(
                    f"create table raw_{collection} as select * from lake.{collection} where _backup_id in ({listed})"
                )
            return time.perf_counter() - started
    finally:
        path.unlink(missing_ok=True)


def build_phase(work: Path, backups: list[str], progress: bool, baseline: bool = False) -> dict[str, Any]:
    """Expose the lake, `dbt parse`, `dbt build` for `backups`, then (`baseline`) the copy baseline."""
    from dbt.cli.main import dbtRunner

    from apollo_assets.lake.resource import LakeResource
    from apollo_assets.warehouse.resource import DuckDBWarehouse
    from apollo_assets.warehouse.versions import BACKUP_IDS_ENV

    target, logs = work / "dbt" / "target", work / "dbt" / "logs"
    warehouse = DuckDBWarehouse(path=str(work / "warehouse.duckdb"), dbt_manifest=str(target / "manifest.json"))
    lake = LakeResource(snapshot_url=str(work / "snapshots"), lake_url=str(work / "lake"))
    started = time.perf_counter()
    exposed = warehouse.expose_lake(lake, backups)
    expose_s = time.perf_counter() - started
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target", "duckdb"]
    common += ["--target-path", str(target), "--log-path", str(logs)]
    os.environ[BACKUP_IDS_ENV] = json.dumps(backups)  # as the `warehouse_dbt` asset passes them
    if not progress:
        common.append("--quiet")

    def invoke(command: str, *extra: str) -> tuple[Any, float, float]:
        started, cpu = time.perf_counter(), cpu_s()
        outcome = dbtRunner().invoke([command, *common, *extra])
        seconds, cpu = time.perf_counter() - started, cpu_s() - cpu
        if not outcome.success:
            failed = [f"{r.node.unique_id}: {r.status}: {r.message}" for r in getattr(outcome.result, "results", [])]
            raise RuntimeError(f"dbt {command} failed: {outcome.exception}\n" + "\n".join(failed[:20]))
        return outcome, seconds, cpu

    _, parse_s, _ = invoke("parse")
    log(f"lake exposed ({sum(exposed.values())} files) in {expose_s:.2f} s; dbt parse {parse_s:.1f} s")
    outcome, build_s, build_cpu_s = invoke("build", "--exclude", "tag:stream")  # as `warehouse_dbt` builds
    results = outcome.result.results
    timed = sorted(results, key=lambda r: r.execution_time, reverse=True)
    models = {r.node.name: r.node.relation_name for r in results if r.node.resource_type == "model"}
    summary = {
        "expose_s": round(expose_s, 3),
        "parse_s": round(parse_s, 2),
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build_cpu_s, 1),
        "load_avg": round(os.getloadavg()[0], 1),
        "models": models,
        "nodes": {kind: sum(1 for r in results if r.node.resource_type == kind) for kind in ("model", "test", "seed")},
        "model_s": round(sum(r.execution_time for r in results if r.node.resource_type == "model"), 2),
        "test_s": round(sum(r.execution_time for r in results if r.node.resource_type == "test"), 2),
        "seed_s": round(sum(r.execution_time for r in results if r.node.resource_type == "seed"), 2),
        "slowest": {r.node.name: round(r.execution_time, 2) for r in timed[:10]},
        "warnings": [r.node.name for r in results if str(r.status) == "warn"],
    }
    log(
        f"dbt build {backups}: {build_s:.1f} s wall, {build_cpu_s:.0f} s CPU, load average {summary['load_avg']:.1f} "
        f"({summary['nodes']}; in nodes, {profile_threads()} dbt threads: models "
        f"{summary['model_s']:.1f} s, tests {summary['test_s']:.1f} s, seeds {summary['seed_s']:.1f} s)"
    )
    log("  slowest nodes: " + ", ".join(f"{name} {s:.1f} s" for name, s in list(summary["slowest"].items())[:6]))
    if baseline:
        summary["baseline_s"] = round(copy_baseline(work, lake, backups), 2)
        log(f"baseline: DuckDB copies the same lake rows in {summary['baseline_s']:.1f} s")
    summary["peak_rss_mb"] = round(peak_rss_mb())
    return summary


def profile_threads() -> int:
    """dbt's threads (queries in flight) on the `duckdb` target of `dbt/profiles.yml`."""
    import yaml

    return yaml.safe_load((DBT_DIR / "profiles.yml").read_text())["apollo"]["outputs"]["duckdb"]["threads"]


def stored_rows(warehouse: Path, models: dict[str, str], backup_id: str) -> dict[str, dict[str, int]]:
    """Per model: the rows it stores (its versions) and the rows it answers for `backup_id` (one backup's)."""
    import duckdb

    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, relation in models.items():
            versions = relation.removesuffix('"') + '__versions"' if relation.endswith('"') else relation + "__versions"
            # one query at a time: a connection's `execute` drops the result of the one before
            (one_backup,) = con.execute(f"select count(*) from {relation} where backup_id = ?", [backup_id]).fetchone()
            (stored,) = con.execute(f"select count(*) from {versions}").fetchone()
            found[name] = {"stored": stored, "one_backup": one_backup}
    return found


# --- orchestration ----------------------------------------------------------------------------------------------


def run_phase(work: Path, phase: str, args: list[str], progress: bool) -> dict[str, Any]:
    """One step in a fresh process (its output on our stderr); its result comes back through a file."""
    out = work / f"{phase}-result.json"
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--work",
        str(work),
        "--progress" if progress else "--no-progress",
    ]
    env = {**os.environ, "APOLLO_WAREHOUSE_PATH": str(work / "warehouse.duckdb")}
    done = subprocess.run([*command, *args], stdout=sys.stderr, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"{phase} {args} failed (exit {done.returncode})")
    result = json.loads(out.read_text())
    out.unlink()
    return result


def child(args: argparse.Namespace, rest: list[str]) -> None:
    if args.phase == "lake":
        result = lake_phase(args.work, args.scale, int(rest[0]), args.progress)
    else:
        result = build_phase(args.work, rest, args.progress, baseline=args.baseline)
    (args.work / f"{args.phase}-result.json").write_text(json.dumps(result))


def chain(work: Path, scale: float, count: int, progress: bool) -> dict[str, Any]:
    """Backups 0..count-1, each written then built alone; the builds' figures and the data's."""
    work.mkdir(parents=True, exist_ok=True)
    data, builds = [], []
    for generation in range(count):
        data.append(run_phase(work, "lake", ["--scale", str(scale), str(generation)], progress))
        baseline = ["--baseline"] if generation == 0 and scale >= 0.1 else []
        builds.append(run_phase(work, "build", [*baseline, data[-1]["backup_id"]], progress))
    return {"data": data, "builds": builds}


def measure(work: Path, scale: float, count: int, progress: bool) -> dict[str, Any]:
    load_before = os.getloadavg()
    log(f"warehouse benchmark, scale {scale}, {count} backups (load average {load_before[0]:.1f}), work folder {work}")
    main = chain(work / "chain", scale, count, progress)
    full, later = main["builds"][0], main["builds"][1:]
    backups = [d["backup_id"] for d in main["data"]]
    rows = stored_rows(work / "chain" / "warehouse.duckdb", full["models"], backups[-1])
    stored = sum(r["stored"] for r in rows.values())
    one_backup = sum(r["one_backup"] for r in rows.values())
    storage_ratio = stored / one_backup
    incremental = [b["build_s"] for b in later]
    incremental_s = statistics.median(incremental)
    ratio = incremental_s / full["build_s"]
    # On a shared machine the wall times carry other work's; the CPU seconds of the builds do not
    cpu_ratio = statistics.median(b["build_cpu_s"] for b in later) / full["build_cpu_s"]
    log(f"fixed cost: the same chain at scale {FIXED_SCALE} (2 backups)")
    fixed = chain(work / "fixed", FIXED_SCALE, 2, progress)["builds"][1]
    met = {
        "incremental_ratio": ratio <= TARGET_INCREMENTAL_RATIO,
        "storage_ratio": storage_ratio <= TARGET_STORAGE_RATIO,
    }
    verdict = {key: "met" if ok else "NOT met" for key, ok in met.items()}
    generation_s = sum(d["sample_s"] + d["platform_s"] + d["seconds"] for d in main["data"])
    first_rows = main["data"][0]["per_collection"]
    log(f"data generation: {generation_s:.1f} s for {count} backups ({first_rows} rows in the first)")
    log(f"full build {full['build_s']:.1f} s (baseline copy of its lake rows {full.get('baseline_s', 0):.1f} s)")
    log(
        f"incremental builds {', '.join(f'{s:.1f}' for s in incremental)} s: median {incremental_s:.1f} s = "
        f"{ratio:.0%} of the full build (target <= {TARGET_INCREMENTAL_RATIO:.0%}: {verdict['incremental_ratio']}); "
        f"in CPU seconds {cpu_ratio:.0%}"
    )
    log(
        f"rows stored after {count} backups: {stored:,} = {storage_ratio:.2f} x one backup's {one_backup:,} "
        f"(target <= {TARGET_STORAGE_RATIO}: {verdict['storage_ratio']}); dbt's fixed cost {fixed['build_s']:.1f} s"
    )
    return {
        "bench": "warehouse",
        "full_build_s": full["build_s"],
        "incremental_build_s": round(incremental_s, 2),
        "incremental_ratio": round(ratio, 3),
        "incremental_cpu_ratio": round(cpu_ratio, 3),
        "storage_ratio_after_chain": round(storage_ratio, 3),
        "dbt_fixed_s": fixed["build_s"],
        "rows": {m: rows[m] for m in (*MAIN_MODELS, *sorted(m for m in rows if m not in MAIN_MODELS))},
        "incremental_builds_s": incremental,
        "targets": {"incremental_ratio": TARGET_INCREMENTAL_RATIO, "storage_ratio": TARGET_STORAGE_RATIO},
        "targets_met": met,
        "scale": scale,
        "backups": backups,
        "lake_rows_per_backup": [d["per_collection"] for d in main["data"]],
        "lake_mib": round(sum(d["bytes"] for d in main["data"]) / 2**20),
        "data_generation_s": round(generation_s, 1),
        "build_cpu_s": [b["build_cpu_s"] for b in main["builds"]],
        "parse_s": [b["parse_s"] for b in main["builds"]],
        "baseline_copy_s": full.get("baseline_s"),
        "nodes": full["nodes"],
        "in_nodes_s": [{"models": b["model_s"], "tests": b["test_s"], "seeds": b["seed_s"]} for b in main["builds"]],
        "slowest_nodes_s": {"full": full["slowest"], "incremental": later[-1]["slowest"] if later else {}},
        "fixed": {k: fixed[k] for k in ("build_s", "build_cpu_s", "parse_s", "nodes", "model_s", "test_s", "seed_s")},
        "peak_rss_mb": {
            "data": max(d["peak_rss_mb"] for d in main["data"]),
            "full_build": full["peak_rss_mb"],
            "incremental_build": max((b["peak_rss_mb"] for b in later), default=0),
        },
        "load_avg": {
            "start": round(load_before[0], 1),
            "builds": [b["load_avg"] for b in main["builds"]],
            "end": round(os.getloadavg()[0], 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the people, organizations, events")
    parser.add_argument("--backups", type=int, default=5, help="backups in the chain (the first built whole)")
    parser.add_argument("--keep", type=Path, help="work in this new folder and keep it (lake, warehouse, dbt target)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--phase", choices=["lake", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    if args.phase:
        args.progress = progress
        return child(args, rest)
    if args.backups < 2:
        parser.error("--backups: at least 2 (a full build, then incremental ones)")
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            parser.error(f"--keep {args.keep}: the folder must be new or empty")
        args.keep.mkdir(parents=True, exist_ok=True)
        result = measure(args.keep.resolve(), args.scale, args.backups, progress)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as tmp:
            result = measure(Path(tmp), args.scale, args.backups, progress)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
