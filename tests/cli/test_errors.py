"""The `apollo` command's error boundary: a known error is one line on stderr and exit status 1, whichever
subcommand meets it; a traceback only with --debug; no raw value from the data in any error text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from apollo_assets.cli import main
from apollo_assets.cli.errors import ApolloCommand, ApolloGroup, error_text
from apollo_assets.masking.tokens.key import MaskingKeyError
from tests.mongo.helpers import write_dump

BACKUP = "20261126T040000Z"


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APOLLO_MASKING_KEY", "ab" * 32)
    monkeypatch.delenv("APOLLO_ENV", raising=False)
    monkeypatch.delenv("APOLLO_DEBUG", raising=False)


@pytest.fixture
def dump(tmp_path) -> Path:
    write_dump(tmp_path / "dump" / "apollo", "people", [{"_id": i, "email": f"p{i}@example.com"} for i in range(3)])
    return tmp_path / "dump"


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    return lines[0]


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
    return found


def test_every_subcommand_goes_through_the_boundary():
    every = commands(main)
    assert {" ".join(p) for p, _ in every} >= {"generate-backup", "ingest", "policy", "policy suggest", "run", "serve"}
    assert isinstance(main, ApolloGroup)
    for path, command in every:
        assert isinstance(command, ApolloCommand | ApolloGroup), path
        assert "--debug" in [o for p in command.params for o in getattr(p, "opts", [])], path


def test_a_bad_masking_key_is_one_line(dump, tmp_path, monkeypatch):
    monkeypatch.setenv("APOLLO_MASKING_KEY", "not a key, not hex nor base64!")
    result = CliRunner().invoke(main, ["ingest", str(dump), "--out", str(tmp_path / "out"), "--backup-id", BACKUP])
    line = one_line(result)
    assert "APOLLO_MASKING_KEY is neither hex nor base64" in line and "not a key" not in line
    assert not (tmp_path / "out").exists()


def test_debug_lets_the_error_through_with_its_traceback(dump, tmp_path, monkeypatch):
    monkeypatch.setenv("APOLLO_MASKING_KEY", "zz")
    args = ["ingest", str(dump), "--out", str(tmp_path / "out"), "--debug"]
    assert isinstance(CliRunner().invoke(main, args).exception, MaskingKeyError)
    assert isinstance(CliRunner().invoke(main, ["--debug", *args[:-1]]).exception, MaskingKeyError)
    monkeypatch.setenv("APOLLO_DEBUG", "1")
    assert isinstance(CliRunner().invoke(main, args[:-1]).exception, MaskingKeyError)


@pytest.mark.integration  # runs `python -c` as a user would
def test_the_installed_command_prints_one_line_and_a_traceback_only_when_asked(dump, tmp_path):
    env = {**os.environ, "APOLLO_MASKING_KEY": "not a key!", "APOLLO_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-c", "from apollo_assets.cli import main; main()", "ingest", str(dump), "--out"]
    quiet = subprocess.run([*command, str(tmp_path / "a")], env=env, capture_output=True, text=True, check=False)
    assert quiet.returncode == 1 and quiet.stdout == ""
    assert quiet.stderr.strip().splitlines() == ["Error: APOLLO_MASKING_KEY is neither hex nor base64"]
    loud = subprocess.run([*command, str(tmp_path / "b"), "--debug"], env=env, capture_output=True, text=True)
    assert loud.returncode == 1 and "Traceback" in loud.stderr and "MaskingKeyError" in loud.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ingest", "SRC", "--out", "OUT", "--workers", "many"], "'many' is not a valid integer"),
        (["ingest", "SRC"], "Missing option '--out'"),
        (["ingest", "SRC", "--out", "OUT", "--read-preference", "fastest"], "read_preference 'fastest'"),
        (["ingest", "SRC", "--out", "OUT", "-c", "nope"], "has no collection(s) ['nope']"),
        (["ingest", "SRC", "--out", "OUT", "--database", "shop"], "database 'shop' is not in this backup"),
        (["ingest", "SRC", "--out", "OUT", "--backup-id", "../x"], "backup id '../x'"),
        (["ingest", "SRC/nowhere", "--out", "OUT"], "backup path does not exist"),
        (["policy", "suggest", "SRC", "-c", "nope"], "not in the backup: ['nope']"),
        (["generate-backup", "--bucket", "OUT", "--scale", "0.01", "--at", "2001-01-01"], "not after the latest"),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_a_bad_option_or_input_is_one_line(dump, tmp_path, args, expected):
    if args[0] == "generate-backup":
        assert CliRunner().invoke(main, ["generate-backup", "--bucket", str(tmp_path / "out"), "--scale", "0.01"])
    args = [a.replace("SRC", str(dump)).replace("OUT", str(tmp_path / "out")) for a in args]
    assert expected in one_line(CliRunner().invoke(main, args))


def test_a_missing_or_bad_environment_is_one_line(monkeypatch, dump, tmp_path):
    monkeypatch.setenv("APOLLO_ENV", "staging")
    assert "APOLLO_ENV must be 'local' or 'prod'" in one_line(CliRunner().invoke(main, ["run"]))
    monkeypatch.delenv("APOLLO_ENV")
    monkeypatch.delenv("APOLLO_SERVICE_TOKEN", raising=False)
    assert "APOLLO_SERVICE_TOKEN" in one_line(CliRunner().invoke(main, ["serve"]))
    monkeypatch.delenv("APOLLO_MONGO_URI", raising=False)
    missing = one_line(CliRunner().invoke(main, ["ingest", "live", "--out", str(tmp_path / "o")]))
    assert "APOLLO_MONGO_URI is not set" in missing
    named = one_line(CliRunner().invoke(main, ["ingest", "env:MY_CLUSTER", "--out", str(tmp_path / "o")]))
    assert "'MY_CLUSTER' (env:MY_CLUSTER) is not set" in named


def test_a_uri_on_the_command_line_is_refused_without_showing_it(tmp_path):
    uri = "mongodb://reader:hunter2@127.0.0.1:1/?authSource=admin&tlsCertificateKeyFilePassword=s3cret"
    line = one_line(CliRunner().invoke(main, ["ingest", uri, "--out", str(tmp_path / "o")]))
    assert "APOLLO_MONGO_URI" in line and "--allow-uri-argument" in line
    assert "hunter2" not in line and "s3cret" not in line and "reader" not in line


def test_an_unexpected_error_shows_its_type_not_its_text(monkeypatch, dump, tmp_path):
    """A bug's message may quote the data it tripped on: only its type is shown, the rest with --debug."""

    def broken(*args, **kwargs):
        raise KeyError("p1@example.com")

    monkeypatch.setattr("apollo_assets.cli.ingest_run.load_settings", broken)
    line = one_line(CliRunner().invoke(main, ["ingest", str(dump), "--out", str(tmp_path / "o")]))
    assert line == "Error: unexpected KeyError (run again with --debug for its traceback)"
    assert error_text(ValueError("p1@example.com")).startswith("unexpected ValueError (")


