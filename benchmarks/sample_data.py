"""How fast the sample generator streams `people` to a mongodump `.bson` file, in CPU time.

  streamed   `write_bson_file(path, iter_people(...))`: each person made, encoded and written as it comes;
  baseline   the same documents made beforehand (not timed), then only encoded and written: the file's own cost.

Their difference is the generator's cost per document. Target: >= 3,000 documents per CPU second streamed (a
floor that catches a pathology, such as a quadratic step, on any machine). The memory and determinism of the
stream are tested in tests/sample_data/test_sample_streaming.py.

    python benchmarks/sample_data.py [--people 50000] [--repeats 3]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apollo_assets.sample_data import Sizes, generate_database, iter_people, write_bson_file  # noqa: E402

TARGET_DOCS_PER_CPU_S = 3_000
SEED = 7


def cpu_seconds(function) -> float:
    started = time.process_time()
    function()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs of each")
    args = parser.parse_args()
    organizations = generate_database(SEED, 0, Sizes().scaled(0.1))["organizations"]
    people = list(iter_people(SEED, args.people, organizations))
    streamed, baseline = float("inf"), float("inf")
    with tempfile.TemporaryDirectory(prefix="apollo-bench-sample-") as folder:
        streamed_file, baseline_file = Path(folder) / "streamed.bson", Path(folder) / "baseline.bson"
        for _ in range(args.repeats):  # interleaved: the machine's speed drifts
            stream = iter_people(SEED, args.people, organizations)
            streamed = min(streamed, cpu_seconds(lambda s=stream: write_bson_file(streamed_file, s)))
            baseline = min(baseline, cpu_seconds(lambda: write_bson_file(baseline_file, people)))
        assert streamed_file.read_bytes() == baseline_file.read_bytes()  # the same documents, the same bytes
        size = streamed_file.stat().st_size
    result = {
        "bench": "sample_data",
        "people": args.people,
        "avg_bytes": round(size / args.people),
        "streamed_docs_per_cpu_s": round(args.people / streamed),
        "baseline_write_docs_per_cpu_s": round(args.people / baseline),
        "generator_us_per_doc": round((streamed - baseline) / args.people * 1e6, 1),
        "target_docs_per_cpu_s": TARGET_DOCS_PER_CPU_S,
    }
    result["met"] = result["streamed_docs_per_cpu_s"] >= TARGET_DOCS_PER_CPU_S
    print(
        f"{args.people:,} people: streamed {result['streamed_docs_per_cpu_s']:,} docs per CPU second, "
        f"writing alone {result['baseline_write_docs_per_cpu_s']:,} (best of {args.repeats})",
        file=sys.stderr,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
