"""Ingest throughput: 1,000,000 generated `people` documents (~800 bytes: nested documents, arrays, ObjectIds,
datetimes, a Decimal128, the drifting `intent_score`) as a mongodump `.bson` file, measured in the same run:

  (a) mongoexport-equivalent: relaxed Extended JSON lines written with `bson.json_util`;
  (b) naive: `bson.decode_all` + `pyarrow.Table.from_pylist` + Parquet (values made Arrow-able by hand);
  (c) this project: `apollo_assets.ingest` (vectorised decode, drift-safe conversion, masking, Parquet),
      with 1 and with 2 workers; then from `.bson.gz`, from an `--archive`, and from a live server
      (SecantusDB, a test-time subprocess) next to a plain `find()`: with the default `_id` ranges (by the
      collection's size: one range below 100,000 documents) and with one range per worker.

Each measurement runs in its own process, so that its peak RSS (the largest of the process and its workers) is its
own. Imports are not measured: each process imports the pipeline and loads its compiled kernels before its clock
starts, and with workers, the server they fork from has imported them too (`pool.warm_forkserver`; the 1-worker
run has no such server). `project_cold_start_docs_per_s` is the 2-worker run with that server starting inside
the clock, as in a Dagster step of its own: its ~2 s of imports then delay the second worker. Targets on 2 cores:
(c) >= 150,000 docs/s with 2 workers, >= 6x (a), peak RSS <= 1 GB per process.

    python benchmarks/ingest.py [--docs 1000000] [--live-docs 20000] [--repeats 3]

The 1- and 2-worker runs are repeated (`--repeats`), interleaved: this machine's speed moves by up to 50 % between
two runs of the same code. The headline figures are the best runs; every run and the 2-worker median are in the
JSON line too, and the ratio to the JSON baseline (run once) uses that median. The last line is one JSON object.

Figures, and where the time goes: docs/measurements.md.

On SecantusDB every `_id` range query scans the whole collection (it has no
index range scans), so more ranges mean more server work there; on MongoDB a range reads its index range.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BACKUP_ID = "20261126T040000Z"
METADATA = '{"options":{},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}]}'


def people(count: int):
    from bson.decimal128 import Decimal128

    from apollo_assets.sample_data import Sizes, generate_database, iter_people

    orgs = generate_database(7, 0, Sizes().scaled(0.1))["organizations"]
    for i, doc in enumerate(iter_people(7, count, orgs)):
        doc["lifetime_value"] = Decimal128(Decimal(i % 100_000) / 100)
        yield doc


def generate(folder: Path, count: int) -> dict[str, Path]:
    from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
    from apollo_assets.mongo.dump_dir import DumpCollection
    from apollo_assets.sample_data import write_bson_file

    plain = folder / "plain" / "apollo"
    plain.mkdir(parents=True)
    write_bson_file(plain / "people.bson", people(count))
    (plain / "people.metadata.json").write_text(METADATA)
    gz = folder / "gz" / "apollo"
    gz.mkdir(parents=True)
    with (plain / "people.bson").open("rb") as src, gzip.open(gz / "people.bson.gz", "wb", compresslevel=1) as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    (gz / "people.metadata.json").write_text(METADATA)
    raws = (d.raw for d in DumpCollection("people", {}, plain / "people.bson").documents())
    archive = write_archive(folder / "apollo.archive", [ArchiveCollectionSpec("apollo", "people", raws)])
    return {"plain": plain, "gz": gz, "archive": archive}


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def json_export(path: Path, out: Path) -> int:
    import bson
    from bson import json_util

    from apollo_assets.mongo.dump_dir import DumpCollection

    count = 0
    with out.open("w") as sink:
        for block in DumpCollection("people", {}, path).blocks():
            docs = bson.decode_all(block.data[int(block.starts[0]) : int(block.starts[-1])])
            sink.writelines(json_util.dumps(d, json_options=json_util.RELAXED_JSON_OPTIONS) + "\n" for d in docs)
            count += len(docs)
    return count


def _plain(value: Any) -> Any:
    """What it takes for from_pylist to accept a document: ObjectIds and decimals as text, drift as text."""
    from bson.decimal128 import Decimal128
    from bson.objectid import ObjectId

    t = type(value)
    if t is dict:
        return {k: _plain(v) for k, v in value.items()}
    if t is list:
        return [_plain(v) for v in value]
    if t is ObjectId or t is Decimal128:
        return str(value)
    return value


def naive(path: Path, out: Path) -> int:
    import bson
    import pyarrow as pa
    import pyarrow.parquet as pq

    from apollo_assets.mongo.dump_dir import DumpCollection

    count, writer = 0, None
    for block in DumpCollection("people", {}, path).blocks():
        docs = [_plain(d) for d in bson.decode_all(block.data[int(block.starts[0]) : int(block.starts[-1])])]
        for d in docs:  # a mixed-type field breaks from_pylist: the naive fix is to stringify it
            if "intent_score" in d and d["intent_score"] is not None:
                d["intent_score"] = str(d["intent_score"])
        table = pa.Table.from_pylist(docs, schema=writer.schema if writer else None)
        writer = writer or pq.ParquetWriter(out, table.schema, compression="zstd")
        writer.write_table(table)
        count += len(docs)
    if writer:
        writer.close()
    return count


def project(backup: Path, out: Path, workers: int) -> dict[str, Any]:
    from apollo_assets.ingest import IngestOptions, Masking, ingest_collection
    from apollo_assets.lake import PartitionedDataset, open_location
    from apollo_assets.masking import MaskingKey, load_policy
    from apollo_assets.mongo import open_backup

    source = open_backup(backup).collections["people"]
    dataset = PartitionedDataset(open_location(str(out)), "people")
    masking = Masking(load_policy("people"), MaskingKey(b"bench-key-" * 4))
    options = IngestOptions(workers=workers, progress=False)
    summary = ingest_collection(source, BACKUP_ID, dataset, masking=masking, options=options)
    stages = summary.stage_seconds
    return {"docs": summary.documents, "stages": stages, "mask_share": stages["mask"] / sum(stages.values())}


def live(count: int, out: Path, workers: int) -> dict[str, Any]:
    """A plain `find()`, then `apollo ingest live`'s path twice: with its default ranges (by the collection's size:
    one below 100,000 documents) and with one `_id` range per worker (each range a query of its own)."""
    from pymongo import MongoClient

    from apollo_assets.ingest import IngestOptions, ingest_collection
    from apollo_assets.lake import PartitionedDataset, open_location
    from apollo_assets.mongo.live import LiveCollectionSource, LiveOptions
    from tests.mongo.secantus import secantus_server

    with secantus_server(out / "secantus") as uri, MongoClient(uri) as client:
        collection = client.apollo.people
        for chunk in _batches(people(count), 1000):
            collection.insert_many(chunk)
        start = time.perf_counter()
        found = sum(1 for _ in collection.find(batch_size=1000))
        result = {"find_docs_per_s": round(found / (time.perf_counter() - start))}
        for key, ranges in (("docs_per_s", 0), ("ranges_docs_per_s", workers)):
            source = LiveCollectionSource(uri, "apollo", "people", LiveOptions(ranges=ranges))
            lake = open_location(str(out / f"lake-{key}"))
            start = time.perf_counter()
            summary = ingest_collection(
                source,
                BACKUP_ID,
                PartitionedDataset(lake, "people"),
                options=IngestOptions(workers=workers, progress=False),
            )
            assert summary.documents == found == count, (summary.documents, found)
            result[key] = round(count / (time.perf_counter() - start))
        return {**result, "ranges": workers}


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def measure(kind: str, args: list[str]) -> dict[str, Any]:
    """Run one measurement in a fresh process; its wall time, docs/s and peak RSS."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, *args], capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise RuntimeError(f"{kind} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.splitlines()[-1])


