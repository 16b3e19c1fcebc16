"""Versioned models on disk, read by the Data & ML service: `<root>/<model>/v<N>/` with the model (skops, safe to
load: no arbitrary pickles) and its card; a version becomes visible only once its card is written."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import skops.io as sio

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
# Types a registered model may contain besides scikit-learn's own: anything else refuses to load.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


@dataclass(frozen=True)
class ModelCard:
    name: str
    version: int
    training_partition: str
    metrics: dict[str, float]
    created_at: str
    features: list[str]


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def register(
        self, name: str, model: Any, training_partition: str, metrics: dict[str, float], features: list[str]
    ) -> ModelCard:
        versions = self.versions(name)
        version = (versions[-1] + 1) if versions else 1
        folder = self.root / name / f"v{version}"
        folder.mkdir(parents=True, exist_ok=False)
        sio.dump(model, folder / MODEL_FILE)
        card = ModelCard(name, version, training_partition, metrics, datetime.now(UTC).isoformat(), features)
        staged = folder / f".{CARD_FILE}.tmp"
        staged.write_text(json.dumps(asdict(card), indent=2))
        staged.rename(folder / CARD_FILE)
        return card

    def versions(self, name: str) -> list[int]:
        folder = self.root / name
        if not folder.exists():
            return []
        found = [int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit() and (p / CARD_FILE).exists()]
        return sorted(found)

    def card(self, name: str, version: int) -> ModelCard:
        return ModelCard(**json.loads((self.root / name / f"v{version}" / CARD_FILE).read_text()))

    def load(self, name: str, version: int) -> Any:
        path = self.root / name / f"v{version}" / MODEL_FILE
        untrusted = sio.get_untrusted_types(file=path)
        refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if refused:
            raise ValueError(f"{path}: refusing to load types outside the allowlist: {refused}")
        return sio.load(path, trusted=untrusted)
