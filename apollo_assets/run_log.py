"""A run's Dagster event log as a file, for the runs `apollo run` launches (the UI and the daemon keep the console).

Every process of a run (the run's own and each step's) builds its loggers from the run's config, so each appends
its events to the same file, one line per event: the same lines Dagster's console logger prints.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

LOGGER = "event_log_file"
FORMAT = "%(asctime)s %(levelname)s %(message)s"


@dg.logger(
    config_schema={
        "path": dg.Field(str, description="The file the events are appended to."),
        "log_level": dg.Field(str, is_required=False, default_value="DEBUG", description="The logger's threshold."),
    },
    description="Appends the run's event log to a file (apollo run: $APOLLO_DATA_DIR/logs/).",
)
def event_log_file(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    logger = logging.Logger(f"apollo.run.{init_context.run_id}", level=config["log_level"])
    handler = logging.FileHandler(config["path"], encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    return logger


# The loggers a run may select: the console (what a run without logger config gets) and the file.
RUN_LOGGERS = {"console": dg.colored_console_logger, LOGGER: event_log_file}


def event_log_config(path: Path) -> dict:
    """Run config that sends the run's events to `path` only."""
    return {"loggers": {LOGGER: {"config": {"path": str(path)}}}}


def new_log_path(data_dir: Path, now: datetime | None = None) -> Path:
    """`<data dir>/logs/apollo-run-<UTC time>.log` (the folder is created)."""
    folder = data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"apollo-run-{stamp}.log"
