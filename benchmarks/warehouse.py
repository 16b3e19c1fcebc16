"""The warehouse build at the issue's size: `dbt build` on DuckDB over 1,000,000 people, 100,000 organizations and
5,000,000 usage events across two backups (500,000, 50,000 and 2,500,000 in each), first for the two backups into
an empty warehouse, then for one new backup of the same size.

The data is the platform's own, amplified. One sample backup (`apollo_assets.sample_data`, default sizes: 2,000
people, 300 organizations, ~20,000 usage events…) goes through the path of the `mongo/<collection>` and
`lake/<collection>` assets (`publish_snapshot`: BSON → snapshot, `publish_masked`: → masked lake); its committed
tables are then tiled with Arrow, vectorised (`support/amplify.py`: people 250 times, organizations 167 times cut
at 50,000, usage events 125 times cut at 2,500,000; the other collections as generated) and written through the
lake's partition writer (`PartitionedDataset.write`: zstd Parquet, a file per 1,000,000 rows, published by its
`_CURRENT.json`). In copy k >= 1 every `_id` becomes `hex[:8] + f"{k:06x}" + hex[14:]` (unique, ObjectId
timestamp kept); a person of copy k points at organization copy k mod 166 (its `organization_id`,
`employment_history[].organization_id` and work email domain), and an organization of copy k >= 1 has its own
domain (`acme-k.io`), so that the company dimension has ~50,000 companies per backup as it would. Backups, one
day apart:
  A  the amplified sample;
  B  A with 5 % of the people (title) and organizations (head count) changed, and half of the usage events
     replaced by newer ones (new ids, one day later);
  C  B changed likewise (another 5 %, the other half of the events): the new partition.

Measured, each step in its own process (so that its peak RSS is its own):
  - data generation: sample backup, platform path, amplification and Parquet (A and B, then C);
  - full build: the lake exposed as it is for the `warehouse_dbt` asset (`DuckDBWarehouse.expose_lake`), `dbt parse`
    (reported apart), then `dbt build --vars '{backup_ids: [A, B]}'` into an empty warehouse;
  - incremental build: C committed, exposed, parsed, then `dbt build --vars '{backup_ids: [C]}'`: what the asset runs
    for one new partition (`warehouse.assets.dbt_vars`);
  - baseline, in the same process after each build: DuckDB copying the same lake rows into tables (`create table as
    select * from lake.<collection> where _backup_id in …`), the cost of reading them once.
dbt runs in-process (`dbtRunner`), target `duckdb` (4 dbt threads: queries in flight on DuckDB's pool of one thread
per core), with its target and log folders in the temporary folder; the build figures are the `dbt build`
invocation's wall time, with partial parsing (its CPU seconds and the load average are reported too: on a shared
machine they tell contention from work). Targets on 2 cores: full build <= 60 s, incremental build <= 20 % of the
full build.

    python benchmarks/warehouse.py [--scale 1.0] [--keep DIR]

Figures go to stderr as they are measured (with dbt's node lines and progress bars on a terminal); the last line
on stdout is one JSON object: `{"bench": "warehouse", "full_build_s": …, "incremental_build_s": …, "rows": {…}, …}`.

Where the time goes (scale 1, this 2-vCPU machine with nothing else running, load average 2.0-2.4 from the build
itself): full build 25.4 s wall for 47 s of CPU on 2026-11-26 at 1eaf882 (32.9 s on a slower day; target 60 s:
met); DuckDB copying the same lake rows untransformed takes 7.3 s. In node time on 4 dbt threads: stg_usage_events
16.2 s (5,000,000 rows: writing its four ObjectId string columns is most of it), stg_people 10.1 s,
stg_people_employment 8.2 s, people 6.1 s, ml_company_profiles 5.4 s. Incremental build of the new backup 16.9 s
(67 %; target 20 %: not met); the version before, run right after on the same machine: 24.8 s and 17.9 s (72 %).
Why 20 % is out of reach as the warehouse is built: every backup is a whole snapshot, and each model keeps one
slice per backup, so the new partition's slice holds half as many rows as the full build's two (a floor near 50 %
before fixed costs); and dbt's own cost for 175 nodes does not shrink with the data: at --scale 0.02 the build into
an empty warehouse takes 6.8 s, a new backup's build 6-11 s (each model introspects its table and its query's
columns, then deletes and inserts; 9.1-9.9 s against 9.7-10.6 s with dbt's `incremental`, on another day). That
cost is Python holding the GIL (4 dbt threads use ~1.1 cores): rendering Jinja (~25 % of it), compiling nodes'
templates, and dbt's event logging (~20 %). Below 50 % needs change-aware slices
(unchanged documents not rewritten, e.g. validity ranges per document version); below ~30 %, fewer dbt nodes per
partition run. stg_usage_events no longer waits for the taxonomy seed (the marts apply the taxonomy): no measurable
change in either build. Models are materialized as `backup_slices` (dbt/macros/materializations/): a slice is
deleted and the model's rows inserted in one transaction, where dbt's `incremental` first wrote every row to a
temporary table, introspected both tables and then copied the rows. On one kept data set (`--keep`, then this
script's build phases), 3 builds of each version interleaved on a noisy day: incremental 17.8, 18.6, 20.5 s
(31-35 s of CPU) against 22.5, 21.6, 18.9 s (32-38 s) before; full builds 28.5, 30.7, 25.9 s against 29.8, 28.1,
30.5 s (the first build of a table was already one `create table as`): 67 % against 71 % of the full build.
At --scale 2 (1,000,000 people and 5,000,000 events per backup) the full build takes 62-64 s, the incremental 38 s.
What made it faster (at --scale 2: full build 78.6 s -> 64 s, incremental 54.4 s -> 38 s): on DuckDB, `keep_first`
sends only the repeated keys through the window (it sorted every row); event labels are normalized per distinct
value; a build for some backups tests only their slices (`macros/test_slices.sql`); four queries in flight.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
from benchmarks.support.amplify import AMPLIFIED, DBT_DIR, amplified, as_generated  # noqa: E402  (ROOT on sys.path)

KEY = b"benchmark-warehouse-key-0123456789abcdef"

TARGET_FULL_S = 60.0
TARGET_INCREMENTAL_SHARE = 0.20
MAIN_MODELS = ("stg_people", "stg_organizations", "stg_usage_events", "people", "companies")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process so far (DuckDB's threads included): less sensitive than wall time to other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- data -------------------------------------------------------------------------------------------------------


def backup_ids(first: str) -> list[str]:
    from apollo_assets.sample_data.timeutil import backup_id_for, parse_backup_id

    start = parse_backup_id(first)
    return [backup_id_for(start + timedelta(days=g)) for g in range(3)]


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


def lake_phase(work: Path, scale: float, generations: list[int], progress: bool) -> dict[str, Any]:
    """Write backups `generations` (0 = A) into `<work>/lake`, publishing the base sample first if needed."""
    from tqdm import tqdm

    from apollo_assets.collections import COLLECTIONS
    from apollo_assets.lake import PartitionedDataset, open_location

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
    lake = open_location(str(work / "lake"))
    ids = backup_ids(base_id)
    result.update(backups={}, rows=sizes)
    for generation in generations:
        backup_id = ids[generation]
        started = time.perf_counter()
        written = {"rows": 0, "bytes": 0, "files": 0}
        bar = tqdm(
            total=sum(sizes.values()), desc=backup_id, unit="row", unit_scale=True, leave=False, disable=not progress
        )
        with bar:
            for collection in COLLECTIONS:
                base = bases[collection]
                if collection in AMPLIFIED:
                    batches = amplified(collection, base, sizes[collection], generation, backup_id, org_copies, bar)
                else:
                    batches = as_generated(base, backup_id, bar)
                info = PartitionedDataset(lake, collection).write(backup_id, base.schema, batches)
                written["rows"] += info.rows
                written["bytes"] += info.bytes
                written["files"] += len(info.files)
        seconds = time.perf_counter() - started
        result["backups"][backup_id] = {**written, "seconds": round(seconds, 2)}
        log(
            f"backup {backup_id} committed: {written['rows']:,} rows, {written['bytes'] / 2**20:.0f} MiB Parquet in "
            f"{written['files']} files, {seconds:.1f} s ({written['rows'] / seconds:,.0f} rows/s)"
        )
    result["peak_rss_mb"] = round(peak_rss_mb())
    return result


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


def build_phase(work: Path, backups: list[str], progress: bool) -> dict[str, Any]:
    """Expose the lake, `dbt parse`, `dbt build` for `backups`, then the copy baseline."""
    from dbt.cli.main import dbtRunner

    from apollo_assets.lake.resource import LakeResource
    from apollo_assets.warehouse.assets import dbt_vars
    from apollo_assets.warehouse.resource import DuckDBWarehouse

    target, logs = work / "dbt" / "target", work / "dbt" / "logs"
    warehouse = DuckDBWarehouse(path=str(work / "warehouse.duckdb"), dbt_manifest=str(target / "manifest.json"))
    lake = LakeResource(snapshot_url=str(work / "snapshots"), lake_url=str(work / "lake"))
    started = time.perf_counter()
    exposed = warehouse.expose_lake(lake, backups)
    expose_s = time.perf_counter() - started
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target", "duckdb"]
    common += ["--target-path", str(target), "--log-path", str(logs), "--vars", dbt_vars(backups)]
    if not progress:
        common.append("--quiet")

    def invoke(command: str) -> tuple[Any, float, float]:
        started, cpu = time.perf_counter(), cpu_s()
        outcome = dbtRunner().invoke([command, *common])
        seconds, cpu = time.perf_counter() - started, cpu_s() - cpu
        if not outcome.success:
            failed = [f"{r.node.unique_id}: {r.status}: {r.message}" for r in getattr(outcome.result, "results", [])]
            raise RuntimeError(f"dbt {command} failed: {outcome.exception}\n" + "\n".join(failed[:20]))
        return outcome, seconds, cpu

    _, parse_s, _ = invoke("parse")
    log(f"lake exposed ({sum(exposed.values())} files) in {expose_s:.2f} s; dbt parse {parse_s:.1f} s")
    outcome, build_s, build_cpu_s = invoke("build")
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
    summary["baseline_s"] = round(copy_baseline(work, lake, backups), 2)
    log(f"baseline: DuckDB copies the same lake rows in {summary['baseline_s']:.1f} s")
    summary["peak_rss_mb"] = round(peak_rss_mb())
    return summary


def profile_threads() -> int:
    """dbt's threads (queries in flight) on the `duckdb` target of `dbt/profiles.yml`."""
    import yaml

    return yaml.safe_load((DBT_DIR / "profiles.yml").read_text())["apollo"]["outputs"]["duckdb"]["threads"]


