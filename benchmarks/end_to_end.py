"""A production-size backup through the whole graph, the way a user runs it: `apollo generate-backup --scale S`
into an empty data folder, then `apollo run` (sensor tick, then the `backup_pipeline` job for the new backup on the
multiprocess executor, `apollo_assets/local_run.py`). Same assets, checks and outputs as `make run`.

    python benchmarks/end_to_end.py [--scale 500] [--seed 7] [--keep DIR] [--skip-generate]

Measured from outside each command (`support/processes.py`): wall time, CPU, and the peak RSS of every process of
its tree (the generator; the run's main process, run worker and one process per step). Where the run's time went
comes from the Dagster instance, not from what the run printed (`support/run_report.py`): each step's time from the
instance's step stats, grouped into layers (snapshots `mongo/*`, lake `lake/*`, warehouse `warehouse_dbt`, checks
`warehouse_no_pii_leak`, models `ml/*`) as step seconds summed and as wall span; each model's headline metric next to
its baseline's from its materialization. Then dbt's fixed cost per partition run: `dbt parse`, and `dbt build` of a
backup that has no rows (every node still runs: what a partition costs before any data).

Scale 500 is 1,000,000 people, 150,000 organizations, 1,500,000 contacts, 3,000,000 messages and ~10,000,000 usage
events (4.6 GB of BSON): give the folder ~20 GB. `--scale 1` (the `make run` sample) takes about two minutes.
`--keep DIR` keeps the data folder (backup, snapshots, lake, warehouse, models, Dagster instance) in DIR;
`--skip-generate` then reuses the backup already in it (a fresh instance and outputs for each run).

Figures go to stderr; the last line on stdout is one JSON object: `{"bench": "end_to_end", "scale": …,
"documents": …, "generate_s": …, "generate_peak_rss_mb": …, "run_s": …, "layers": {"snapshots": …, "lake": …,
"warehouse": …, "checks": …, "models": …}, "layers_cpu_s": {…}, "slowest_asset": …, "models": {…}, …}` (layers: step
seconds summed; layers_cpu_s: CPU seconds of the steps' processes, steadier on a shared machine).
Targets at scale 500 on 2 cores: generate <= 180 s with peak RSS <= 2 GB, run <= 180 s. Dated figures:
docs/measurements.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.support.processes import TreeRun, run_tree, subtree  # noqa: E402  (ROOT on sys.path)

TARGET_RUN_S = 180.0
TARGET_GENERATE_S = 180.0
TARGET_GENERATE_RSS_MB = 2048.0
# A backup id that no backup has: a dbt build for it runs every node on empty slices.
EMPTY_BACKUP = "19700101T000000Z"
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APOLLO_", "DAGSTER_", "SNOWFLAKE_"))}
    env |= {"APOLLO_ENV": "local", "APOLLO_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster_home")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def fresh_outputs(data_dir: Path) -> None:
    """Everything but the backups: a new instance, snapshots, lake, warehouse and models (as on a fresh clone)."""
    if data_dir.exists():
        for child in data_dir.iterdir():
            if child.name != "backups":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    home = data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")  # what `make setup` does


def documents_in(data_dir: Path) -> dict[str, int]:
    markers = sorted((data_dir / "backups").glob("*/BACKUP_COMPLETE.json"))
    if not markers:
        raise SystemExit(f"no complete backup under {data_dir / 'backups'}")
    collections = json.loads(markers[-1].read_text())["collections"]
    return {name: entry["documents"] for name, entry in collections.items()}


def timed(label: str, command: list[str], env: dict[str, str], work: Path) -> TreeRun:
    log(f"{label}: {' '.join(command)}")
    result = run_tree(command, env=env, cwd=ROOT, log=work / f"{label}.log")
    log(f"  {result.wall_s:.1f} s wall, {result.cpu_s:.1f} s CPU, peak RSS {result.peak_rss_mb:.0f} MB")
    if result.returncode != 0:
        log((work / f"{label}.log").read_text()[-4000:])
        raise SystemExit(f"{label} failed with exit status {result.returncode} (log: {work / f'{label}.log'})")
    return result


def dbt_fixed_cost(env: dict[str, str], work: Path) -> dict[str, float]:
    """dbt's cost per partition run without data: `dbt parse`, then `dbt build` of a backup with no rows."""
    env = env | {"APOLLO_WAREHOUSE_PATH": str(Path(env["APOLLO_DATA_DIR"]) / "warehouse.duckdb")}
    common = ["--project-dir", "dbt", "--profiles-dir", "dbt", "--target", "duckdb"]
    common += ["--target-path", str(work / "dbt-target"), "--log-path", str(work / "dbt-logs")]
    parse = timed("dbt-parse", [str(BIN / "dbt"), "parse", *common], env, work)
    variables = json.dumps({"backup_ids": [EMPTY_BACKUP]})
    build = timed("dbt-empty-build", [str(BIN / "dbt"), "build", *common, "--vars", variables], env, work)
    return {
        "parse_s": round(parse.wall_s, 1),
        "empty_build_s": round(build.wall_s, 1),
        "empty_build_cpu_s": round(build.cpu_s, 1),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def report_run(env: dict[str, str], run: TreeRun) -> dict[str, Any]:
    os.environ.update({k: env[k] for k in ("APOLLO_ENV", "APOLLO_DATA_DIR", "DAGSTER_HOME")})
    import dagster as dg

    from benchmarks.support.run_report import model_quality, read_run

    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(limit=1)
        if not records:
            raise SystemExit("the run left no run in the instance")
        report = read_run(instance, records[0].dagster_run.run_id)
    steps = sorted(report.steps, key=lambda s: -s.seconds)
    log(f"run {report.run_id}: {'succeeded' if report.success else 'FAILED'}, {report.wall_s:.1f} s in the job")
    log(f"  {'step':<40} {'layer':<10} {'seconds':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    # A step's process and its children (dbt runs in a child of the warehouse step)
    trees = {s.key: subtree(run.processes, s.pid) for s in steps if s.pid is not None}
    peaks = {key: max(p.peak_rss_mb for p in tree) for key, tree in trees.items() if tree}
    cpus = {key: sum(p.cpu_s for p in tree) for key, tree in trees.items() if tree}
    for step in steps:
        rss = f"{peaks[step.key]:.0f}" if step.key in peaks else "?"
        cpu = f"{cpus[step.key]:.1f}" if step.key in cpus else "?"
        log(f"  {step.key:<40} {step.layer:<10} {step.seconds:>8.1f} {cpu:>8} {rss:>12}")
    layers, spans = report.layer_step_seconds(), report.layer_spans()
    layers_cpu: dict[str, float] = {}
    for step in steps:
        layers_cpu[step.layer] = round(layers_cpu.get(step.layer, 0.0) + cpus.get(step.key, 0.0), 1)
    log(
        "  layers (step seconds summed / wall span / CPU seconds): "
        + ", ".join(f"{k} {v} / {spans.get(k, 0)} / {layers_cpu.get(k, 0)}" for k, v in layers.items())
    )
    models = {key.removeprefix("ml/"): model_quality(key, m) for key, m in sorted(report.metrics.items())}
    for name, quality in models.items():
        log(f"  {name}: {quality}")
    stepped = {p.pid for tree in trees.values() for p in tree}
    others = sorted((p for p in run.processes.values() if p.pid not in stepped), key=lambda p: -p.peak_rss_mb)
    for process in others[:5]:
        log(f"  other process {process.pid} peak RSS {process.peak_rss_mb:.0f} MB: {process.command[:100]}")
    return {
        "run_id": report.run_id,
        "success": report.success,
        "job_s": round(report.wall_s, 1),
        "layers": layers,
        "layers_wall_s": spans,
        "layers_cpu_s": layers_cpu,
        "steps_s": {s.key: round(s.seconds, 1) for s in steps},
        "steps_peak_rss_mb": {s.key: round(run.processes[s.pid].peak_rss_mb) for s in steps if s.pid in run.processes},
        "slowest_asset": steps[0].key if steps else None,
        "models": models,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=500.0, help="generator scale (1: the make run sample)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the data folder here (default: a temporary folder)")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the backup already in --keep")
    args = parser.parse_args()
    if args.skip_generate and not args.keep:
        parser.error("--skip-generate needs --keep DIR")
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="apollo-e2e-"))
    data_dir = work / "data"
    try:
        if not args.skip_generate:
            shutil.rmtree(data_dir, ignore_errors=True)
        fresh_outputs(data_dir)
        env = environment(data_dir)
        log(f"end-to-end at scale {args.scale} in {work}; load average {load_average()} on {os.cpu_count()} cores")
        result: dict[str, Any] = {"bench": "end_to_end", "scale": args.scale}
        generate = None
        if not args.skip_generate:
            command = [str(BIN / "apollo"), "generate-backup", "--scale", str(args.scale), "--seed", str(args.seed)]
            generate = timed("generate", [*command, "--no-progress"], env, work)
        counts = documents_in(data_dir)
        result["documents"] = sum(counts.values())
        result["generate_s"] = round(generate.wall_s, 1) if generate else None
        result["generate_peak_rss_mb"] = round(generate.peak_rss_mb) if generate else None
        log(f"  documents: {counts}")
        run = timed("run", [str(BIN / "apollo"), "run"], env, work)
        result["run_s"] = round(run.wall_s, 1)
        result["run_peak_rss_mb"] = round(run.peak_rss_mb)
        details = report_run(env, run)
        result |= {k: details.pop(k) for k in ("layers", "layers_cpu_s", "slowest_asset", "models")}
        result["dbt_fixed_cost"] = dbt_fixed_cost(env, work)
        log(f"  dbt per partition without data: {result['dbt_fixed_cost']}")
        result |= {"run": details, "load_average": load_average(), "cores": os.cpu_count()}
        result["at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        result["targets_met"] = {
            "run_s": result["run_s"] <= TARGET_RUN_S,
            **(
                {
                    "generate_s": generate.wall_s <= TARGET_GENERATE_S,
                    "generate_peak_rss_mb": generate.peak_rss_mb <= TARGET_GENERATE_RSS_MB,
                }
                if generate
                else {}
            ),
        }
        print(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
