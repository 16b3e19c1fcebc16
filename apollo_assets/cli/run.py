from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.settings import load_settings


@click.command(
    "run",
    cls=ApolloCommand,
    help="Headless end-to-end run: sample backup if none, sensor tick, pipeline per new backup. Shows each layer's "
    "progress; Dagster's event log and everything the run's processes print go to $APOLLO_DATA_DIR/logs/.",
)
def run() -> None:
    import dagster as dg

    from apollo_assets.cli.run_view import ProgressView, duration, summary_lines, terminal_width
    from apollo_assets.definitions import current_definitions
    from apollo_assets.local_run import ensure_sample_backup, evaluate_backup_sensor, run_backup
    from apollo_assets.run_log import new_log_path
    from apollo_assets.run_progress import layer_line

    settings = load_settings()
    log_path = new_log_path(settings.data_dir)
    failed = []
    with output_to(log_path) as terminal:

        def echo(line: str) -> None:
            print(line, file=terminal, flush=True)

        echo(f"Log (Dagster's events, dbt's output): {log_path}")
        current_definitions()
        started = time.monotonic()
        written = ensure_sample_backup(settings)
        with dg.DagsterInstance.get() as instance:
            requests = evaluate_backup_sensor(instance)
            note = f"  {written} (sample written: the bucket was empty)" if written else ""
            echo(layer_line("backup", len(requests), len(requests), time.monotonic() - started) + note)
            if not requests:
                echo("No new backup to process: every complete backup already has its run.")
            width = min(terminal_width(terminal), 120)
            for request in requests:
                echo(f"Backup {request.partition_key}:")
                view = ProgressView(terminal)
                result = run_backup(instance, request, log_path=log_path, on_progress=view)
                view.finish()
                for line in summary_lines(result, settings, width):
                    echo(line)
                if not result.success:
                    failed.append(f"run {result.run_id} for backup {result.backup_id} failed")
        echo(f"Done in {duration(time.monotonic() - started)}.")
    if failed:
        raise click.ClickException(f"{'; '.join(failed)} (log: {log_path})")


@contextmanager
def output_to(path: Path) -> Iterator[TextIO]:
    """What this process and every process it starts (the step processes, dbt) write to stdout and stderr goes to
    `path` while the block runs: the file descriptors themselves are redirected, so that child processes inherit
    the file. Yields a stream on the original stdout, for what the person running the command should see. An
    exception leaving the block is reported on the terminal: the descriptors are restored first."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, log):
            os.close(fd)
        terminal.close()
