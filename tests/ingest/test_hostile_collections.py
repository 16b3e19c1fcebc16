"""Fuzzing the masking boundary: hostile collections (`tests/hostile.py`) through `apollo ingest` and the Masker.

Every personal value planted in a generated collection must be absent (as a substring, in any case, so as a key
too) from: the masked Parquet files' values and schemas (field names and metadata) and every other file of the
output (the owner-only quarantine aside: it holds raw documents by design), the masker's report, and what
`apollo ingest` prints (its JSON summary on stdout, its warnings and errors on stderr). The Masker's report and
the leak check over the same strategy: tests/masking/test_hostile_masking.py.

A normal run makes a hundred examples here (each a whole `apollo ingest`) and three hundred at the masking level;
`pytest --hypothesis-profile=deep` (tests/conftest.py) thousands of each.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from apollo_assets.cli.ingest import ingest
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from tests.hostile import COLLECTION, Planted, hostile_collection, policy_yaml
from tests.mongo.helpers import encode, write_dump

BACKUP_ID = "20261126T040000Z"
KEY_HEX = "ab" * 32
EXAMPLES = max(settings.default.max_examples, 100)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory):
    saved = {name: os.environ.get(name) for name in ("APOLLO_DATA_DIR", "APOLLO_MASKING_KEY")}
    os.environ["APOLLO_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    os.environ["APOLLO_MASKING_KEY"] = KEY_HEX
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _write_source(root: Path, documents: list[dict], archive: bool) -> Path:
    if archive:
        spec = ArchiveCollectionSpec("apollo", COLLECTION, [encode(d) for d in documents])
        return write_archive(root / "apollo.archive", [spec])
    folder = root / "dump" / "apollo"
    write_dump(folder, COLLECTION, documents)
    return folder


def _parquet_text(path: Path) -> str:
    """Everything a Parquet file shows: its schema with every field's metadata, and every value."""
    table = pq.read_table(path)
    schema = table.schema.to_string(show_field_metadata=True, show_schema_metadata=True)
    return schema + "\n" + json.dumps(table.to_pylist(), default=str, ensure_ascii=False)


def _output_text(out: Path) -> str:
    shown = []
    for path in sorted(out.rglob("*")):
        if "_quarantine" in path.parts or not path.is_file():
            continue
        shown.append(str(path.relative_to(out)))
        shown.append(_parquet_text(path) if path.suffix == ".parquet" else path.read_text(errors="replace"))
    return "\n".join(shown)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(collection=hostile_collection(), archive=st.booleans())
def test_no_planted_value_leaves_the_masking_boundary(environment, collection, archive: bool) -> None:
    documents, planted, default = collection
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = _write_source(root, documents, archive)
        policies = root / "policies"
        policies.mkdir()
        (policies / f"{COLLECTION}.yaml").write_text(policy_yaml(default))
        out = root / "out"
        args = [str(source), "--out", str(out), "--backup-id", BACKUP_ID, "--policy-dir", str(policies)]
        args += ["--workers", "1", "--max-quarantine-share", "1", "--no-progress"]
        result = CliRunner().invoke(ingest, args)
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        failed = [line["error_type"] for line in lines if "error" in line]
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == (1 if failed else 0), result.output
        # Refusals, each a one-line error: a source field that collides with a generated column, or a policy rule
        # that matches the data only without its `[]` (a kept field that is now always an array of documents).
        assert set(failed) <= {"SchemaError", "PolicyError"}, failed
        event(f"refused: {failed[0]}" if failed else "masked")
        if lines and not failed:
            event(
                f"{lines[0]['quarantined']} document(s) quarantined" if lines[0]["quarantined"] else "none quarantined"
            )
        shown = {"stdout": result.stdout, "stderr": result.stderr, "output files": _output_text(out)}
        for where, text in shown.items():
            assert not planted.found_in(text), f"planted values in {where}: {planted.found_in(text)}"


def test_the_strategy_plants_values_the_checks_would_see() -> None:
    """The check itself: a planted value copied anywhere in the text is found, whatever its case."""
    planted = Planted(["ggghhh.iiijjj@kkklll.io", "Ggghh Iiijj"])
    assert planted.found_in('{"x": "GGGHHH.iiijjj@KKKLLL.io"}') == ["ggghhh.iiijjj@kkklll.io"]
    assert planted.found_in("struct<Ggghh Iiijj: string>") == ["Ggghh Iiijj"]
