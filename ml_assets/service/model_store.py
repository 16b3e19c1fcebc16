"""The models the service serves, refreshed from the registry while it runs.

Each model serves the newest version whose training checks all passed and which loads. A version that fails to
load is remembered with its error (shown on /health, so described without its message unless that is value-free:
no path, no value) and never retried; the previous version keeps serving.
Loading happens off the request path (a background thread). Endpoints read the slots from the event loop's
thread meanwhile: every change is a new object assigned in one step (the serving version, the error maps), never
a mutation a reader could observe half done."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ml_assets.errors import describe
from ml_assets.registry import ModelCard, ModelRegistry

log = logging.getLogger(__name__)
# Turns what the registry loaded into what the endpoints use; raises when the version is not servable.
Loader = Callable[[Any, ModelCard], Any]


@dataclass(frozen=True)
class Served:
    card: ModelCard
    model: Any


@dataclass
class Slot:
    name: str
    loader: Loader
    current: Served | None = None
    failed: dict[int, str] = field(default_factory=dict)
    not_servable: dict[int, str] = field(default_factory=dict)


class ModelStore:
    def __init__(self, registry: ModelRegistry, loaders: Mapping[str, Loader]) -> None:
        self.registry = registry
        self.slots = {name: Slot(name, loader) for name, loader in loaders.items()}
        self._lock = threading.Lock()  # one refresh at a time (startup and the poller may overlap)

    def get(self, name: str) -> Served | None:
        return self.slots[name].current

    def refresh(self) -> None:
        with self._lock:
            for slot in self.slots.values():
                self._refresh(slot)

    def _refresh(self, slot: Slot) -> None:
        served = slot.current.card.version if slot.current else 0
        for version in reversed(self.registry.versions(slot.name)):
            if version <= served:
                return
            if version in slot.failed or version in slot.not_servable:
                continue
            try:
                card = self.registry.card(slot.name, version)
                if not card.passed_checks:
                    failing = sorted(name for name, passed in card.checks.items() if not passed)
                    slot.not_servable = {
                        **slot.not_servable,
                        version: f"failed checks at training: {', '.join(failing)}",
                    }
                    continue
                slot.current = Served(card, slot.loader(self.registry.load(slot.name, version), card))
                log.info("serving %s v%d", slot.name, version)
                return
            except Exception as error:  # any failure of one version must leave the previous one serving
                reason = describe(error)[:500]
                slot.failed = {**slot.failed, version: reason}
                log.warning("%s v%d failed to load: %s", slot.name, version, reason)