def model_rows(warehouse: Path, models: dict[str, str], backup_id: str | None = None) -> dict[str, int]:
    import duckdb

    where = f" where backup_id = '{backup_id}'" if backup_id else ""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(f"select count(*) from {rel}{where}").fetchone()[0] for name, rel in models.items()}


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
        result = lake_phase(args.work, args.scale, [int(g) for g in rest], args.progress)
    else:
        result = build_phase(args.work, rest, args.progress)
    (args.work / f"{args.phase}-result.json").write_text(json.dumps(result))


def measure(work: Path, scale: float, progress: bool) -> dict[str, Any]:
    load_before = os.getloadavg()
    log(f"warehouse benchmark, scale {scale} (load average {load_before[0]:.1f}), work folder {work}")
    data_ab = run_phase(work, "lake", ["--scale", str(scale), "0", "1"], progress)
    a, b, c = backup_ids(next(iter(data_ab["backups"])))
    full = run_phase(work, "build", [a, b], progress)
    rows = model_rows(work / "warehouse.duckdb", full["models"])
    log("rows after the full build: " + ", ".join(f"{m} {n:,}" for m, n in rows.items()))
    data_c = run_phase(work, "lake", ["--scale", str(scale), "2"], progress)
    incremental = run_phase(work, "build", [c], progress)
    new_rows = model_rows(work / "warehouse.duckdb", incremental["models"], c)
    share = incremental["build_s"] / full["build_s"]
    generation_s = sum(
        d["sample_s"] + d["platform_s"] + sum(x["seconds"] for x in d["backups"].values()) for d in (data_ab, data_c)
    )
    met = {"full_build_s": full["build_s"] <= TARGET_FULL_S, "incremental_share": share <= TARGET_INCREMENTAL_SHARE}
    log(
        f"data generation: {generation_s:.1f} s for 3 backups ({data_ab['rows']['people']:,} people, "
        f"{data_ab['rows']['organizations']:,} organizations, {data_ab['rows']['usage_events']:,} usage events each)"
    )
    verdict = {key: "met" if ok else "NOT met" for key, ok in met.items()}
    log(
        f"full build {full['build_s']:.1f} s (target <= {TARGET_FULL_S:.0f} s: {verdict['full_build_s']}); "
        f"baseline copy {full['baseline_s']:.1f} s"
    )
    log(
        f"incremental build {incremental['build_s']:.1f} s = {share:.0%} of the full build (target <= "
        f"{TARGET_INCREMENTAL_SHARE:.0%}: {verdict['incremental_share']}); "
        f"baseline copy {incremental['baseline_s']:.1f} s"
    )
    return {
        "bench": "warehouse",
        "full_build_s": full["build_s"],
        "incremental_build_s": incremental["build_s"],
        "incremental_share": round(share, 3),
        "rows": {m: rows[m] for m in (*MAIN_MODELS, *sorted(m for m in rows if m.startswith("mart_")))},
        "targets": {"full_build_s": TARGET_FULL_S, "incremental_share": TARGET_INCREMENTAL_SHARE},
        "targets_met": met,
        "scale": scale,
        "backups": [a, b, c],
        "lake_rows_per_backup": data_ab["rows"],
        "lake_mib": round(sum(x["bytes"] for d in (data_ab, data_c) for x in d["backups"].values()) / 2**20),
        "data_generation_s": round(generation_s, 1),
        "build_cpu_s": {"full": full["build_cpu_s"], "incremental": incremental["build_cpu_s"]},
        "parse_s": {"full": full["parse_s"], "incremental": incremental["parse_s"]},
        "baseline_copy_s": {"full": full["baseline_s"], "incremental": incremental["baseline_s"]},
        "in_nodes_s": {
            k: {"models": r["model_s"], "tests": r["test_s"], "seeds": r["seed_s"]}
            for k, r in (("full", full), ("incremental", incremental))
        },
        "slowest_nodes_s": {"full": full["slowest"], "incremental": incremental["slowest"]},
        "rows_new_backup": {
            m: new_rows[m] for m in (*MAIN_MODELS, *sorted(m for m in new_rows if m.startswith("mart_")))
        },
        "peak_rss_mb": {
            "data": max(data_ab["peak_rss_mb"], data_c["peak_rss_mb"]),
            "full_build": full["peak_rss_mb"],
            "incremental_build": incremental["peak_rss_mb"],
        },
        "load_avg": {
            "start": round(load_before[0], 1),
            "full_build": full["load_avg"],
            "incremental_build": incremental["load_avg"],
            "end": round(os.getloadavg()[0], 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the people, organizations, events")
    parser.add_argument("--keep", type=Path, help="work in this new folder and keep it (lake, warehouse, dbt target)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--phase", choices=["lake", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    if args.phase:
        args.progress = progress
        return child(args, rest)
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            parser.error(f"--keep {args.keep}: the folder must be new or empty")
        args.keep.mkdir(parents=True, exist_ok=True)
        result = measure(args.keep.resolve(), args.scale, progress)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as tmp:
            result = measure(Path(tmp), args.scale, progress)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