def test_a_failed_collection_reports_no_raw_value(monkeypatch, dump, tmp_path):
    """One collection's failure is a JSON line of its own; its error text is the known error's or its type."""

    def broken(*args, **kwargs):
        raise RuntimeError("could not convert 'p1@example.com'")

    monkeypatch.setattr("apollo_assets.cli.ingest_run.ingest_collection", broken)
    result = CliRunner().invoke(main, ["ingest", str(dump), "--out", str(tmp_path / "o"), "--backup-id", BACKUP])
    assert "1 collection(s) failed: people" in one_line(result)
    assert "p1@example.com" not in result.output
    assert '"error": "unexpected RuntimeError' in result.stdout


def test_any_known_error_is_shown_and_any_other_by_its_type_only():
    """A new module's refusal needs no registration: deriving from `KnownError` is what makes its text shown."""
    from apollo_assets.errors import ApolloError, KnownError
    from apollo_assets.mongo.bson_elements import ElementError

    class NewRefusal(KnownError):
        pass

    assert error_text(NewRefusal("collection 'x': bad   thing\nat 3")) == "collection 'x': bad thing at 3"
    assert error_text(ApolloError("quoting 'secret@example.com'")).startswith("unexpected ApolloError")
    assert "secret" not in error_text(ElementError("value 'secret'", 3))
