"""What a person watching `apollo run` is told: each layer's assets done out of its total, and how long it has taken;
the steps that failed, with the first line of their error.

Pure: it is fed the run's events one at a time (`RunProgress.observe`), as `local_run` reads them from the instance,
and renders lines; it neither reads the instance nor writes to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LAYERS = ("backup", "snapshots", "lake", "warehouse", "marts", "models")
# The layer of each asset group (groups are set where the assets are defined; dbt's from the model's folder).
GROUP_LAYERS = {
    "mongo_snapshots": "snapshots",
    "lake": "lake",
    "warehouse_staging": "warehouse",
    "warehouse_gold": "warehouse",
    "marts": "marts",
    "ml_features": "marts",
    "ml": "models",
}


def layer_of_group(group: str | None) -> str:
    """The layer of an asset group; an unknown group (a new one) counts with the warehouse's neighbours, the marts."""
    return GROUP_LAYERS.get(group or "", "marts")


@dataclass
class Layer:
    name: str
    total: int
    done: int = 0
    started: float | None = None  # when the first step holding one of its assets started
    last: float | None = None  # when its latest asset was materialized

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def seconds(self, now: float) -> float | None:
        if self.started is None:
            return None
        end = self.last if self.complete and self.last is not None else now
        return max(end - self.started, 0.0)


@dataclass(frozen=True)
class StepAssets:
    """What a step computes: the assets (and, for a check step, the assets whose checks it runs) it reports on."""

    assets: tuple[str, ...]

    def describe(self) -> str:
        if len(self.assets) == 1:
            return self.assets[0]
        return f"{self.assets[0]} and {len(self.assets) - 1} more"


@dataclass
class RunProgress:
    layers: dict[str, Layer]
    asset_layers: Mapping[str, str]  # asset key (user string) -> layer
    steps: Mapping[str, StepAssets]  # step key -> its assets
    failures: list[str] = field(default_factory=list)
    started: float | None = None
    seen: set[str] = field(default_factory=set)  # assets materialized (a retried step may report one again)

    @classmethod
    def plan(cls, asset_groups: Mapping[str, str | None], steps: Mapping[str, Iterable[str]]) -> RunProgress:
        """The run's layers from its assets' groups ({asset key: group}) and its steps ({step key: asset keys})."""
        asset_layers = {key: layer_of_group(group) for key, group in asset_groups.items()}
        totals = {name: 0 for name in LAYERS if name != "backup"}
        for layer in asset_layers.values():
            totals[layer] += 1
        layers = {name: Layer(name, total) for name, total in totals.items() if total}
        described = {step: StepAssets(tuple(sorted(keys))) for step, keys in steps.items() if keys}
        return cls(layers, asset_layers, described)

    def step_started(self, step_key: str, at: float) -> None:
        for layer in self._layers_of_step(step_key):
            if layer.started is None or at < layer.started:
                layer.started = at

    def materialized(self, asset_key: str, at: float) -> None:
        layer = self.layers.get(self.asset_layers.get(asset_key, ""))
        if layer is None or asset_key in self.seen:
            return
        self.seen.add(asset_key)
        layer.done += 1
        layer.last = at
        if layer.started is None:
            layer.started = at

    def step_failed(self, step_key: str, error: str) -> str:
        assets = self.steps.get(step_key)
        line = f"FAILED {assets.describe() if assets else step_key}: {error}"
        self.failures.append(line)
        return line

    def check_failed(self, asset_key: str, check_name: str, severity: str = "ERROR") -> str:
        if severity != "ERROR":  # a warning check: shown, but the run has not failed for it
            return f"{severity} check {check_name} of {asset_key}"
        line = f"FAILED check {check_name} of {asset_key}"
        self.failures.append(line)
        return line

    def run_failed(self, message: str) -> str:
        line = f"FAILED run: {message}"
        self.failures.append(line)
        return line

    def _layers_of_step(self, step_key: str) -> list[Layer]:
        assets = self.steps.get(step_key)
        names = {self.asset_layers.get(key) for key in (assets.assets if assets else ())}
        return [self.layers[name] for name in LAYERS if name in names and name in self.layers]


def layer_line(name: str, done: int, total: int, seconds: float | None) -> str:
    """`  lake         8/8    10.1 s` — the same columns for every layer."""
    timing = f"{seconds:6.1f} s" if seconds is not None else "      -"
    return f"  {name:<10} {done:>3}/{total:<3} {timing}"


def layer_lines(progress: RunProgress, now: float, names: Iterable[str] | None = None) -> list[str]:
    wanted = list(names) if names is not None else list(progress.layers)
    return [
        layer_line(layer.name, layer.done, layer.total, layer.seconds(now))
        for name in LAYERS
        if name in wanted and (layer := progress.layers.get(name))
    ]


def status_line(progress: RunProgress, now: float) -> str:
    """One line for a terminal to redraw in place: every layer not yet complete, with its count so far."""
    parts = []
    for name in LAYERS:
        layer = progress.layers.get(name)
        if layer is None or layer.complete:
            continue
        seconds = layer.seconds(now)
        parts.append(f"{name} {layer.done}/{layer.total}" + (f" {seconds:.0f}s" if seconds is not None else ""))
    elapsed = f"{now - progress.started:.0f}s" if progress.started is not None else ""
    return "  " + " · ".join(parts) + (f"  ({elapsed})" if elapsed else "")


def first_line(message: str, cls_name: str | None = None) -> str:
    """The first line of an error message, its exception class named without its module path (a line that ends
    with a colon announces the next one, which is added)."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    line = lines[0] if lines else (cls_name or "error")
    if line.endswith(":") and len(lines) > 1:
        line = f"{line} {lines[1]}"
    prefix, sep, rest = line.partition(": ")
    if sep and cls_name and prefix.endswith(cls_name):
        return f"{cls_name}: {rest}"
    return line
