"""The real sensor daemon, in process: each tick loads the code location anew (like a restarted daemon) a minute
after the previous one, and the instance only queues the runs it is given."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import dagster as dg
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.scheduler.instigation import InstigatorType, SensorInstigatorData, TickStatus
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.sensor import execute_sensor_iteration

DEFS = Path(__file__).with_name("daemon_defs.py")
QUEUED_ONLY = {"run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}}


class Daemon:
    """Each tick loads the code location anew, the way a restarted daemon would, a minute after the previous one."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance, self.now = instance, time.time()

    def tick(self) -> float:
        """One daemon iteration; returns how long the whole tick took (code location load excluded)."""
        self.now += 61  # past the sensor's minimum interval
        origin = InProcessCodeLocationOrigin(
            LoadableTargetOrigin(python_file=str(DEFS), attribute="defs", working_directory=str(DEFS.parents[2])),
            location_name="backups_test",
        )
        target = InProcessWorkspaceLoadTarget(origin)
        with freeze_time(self.now), create_test_daemon_workspace_context(target, self.instance) as context:
            context.create_request_context().get_code_location_entries()  # load the code location first
            started = time.perf_counter()
            list(execute_sensor_iteration(context, logging.getLogger("test.daemon"), None, None))
            elapsed = time.perf_counter() - started
        state = self.state()
        ticks = self.instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1)
        assert ticks[0].status != TickStatus.FAILURE, ticks[0].error
        return elapsed

    def run_keys(self) -> list[str]:
        return sorted(r.dagster_run.tags.get("dagster/run_key", "") for r in self.instance.get_run_records())

    def state(self):
        sensors = self.instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        (state,) = [s for s in sensors if s.name == "backup_sensor"]
        return state

    def reset_cursor(self) -> None:
        """What `dagster sensor cursor --delete` and the UI's "reset cursor" do."""
        state = self.state()
        data = state.instigator_data
        self.instance.update_instigator_state(
            state.with_data(
                SensorInstigatorData(
                    last_tick_timestamp=data.last_tick_timestamp,
                    last_run_key=data.last_run_key,
                    min_interval=data.min_interval,
                    cursor=None,
                    last_tick_start_timestamp=data.last_tick_start_timestamp,
                    last_sensor_start_timestamp=data.last_sensor_start_timestamp,
                    sensor_type=data.sensor_type,
                )
            )
        )
