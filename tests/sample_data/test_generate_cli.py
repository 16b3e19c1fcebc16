"""`apollo generate-backup`: a complete backup in the bucket, with progress bars only when asked (or on a terminal)."""

from pathlib import Path

from click.testing import CliRunner

from apollo_assets.cli import main
from apollo_assets.sample_data.mongodump import MARKER


def generate(bucket: Path, *flags: str):
    result = CliRunner().invoke(main, ["generate-backup", "--bucket", str(bucket), "--scale", "0.05", *flags])
    assert result.exit_code == 0, result.output
    return result


def test_progress_is_drawn_per_collection_when_asked(tmp_path: Path) -> None:
    result = generate(tmp_path, "--progress")
    (backup,) = [p for p in tmp_path.iterdir() if (p / MARKER).exists()]
    assert result.stdout.strip() == f"Backup written: {backup}"
    assert f"generating backup {backup.name}" in result.stderr
    assert "writing people" in result.stderr and "writing usage_events" in result.stderr


def test_no_bars_off_a_terminal(tmp_path: Path) -> None:
    generate(tmp_path)
    result = generate(tmp_path, "--no-progress")
    assert result.stderr == ""
    assert len([p for p in tmp_path.iterdir() if (p / MARKER).exists()]) == 2
