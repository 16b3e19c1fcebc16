"""Throughput of BSON -> Arrow snapshots (`read_snapshot`: decode, both passes, conversion; no masking or Parquet).

A generated file of ~600-byte documents shaped like `people`, converted by one process and by `--workers` processes
side by side (separate files), next to a baseline measured in the same run: pymongo's C decoder reading the same
file into Python dicts (`bson.decode_all`), which makes no Arrow at all. When the real mongodump fixtures are there
(`APOLLO_FIXTURES_DIR`, tests/fixtures_dir.py), sample_training/zips.bson too.

    python benchmarks/snapshot.py [--documents 200000] [--workers 2]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bson  # noqa: E402
import pyarrow as pa  # noqa: E402
from bson.objectid import ObjectId  # noqa: E402

from apollo_assets.mongo import read_snapshot  # noqa: E402
from apollo_assets.mongo.dump_dir import DumpCollection  # noqa: E402
from tests.fixtures_dir import configured_path, problem  # noqa: E402

UTC = dt.UTC


def person(i: int, rng: random.Random) -> dict:
    first, last = rng.choice(["Ann", "Bob", "Carla", "Dmitri"]), rng.choice(["Smith", "Jones", "Okafor"])
    return {
        "_id": ObjectId(),
        "first_name": first,
        "last_name": last,
        "name": f"{first} {last}",
        "email": f"user{i}@example.com" if rng.random() < 0.9 else None,
        "phone": "+1 415 555 0134",
        "title": "VP of Engineering",
        "seniority": rng.choice(["vp", "VP", "director"]),
        "departments": ["engineering", "product"][: rng.randint(0, 2)],
        "linkedin_url": f"https://linkedin.com/in/u{i}",
        "city": "San Francisco",
        "state": "CA",
        "country": "US",
        "birthdate": dt.datetime(1980, 1, 1, tzinfo=UTC) + dt.timedelta(days=rng.randint(0, 9000)),
        "organization_id": ObjectId(),
        "employment_history": [
            {
                "organization_id": ObjectId(),
                "organization_name": "Acme",
                "title": "Engineer",
                "start_date": dt.datetime(2010, 1, 1, tzinfo=UTC),
                "end_date": None,
                "current": True,
            }
        ],
        "intent_score": rng.random() * 100 if i % 50 else rng.randint(0, 100),
        "created_at": dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randint(0, 10**7)),
        "updated_at": dt.datetime(2025, 1, 1, tzinfo=UTC),
    }


def write_people(path: Path, n: int, seed: int) -> int:
    rng = random.Random(seed)
    with path.open("wb") as out:
        size = 0
        for i in range(n):
            raw = bson.encode(person(i, rng))
            size += len(raw)
            out.write(raw)
    return size // n


def convert(path: str) -> tuple[int, float, float]:
    """Convert one .bson file; (documents, wall seconds, CPU seconds)."""
    pa.array([dt.datetime(2020, 1, 1)], pa.timestamp("ms", tz="UTC"))  # pyarrow's one-off pandas import
    wall, cpu = time.perf_counter(), time.process_time()
    snapshot = read_snapshot(DumpCollection(Path(path).stem, {}, Path(path)), "bench")
    rows = sum(batch.num_rows for batch in snapshot.batches())
    return rows, time.perf_counter() - wall, time.process_time() - cpu


def decode_all(path: Path) -> tuple[int, float]:
    """The baseline: the same file into Python dicts by pymongo's C decoder; (documents, CPU seconds)."""
    data = path.read_bytes()
    cpu = time.process_time()
    documents = len(bson.decode_all(data))
    return documents, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    result: dict[str, object] = {"bench": "snapshot"}
    fixtures = configured_path()
    if problem(fixtures, explicit=False) is None:
        rows, wall, cpu = convert(str(fixtures / "sample_training" / "zips.bson"))
        result["zips"] = {"documents": rows, "docs_per_s": round(rows / wall), "docs_per_cpu_s": round(rows / cpu)}
    else:
        print(f"zips.bson left out: {problem(fixtures, explicit=False)}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp) / "people.bson"
        avg = write_people(whole, args.documents, seed=1)
        documents, baseline_cpu = decode_all(whole)
        result["baseline_decode_all_docs_per_cpu_s"] = round(documents / baseline_cpu)
        rows, wall, cpu = convert(str(whole))
        result["people_1_worker"] = {
            "documents": rows,
            "avg_bytes": avg,
            "docs_per_s": round(rows / wall),
            "docs_per_cpu_s": round(rows / cpu),
        }
        parts = [Path(tmp) / f"part{i}.bson" for i in range(args.workers)]
        for i, part in enumerate(parts):
            write_people(part, args.documents // args.workers, seed=10 + i)
        with ProcessPoolExecutor(args.workers) as pool:
            start = time.perf_counter()
            done = list(pool.map(convert, map(str, parts)))
            wall = time.perf_counter() - start
        rows = sum(d[0] for d in done)
        result[f"people_{args.workers}_workers"] = {"documents": rows, "docs_per_s": round(rows / wall)}
    result["ratio_to_baseline_cpu"] = round(result["people_1_worker"]["docs_per_cpu_s"] / (documents / baseline_cpu), 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
