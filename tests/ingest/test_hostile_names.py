"""`apollo ingest` of archives and dump folders whose names try to leave `--out`: nothing is written or deleted
outside it, ever. A name MongoDB cannot have fails the run (exit 1, one line naming it); any other name is encoded
into one folder name under `--out`.

Every test lists the whole temporary tree before and after the run (the source, `--out`, its parents, the temporary
folder the spool uses, the data dir) and checks that only `--out` changed."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from apollo_assets.cli import main
from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.names import path_segment
from tests.mongo.helpers import METADATA, encode

BACKUP = "20261126T040000Z"
DOCUMENTS = [encode({"_id": i, "n": i, "email": f"p{i}@example.com"}) for i in range(5)]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/{src, data, tmp, a/b/out}: `../../x` from `--out` (or from a dataset folder) lands inside tmp."""
    for folder in ("src", "data", "tmp", "a/b/out"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APOLLO_MASKING_KEY", "ab" * 32)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the spool's TemporaryDirectory
    return tmp_path


def listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def ingest(tree: Path, source: Path, *options: str):
    before = listing(tree)
    out = tree / "a" / "b" / "out"
    result = CliRunner().invoke(main, ["ingest", str(source), "--out", str(out), "--backup-id", BACKUP, *options])
    outside = {p for p in listing(tree) - before if not p.startswith("a/b/out/")} - {"a/b/out"}
    assert not outside, f"written outside --out: {sorted(outside)}"
    assert listing(tree / "src") == {p.removeprefix("src/") for p in before if p.startswith("src/")}
    return result, out


def archive(tree: Path, database: str, collection: str) -> Path:
    specs = [
        ArchiveCollectionSpec("apollo", "plain", DOCUMENTS),
        ArchiveCollectionSpec(database, collection, DOCUMENTS),
    ]
    return write_archive(tree / "src" / "dump.archive", specs)


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


IMPOSSIBLE = [
    pytest.param("apollo", "../../x", "starts with '.'", id="collection-dotdot-path"),
    pytest.param("apollo", "..", "starts with '.'", id="collection-dotdot"),
    pytest.param("apollo", "a\x00b", "NUL", id="collection-nul"),
    pytest.param("apollo", "x" * 300, "bytes long", id="collection-too-long"),
    pytest.param("apollo", "$cmd", "'$'", id="collection-dollar"),
    pytest.param("../../x", "people", "database name '../../x'", id="database-dotdot-path"),
    pytest.param("/tmp/abs", "people", "database name '/tmp/abs'", id="database-absolute"),
    pytest.param("a/b", "people", "database name 'a/b'", id="database-slash"),
]


@pytest.mark.parametrize(("database", "collection", "problem"), IMPOSSIBLE)
def test_an_archive_naming_what_mongodb_cannot_have_fails_in_one_line(tree, database, collection, problem):
    source = archive(tree, database, collection)
    result, out = ingest(tree, source)
    assert_one_line_error(result, problem, "impossible name")
    assert listing(out) == set()  # the whole archive is refused before anything is written


ENCODED = [
    pytest.param("/etc/evil", id="absolute"),
    pytest.param("a/../../../../x", id="climbing"),
    pytest.param("reports/2024", id="slash"),
    pytest.param("système.é", id="unicode"),
    pytest.param("new\nline", id="newline"),
]


@pytest.mark.parametrize("collection", ENCODED)
@pytest.mark.parametrize("database", ["apollo", "shop"])
def test_an_archive_collection_that_mongodb_allows_is_one_folder_under_out(tree, database, collection):
    """In the platform's own database and in another (whose collections no policy names)."""
    result, out = ingest(tree, archive(tree, database, collection))
    assert result.exit_code == 0, result.output
    lines = {(line["database"], line["collection"]): line for line in map(json.loads, result.stdout.splitlines())}
    assert set(lines) == {("apollo", "plain"), (database, collection)}
    folder = out / (database if database != "apollo" else "") / path_segment(collection)
    assert {p.name for p in folder.parent.iterdir()} == {path_segment(collection), "plain"} - (
        {"plain"} if database != "apollo" else set()
    )
    dataset = PartitionedDataset(open_location(str(folder.parent)), folder.name)
    assert dataset.read(BACKUP).num_rows == 5 and lines[database, collection]["path"].startswith(str(folder))
    assert "p0@example.com" not in str(dataset.read(BACKUP).column("email").to_pylist())  # fail-closed masking


def test_a_rerun_publishes_in_place_and_deletes_nothing_outside(tree):
    """Publishing deletes the partition's earlier versions: only its own, inside its own folder."""
    precious = tree / "a" / "x" / f"backup_id={BACKUP}" / "v=precious"
    precious.mkdir(parents=True)
    write_dump_file(tree / "src" / "dump" / "shop", "b%2F..%2F..%2F..%2Fx")  # from out/: tmp/a/x
    for _ in range(2):
        result, out = ingest(tree, tree / "src" / "dump")
        assert result.exit_code == 0, result.output
    assert precious.is_dir()
    # The first run's version is retired, kept for the lake's grace period beside the second one: both inside.
    assert len(list((out / path_segment("b/../../../x") / f"backup_id={BACKUP}").glob("v=*"))) == 2


def write_dump_file(folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.bson").write_bytes(b"".join(DOCUMENTS))
    (folder / f"{stem}.metadata.json").write_text(METADATA)


@pytest.mark.parametrize(
    ("stem", "problem"),
    [
        pytest.param("..%2F..%2Fx", "'../../x': starts with '.'", id="dotdot-path"),
        pytest.param("%2E%2E", "'..': starts with '.'", id="dotdot"),
        pytest.param("a%00b", "NUL", id="nul"),
        pytest.param("x" * 208 + "%24" + "h" * 27, "bytes long", id="too-long"),
    ],
)
def test_a_dump_file_naming_what_mongodb_cannot_have_fails_in_one_line(tree, stem, problem):
    folder = tree / "src" / "dump" / "apollo"
    write_dump_file(folder, "plain")
    write_dump_file(folder, stem)
    if "%24" in stem:  # mongodump's shortened name: the real one is in the metadata
        metadata = {"options": {}, "indexes": [], "collectionName": "y" * 300}
        (folder / f"{stem}.metadata.json").write_text(json.dumps(metadata))
    result, out = ingest(tree, tree / "src" / "dump")
    assert_one_line_error(result, problem)
    assert listing(out) == set()


@pytest.mark.parametrize("database", ["apollo", "shop"])
def test_a_dump_file_whose_name_climbs_is_one_folder_under_out(tree, database):
    """A plain `.bson` file is read in place (no spool): its name went straight into the dataset's path."""
    write_dump_file(tree / "src" / "dump" / database, "a%2F..%2F..%2F..%2Fx")
    result, out = ingest(tree, tree / "src" / "dump")
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(text) for text in result.stdout.splitlines()]
    assert line["collection"] == "a/../../../x" and line["rows"] == 5
    assert sorted(p.name for p in out.iterdir()) == [path_segment("a/../../../x")]


@pytest.mark.parametrize("database", ["my.db", "two words"])
def test_a_dump_folder_of_a_database_mongodb_cannot_have_fails_in_one_line(tree, database):
    write_dump_file(tree / "src" / "dump" / "apollo", "people")
    write_dump_file(tree / "src" / "dump" / database, "people")
    result, out = ingest(tree, tree / "src" / "dump")
    assert_one_line_error(result, f"database name {database!r}")
    assert listing(out) == set()


def test_databases_of_a_whole_server_dump_are_folders_under_out(tree):
    """Each database of a server's dump has its folder under --out; `admin` and `system.version` included when
    asked for."""
    write_dump_file(tree / "src" / "dump" / "admin", "system.version")
    write_dump_file(tree / "src" / "dump" / "shop", "orders%2F2024")
    result, out = ingest(tree, tree / "src" / "dump", "--include-system")
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(out)) for p in out.glob("*/*")) == ["admin/system.version", "shop/orders%2F2024"]


