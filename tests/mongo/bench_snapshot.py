"""Throughput of BSON -> Arrow snapshots (decode, both passes, conversion; no masking or Parquet).

    .venv/bin/python -m tests.mongo.bench_snapshot [--documents 200000] [--workers 2]

Measures sample_training/zips.bson and a generated file of ~600-byte documents shaped like `people`, with one
process and with `--workers` processes converting separate files side by side. Prints a JSON line last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import bson
import pyarrow as pa
from bson.objectid import ObjectId

from apollo_assets.mongo import read_snapshot
from apollo_assets.mongo.dump_dir import DumpCollection

from .helpers import FIXTURES

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    result: dict[str, object] = {}
    rows, wall, cpu = convert(str(FIXTURES / "sample_training" / "zips.bson"))
    result["zips"] = {"documents": rows, "docs_per_s": round(rows / wall), "docs_per_cpu_s": round(rows / cpu)}
    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp) / "people.bson"
        avg = write_people(whole, args.documents, seed=1)
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
    print(json.dumps(result))


if __name__ == "__main__":
    main()
