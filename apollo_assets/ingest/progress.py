"""Progress shared by the worker processes: bytes read per worker in a shared array, drawn by the parent."""

from __future__ import annotations

import sys
from collections.abc import Callable
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any

_counters: SynchronizedArray | None = None


def install(counters: SynchronizedArray | None) -> None:
    """Pool initializer: where this process adds the bytes it reads."""
    global _counters
    _counters = counters


def reporter(slot: int) -> Callable[[int], None] | None:
    counters = _counters
    if counters is None:
        return None

    def add(nbytes: int) -> None:
        counters[slot] += nbytes  # one writer per slot: no lock needed

    return add


class Bar:
    """A tqdm bar on a terminal (stderr), nothing otherwise; `refresh` redraws it from the counters."""

    def __init__(self, counters: SynchronizedArray, total: int, label: str, enabled: bool | None = None) -> None:
        self.counters = counters
        show = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        if show:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024, leave=False)

    @property
    def enabled(self) -> bool:
        return self._bar is not None

    def refresh(self) -> None:
        if self._bar is not None:
            self._bar.n = sum(self.counters[:])
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _Ticker:
    """Redraws a bar twice a second from a thread, while the parent is busy converting its own group."""

    def __init__(self, bar: Bar) -> None:
        import threading

        self.bar, self._stop = bar, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.bar.refresh()

    def __enter__(self) -> Bar:
        if self.bar.enabled:
            self._thread.start()
        return self.bar

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.bar.close()


def running_bar(counters: SynchronizedArray, total: int, label: str, enabled: bool | None) -> _Ticker:
    return _Ticker(Bar(counters, total, label, enabled))
