"""A command's process tree, timed from outside: wall time, CPU, and the peak RSS of every process in it.

Linux only (/proc). A sampler thread walks the tree every `interval` seconds and keeps, per pid, the largest
`VmHWM` (the kernel's own high-water mark of the process's resident set, so a peak between two samples is not
missed; only a process that lives less than one interval may be) and its CPU seconds (up to its last sample).
`os.wait4` gives the command's own figures.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


@dataclass
class ProcessPeak:
    pid: int
    command: str
    peak_rss_mb: float
    cpu_s: float = 0.0  # user + system seconds at the last sample: on a shared machine, steadier than wall time
    parent: int | None = None


@dataclass
class TreeRun:
    returncode: int
    wall_s: float
    cpu_s: float  # every process of the tree, as last sampled (the kernel's figure misses unreaped descendants)
    peak_rss_mb: float  # the largest single process of the tree (the kernel's figure for waited descendants)
    processes: dict[int, ProcessPeak] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    found = []
    for task in (PROC / str(pid) / "task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def descendants(root: int) -> list[int]:
    seen, todo = [], [root]
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += _children(pid)
    return seen


def _peak_kb(pid: int) -> int | None:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from its third field on (the command name may contain spaces)."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _cpu_s(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime and stime (fields 14 and 15 of stat)


def subtree(processes: dict[int, ProcessPeak], root: int) -> list[ProcessPeak]:
    """A process and its descendants among the sampled processes."""
    children: dict[int | None, list[int]] = {}
    for p in processes.values():
        children.setdefault(p.parent, []).append(p.pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in processes:
            found.append(processes[pid])
        todo += children.get(pid, [])
    return found


def _command(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class _Sampler(threading.Thread):
    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peaks: dict[int, ProcessPeak] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for pid in descendants(self.root):
                kb, fields = _peak_kb(pid), _stat(pid)
                if kb is None or fields is None:
                    continue
                peak = self.peaks.get(pid)
                if peak is None:
                    peak = self.peaks[pid] = ProcessPeak(pid, _command(pid), 0.0, parent=int(fields[1]))
                peak.peak_rss_mb = max(peak.peak_rss_mb, kb / 1024)
                peak.cpu_s = max(peak.cpu_s, _cpu_s(fields))
            self.done.wait(self.interval)


def run_tree(command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path, interval: float = 0.5) -> TreeRun:
    """Run `command` (its output to `log`) and measure it and its descendants."""
    with open(log, "ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = _Sampler(process.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss of wait4 is the process's own peak; descendants' peaks come from the sampler (and RUSAGE_CHILDREN).
    peak = max([usage.ru_maxrss / 1024, *(p.peak_rss_mb for p in sampler.peaks.values())])
    # wait4 counts the descendants the command reaped; the samples count each process of the tree on its own
    cpu = max(usage.ru_utime + usage.ru_stime, sum(p.cpu_s for p in sampler.peaks.values()))
    return TreeRun(process.returncode, wall, cpu, peak, sampler.peaks)
