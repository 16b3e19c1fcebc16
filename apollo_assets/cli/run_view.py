"""What `apollo run` shows: a line per layer as it completes (and, on a terminal, a status line redrawn in place),
each failure as it happens, then a summary of the run."""

from __future__ import annotations

import io
import os
import textwrap
import time
from typing import TYPE_CHECKING, TextIO

from apollo_assets.run_progress import LAYERS, RunProgress, layer_lines, status_line

if TYPE_CHECKING:
    from apollo_assets.local_run import PipelineRun
    from apollo_assets.settings import Settings

CLEAR_LINE = "\r\x1b[2K"


class ProgressView:
    """A `local_run.ProgressListener` writing to `stream`; `finish` closes it after the run."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.live = stream.isatty()
        self._shown: set[str] = set()
        self._status_shown = False
        self._progress: RunProgress | None = None

    def __call__(self, progress: RunProgress, lines: list[str]) -> None:
        self._progress = progress
        now = time.time()
        completed = [name for name, layer in progress.layers.items() if layer.complete and name not in self._shown]
        self._shown.update(completed)
        status = status_line(progress, now) if self.live else None
        self._write([f"  {line}" for line in lines] + layer_lines(progress, now, completed), status)

    def finish(self) -> None:
        """The layers that did not complete (a step failed), as far as they got."""
        if self._progress is None:
            return
        rest = [name for name in LAYERS if name in self._progress.layers and name not in self._shown]
        self._shown.update(rest)
        self._write(layer_lines(self._progress, time.time(), rest), None)

    def _write(self, lines: list[str], status: str | None) -> None:
        if self._status_shown:
            self.stream.write(CLEAR_LINE)
            self._status_shown = False
        for line in lines:
            self.stream.write(line + "\n")
        if status:
            self.stream.write(status[: max(terminal_width(self.stream) - 1, 20)])
            self._status_shown = True
        self.stream.flush()


def terminal_width(stream: TextIO, default: int = 120) -> int:
    """The width of the terminal `stream` writes to (not stdout's, which `apollo run` sends to its log)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return default


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def summary_lines(run: PipelineRun, settings: Settings, width: int = 120) -> list[str]:
    state = "succeeded" if run.success else "FAILED"
    lines = [
        f"Backup {run.backup_id}: run {run.run_id} {state} in {duration(run.seconds)}, "
        f"{len(set(run.materialized))} assets materialized"
    ]
    lines += [f"  {failure}" for failure in run.failures]
    rows: dict[str, list[str]] = {}
    for key, count in sorted(run.row_counts.items()):
        layer, _, name = key.partition("/")
        rows.setdefault(layer, []).append(f"{name}={count}")
    # Layers with the same rows share a line (masking keeps every row: the lake has the snapshots' counts).
    same: dict[tuple[str, ...], list[str]] = {}
    for layer, counts in rows.items():
        same.setdefault(tuple(counts), []).append(layer)
    for counts, layers in same.items():
        lines += _wrapped(f"rows {' = '.join(layers)}: " + ", ".join(counts), width)
    metrics: dict[str, list[str]] = {}
    for name, value in sorted(run.metrics.items()):
        asset, _, metric = name.partition(" ")
        metrics.setdefault(asset, []).append(f"{metric}={value:.3f}")
    for asset, values in metrics.items():
        lines += _wrapped(f"{asset}: " + ", ".join(values), width)
    lines.append(f"  outputs: lake {settings.lake_url}, warehouse {settings.warehouse_path}, models {settings.ml_dir}")
    if run.log_path is not None:
        lines.append(f"  event log: {run.log_path}")
    return lines


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