def test_collections_whose_folders_differ_in_case_only_are_refused(tree):
    """On a case-insensitive disk `People` and `people` would be one folder: each publication would delete the
    other's version."""
    specs = [ArchiveCollectionSpec("apollo", name, DOCUMENTS) for name in ("People", "people")]
    source = write_archive(tree / "src" / "dump.archive", specs)
    result, out = ingest(tree, source)
    assert_one_line_error(result, "'apollo.people'", "differ in case only")
    assert listing(out) == set()


@pytest.mark.parametrize("backup_id", ["../../x", "..", "20261126T040000Z/../../x", "20261126T040000Z\n", "now"])
def test_a_backup_id_option_that_is_not_one_fails_in_one_line(tree, backup_id):
    source = archive(tree, "apollo", "people")
    before = listing(tree)
    out = tree / "a" / "b" / "out"
    result = CliRunner().invoke(main, ["ingest", str(source), "--out", str(out), "--backup-id", backup_id])
    assert_one_line_error(result, "backup id", "YYYYMMDDTHHMMSSZ")
    assert listing(tree) == before


def test_the_quarantine_folder_of_an_odd_name_is_encoded_and_owner_only(tree):
    broken = b"\x0e\x00\x00\x00\x02s\x00\x02\x00\x00\x00\xff\x00\x00"  # a string that is not UTF-8
    specs = [ArchiveCollectionSpec("apollo", "a/../../q", [*DOCUMENTS, broken])]
    source = write_archive(tree / "src" / "dump.archive", specs)
    old = os.umask(0)  # the most permissive umask: modes come from the code alone
    try:
        result, out = ingest(tree, source, "--max-quarantine-share", "0.5")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    folder = out / "_quarantine" / path_segment("a/../../q") / f"backup_id={BACKUP}"
    assert (folder / "quarantine.bson").read_bytes() == broken
    for path in [out / "_quarantine", folder.parent, folder, *folder.iterdir()]:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"
