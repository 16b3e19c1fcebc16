"""Versioned models on disk, read by the Data & ML service: `<root>/<model>/v<N>/` with the model (skops) and its
card; a version becomes visible only once its card is written.

A model file is data: the card records its sha256 when it is registered, and loading refuses a file that does not
match it before reading it, then reads it as ml_assets/model_file.py allows (exact types, bounded content)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ml_assets.model_file import ModelFileError, read_model

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"


@dataclass(frozen=True)
class ModelCard:
    name: str
    version: int
    training_partition: str
    metrics: dict[str, float]
    created_at: str
    features: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    # Asset-check outcomes at training time; the service serves only versions whose checks all passed.
    checks: dict[str, bool] = field(default_factory=dict)
    mlflow_run_id: str | None = None
    # sha256 of the model file as registered; cards of releases before it have none and are refused.
    model_sha256: str | None = None

    @property
    def passed_checks(self) -> bool:
        return all(self.checks.values())

    @classmethod
    def from_json(cls, text: str) -> ModelCard:
        known = {f.name for f in fields(cls)}
        # Cards written by a newer release may carry more fields: ignore them rather than refuse the version.
        return cls(**{k: v for k, v in json.loads(text).items() if k in known})


@dataclass(frozen=True)
class StagedVersion:
    """A model written to its version folder, not visible until published (its card is written)."""

    name: str
    version: int
    folder: Path
    sha256: str

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def register(
        self, name: str, model: Any, training_partition: str, metrics: dict[str, float], features: list[str], **extra
    ) -> ModelCard:
        return self.publish(self.stage(name, model), training_partition, metrics, features, **extra)

    def stage(self, name: str, model: Any) -> StagedVersion:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        # Unpublished folders count too, so that a crashed or concurrent training never reuses a version number.
        taken = [int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit()]
        version = max(taken, default=0) + 1
        while True:
            try:
                (folder / f"v{version}").mkdir()
                break
            except FileExistsError:  # another process staged this number first
                version += 1
        import skops.io as sio  # heavy: only when a model is saved or loaded

        data = sio.dumps(model)
        staged = StagedVersion(name, version, folder / f"v{version}", hashlib.sha256(data).hexdigest())
        staged.model_path.write_bytes(data)
        return staged

    def publish(
        self, staged: StagedVersion, training_partition: str, metrics: dict[str, float], features: list[str], **extra
    ) -> ModelCard:
        created = datetime.now(UTC).isoformat()
        card = ModelCard(
            staged.name,
            staged.version,
            training_partition,
            metrics,
            created,
            list(features),
            **extra,
            model_sha256=staged.sha256,
        )
        temporary = staged.folder / f".{CARD_FILE}.tmp"
        temporary.write_text(json.dumps(asdict(card), indent=2))
        temporary.rename(staged.folder / CARD_FILE)
        return card

    def discard(self, staged: StagedVersion) -> None:
        shutil.rmtree(staged.folder, ignore_errors=True)

    def versions(self, name: str) -> list[int]:
        folder = self.root / name
        if not folder.exists():
            return []
        found = [int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit() and (p / CARD_FILE).exists()]
        return sorted(found)

    def card(self, name: str, version: int) -> ModelCard:
        return ModelCard.from_json((self.root / name / f"v{version}" / CARD_FILE).read_text())

    def load(self, name: str, version: int) -> Any:
        """The registered model, refused (ModelFileError, naming the version, never a path) when its file is not the
        one its card describes or holds what model_file.py does not allow."""
        where = f"{name} v{version}"
        expected = self.card(name, version).model_sha256
        if not expected:
            raise ModelFileError(
                f"{where}: its card has no model_sha256 (registered by an older release): retrain or re-register it"
            )
        # Read once: the bytes checked are the bytes loaded, whatever happens to the file meanwhile.
        data = (self.root / name / f"v{version}" / MODEL_FILE).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise ModelFileError(
                f"{where}: the model file does not match the sha256 of its card (changed since it was registered)"
            )
        return read_model(data, where)
