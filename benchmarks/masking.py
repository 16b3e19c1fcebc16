"""The cost of masking next to the cost of decoding, on one generated backup, in one process.

Decodes every collection of a sample backup (BSON → Arrow, both passes: what `mongo/<collection>` does), then
masks the decoded batches with the collections' policies (what `lake/<collection>` adds), and a synthetic
200k-row `people` table (tests/masking/people_table.py). CPU time, best of `--repeats`, and every repeat
starts with an empty pseudonym cache, so no figure profits from an earlier one.

    python benchmarks/masking.py [--scale 5] [--repeats 3] [--people-rows 200000]

Prints a JSON line last: `{"bench": "masking", "rows_per_s": …, "share_of_decode_plus_mask": …, …}`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apollo_assets.masking import Masker, MaskingKey, load_policy  # noqa: E402
from apollo_assets.mongo import open_backup, read_snapshot  # noqa: E402
from apollo_assets.sample_data import Sizes, write_sample_backup  # noqa: E402

KEY = MaskingKey(b"benchmark-masking-key-0123456789abcdef")


def clear_cache() -> None:
    try:
        from apollo_assets.masking.tokens.cache import clear_token_caches
    except ImportError:  # the implementation without a cache
        return
    clear_token_caches()


def decode(backup_dir: Path) -> tuple[dict[str, list[pa.RecordBatch]], dict[str, pa.Schema], float]:
    backup = open_backup(backup_dir / "apollo")
    batches, schemas = {}, {}
    cpu = time.process_time()
    for name, source in backup.collections.items():
        snapshot = read_snapshot(source, backup_dir.name)
        batches[name], schemas[name] = list(snapshot.batches()), snapshot.schema
    return batches, schemas, time.process_time() - cpu


def mask_all(batches: dict[str, list[pa.RecordBatch]], schemas: dict[str, pa.Schema]) -> float:
    clear_cache()
    maskers = {name: Masker(load_policy(name), KEY, schemas[name]) for name in batches}
    cpu = time.process_time()
    for name, masker in maskers.items():
        for batch in batches[name]:
            masker.mask(batch)
    return time.process_time() - cpu


def mask_people(rows: int, repeats: int) -> float:
    from tests.masking.people_table import people_table

    table = people_table(rows)
    batches = table.to_batches(max_chunksize=50_000)
    best = float("inf")
    for _ in range(repeats):
        clear_cache()
        masker = Masker(load_policy("people"), KEY, table.schema)
        cpu = time.process_time()
        for batch in batches:
            masker.mask(batch)
        best = min(best, time.process_time() - cpu)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--people-rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backup_dir = write_sample_backup(Path(tmp), sizes=Sizes().scaled(args.scale))
        decode_cpu = min(decode(backup_dir)[2] for _ in range(args.repeats))
        batches, schemas, _ = decode(backup_dir)
    rows = sum(b.num_rows for bs in batches.values() for b in bs)
    mask_cpu = min(mask_all(batches, schemas) for _ in range(args.repeats))
    people_cpu = mask_people(args.people_rows, args.repeats)
    result = {
        "bench": "masking",
        "rows_per_s": round(args.people_rows / people_cpu),
        "people_rows": args.people_rows,
        "backup_rows": rows,
        "backup_mask_rows_per_s": round(rows / mask_cpu),
        "decode_cpu_s": round(decode_cpu, 3),
        "mask_cpu_s": round(mask_cpu, 3),
        "share_of_decode_plus_mask": round(mask_cpu / (decode_cpu + mask_cpu), 4),
        "mask_to_decode": round(mask_cpu / decode_cpu, 4),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
