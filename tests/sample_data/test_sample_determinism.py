"""Same seed, same bytes: backups are reproducible, whatever the process, hash seed or wall clock."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apollo_assets.sample_data import Sizes, generate_database, write_backup, write_sample_backup

from .conftest import SMALL
from .helpers import read_backup

TINY = Sizes().scaled(0.1)


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_backups(tmp_path: Path) -> None:
    for gzip in (False, True):
        a = write_sample_backup(tmp_path / f"a{gzip}", sizes=TINY, gzip=gzip)
        b = write_sample_backup(tmp_path / f"b{gzip}", sizes=TINY, gzip=gzip)
        assert digests(a) == digests(b)


def test_another_seed_gives_another_database() -> None:
    a, b = generate_database(7, 0, TINY), generate_database(8, 0, TINY)
    assert [p["name"] for p in a["people"]] != [p["name"] for p in b["people"]]


@pytest.mark.integration  # a fresh Python process
def test_bytes_do_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    local = write_backup(tmp_path / "here", generate_database(7, 1, TINY), "20261102T040000Z")
    script = (
        "import sys; from pathlib import Path;"
        "from apollo_assets.sample_data import Sizes, generate_database, write_backup;"
        "write_backup(Path(sys.argv[1]), generate_database(7, 1, Sizes().scaled(0.1)), '20261102T040000Z')"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Asia/Tokyo"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "there")], check=True, env=env)
    assert digests(local) == digests(tmp_path / "there" / "20261102T040000Z")


def test_generation_k_is_computable_directly(bucket: Path) -> None:
    """The bucket's third backup (written after two others) equals generation 2 generated from scratch."""
    assert read_backup(bucket / "20261103T040000Z") == generate_database(7, 2, SMALL)
