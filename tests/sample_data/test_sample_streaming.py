"""A million people can be streamed to a BSON file without holding them in memory (its speed:
benchmarks/sample_data.py)."""

import inspect
import tracemalloc
from pathlib import Path

from apollo_assets.sample_data import Sizes, generate_database, iter_people, write_bson_file

from .helpers import read_bson


def organizations() -> list[dict]:
    return generate_database(7, 0, Sizes().scaled(0.1))["organizations"]


def test_people_stream_to_a_bson_file(tmp_path: Path) -> None:
    stream = iter_people(7, 20_000, organizations())
    assert inspect.isgenerator(stream)
    count, size = write_bson_file(tmp_path / "people.bson", stream)
    assert count == 20_000
    assert 400 < size / count < 1_000  # realistic documents of a few hundred bytes
    docs = read_bson(tmp_path / "people.bson")
    assert len(docs) == count and len({d["_id"] for d in docs}) == count
    assert [d["created_at"] for d in docs] == sorted(d["created_at"] for d in docs)


def test_streaming_memory_does_not_grow_with_the_count(tmp_path: Path) -> None:
    orgs = organizations()
    peaks = []
    for count in (2_500, 10_000):  # both above the writer's batch of 1,000 documents
        tracemalloc.start()
        write_bson_file(tmp_path / "people.bson", iter_people(7, count, orgs))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.3 * peaks[0]  # holding 7,500 more documents would take about 12 MB


def test_streamed_people_are_deterministic(tmp_path: Path) -> None:
    orgs = organizations()
    write_bson_file(tmp_path / "a.bson", iter_people(3, 500, orgs))
    write_bson_file(tmp_path / "b.bson", iter_people(3, 500, orgs))
    assert (tmp_path / "a.bson").read_bytes() == (tmp_path / "b.bson").read_bytes()