def run_one(kind: str, args: list[str]) -> None:

    if kind == "project" and int(args[2]) > 1 and args[3:] != ["cold"]:
        from apollo_assets.ingest.pool import warm_forkserver

        warm_forkserver()  # the workers' imports, like this process's: not what is measured (unless "cold")
    started = time.perf_counter()
    path, out = Path(args[0]), Path(args[1])
    if kind == "json":
        result: dict[str, Any] = {"docs": json_export(path / "people.bson", out / "people.jsonl")}
    elif kind == "naive":
        result = {"docs": naive(path / "people.bson", out / "naive.parquet")}
    elif kind == "live":
        result = live(int(args[2]), out, int(args[3]))
    else:
        result = project(path, out, int(args[2]))
    seconds = time.perf_counter() - started
    result.setdefault("docs_per_s", round(result.get("docs", 0) / seconds))
    print(json.dumps({**result, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_rss_mb())}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--live-docs", type=int, default=20_000, help="documents in the live server (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the 1- and 2-worker measurements")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.measure:
        return run_one(args.measure, rest)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        paths = generate(folder, args.docs)
        print(f"generated {args.docs} documents in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        results: dict[str, dict[str, Any]] = {}
        plan = [("json", "json", paths["plain"], []), ("naive", "naive", paths["plain"], [])]
        for run in range(args.repeats):  # interleaved, so that both see the machine in the same moods
            plan.append((f"project_1#{run}", "project", paths["plain"], ["1"]))
            plan.append((f"project_{args.workers}#{run}", "project", paths["plain"], [str(args.workers)]))
        plan += [
            ("project_cold", "project", paths["plain"], [str(args.workers), "cold"]),
            ("gz", "project", paths["gz"], [str(args.workers)]),
            ("archive", "project", paths["archive"], [str(args.workers)]),
        ]
        if args.live_docs:
            plan.append(("live", "live", folder, [str(args.live_docs), str(args.workers)]))
        for name, kind, source, extra in plan:
            out = folder / f"out-{name}"
            out.mkdir()
            results[name] = measure(kind, [str(source), str(out), *extra])
            print(f"{name}: {json.dumps(results[name])}", file=sys.stderr)
            shutil.rmtree(out, ignore_errors=True)
    runs = {w: [results[f"project_{w}#{r}"] for r in range(args.repeats)] for w in (1, args.workers)}
    rates = {w: sorted(r["docs_per_s"] for r in runs[w]) for w in runs}
    summary = {
        "bench": "ingest",
        "docs": args.docs,
        "project_docs_per_s": rates[args.workers][-1],
        "project_1worker_docs_per_s": rates[1][-1],
        "project_cold_start_docs_per_s": results["project_cold"]["docs_per_s"],
        "json_export_docs_per_s": results["json"]["docs_per_s"],
        "naive_docs_per_s": results["naive"]["docs_per_s"],
        "ratio_vs_json": round(statistics.median(rates[args.workers]) / results["json"]["docs_per_s"], 2),
        "peak_rss_mb": max(r["peak_rss_mb"] for k, r in results.items() if k not in ("json", "naive", "live")),
        "project_docs_per_s_median": round(statistics.median(rates[args.workers])),
        "project_docs_per_s_runs": [r["docs_per_s"] for r in runs[args.workers]],
        "project_1worker_docs_per_s_runs": [r["docs_per_s"] for r in runs[1]],
        "gz_docs_per_s": results["gz"]["docs_per_s"],
        "archive_docs_per_s": results["archive"]["docs_per_s"],
        "masking_share": round(runs[1][0]["mask_share"], 3),
        "workers": args.workers,
    }
    if "live" in results:
        summary["live_docs_per_s"] = results["live"]["docs_per_s"]
        summary[f"live_{args.workers}_ranges_docs_per_s"] = results["live"]["ranges_docs_per_s"]
        summary["live_find_docs_per_s"] = results["live"]["find_docs_per_s"]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
