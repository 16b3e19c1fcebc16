from __future__ import annotations

import pickle
import zipfile
from fractions import Fraction

import pytest
from sklearn.linear_model import LogisticRegression

from ml_assets.registry import MODEL_FILE, ModelRegistry


def test_versions_increase_and_load_back(tmp_path):
    registry = ModelRegistry(tmp_path)
    model = LogisticRegression().fit([[0], [1], [2], [3]], [0, 0, 1, 1])
    first = registry.register("m", model, "20261101T040000Z", {"roc_auc": 0.8}, ["x"])
    second = registry.register("m", model, "20261102T040000Z", {"roc_auc": 0.9}, ["x"])
    assert (first.version, second.version) == (1, 2)
    assert registry.versions("m") == [1, 2]
    assert registry.card("m", 2).training_partition == "20261102T040000Z"
    assert registry.load("m", 1).predict([[3]]).tolist() == [1]


def test_a_version_without_its_card_is_not_visible(tmp_path):
    registry = ModelRegistry(tmp_path)
    (tmp_path / "m" / "v1").mkdir(parents=True)
    assert registry.versions("m") == []


def test_a_model_holding_types_outside_the_allowlist_is_refused(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register("m", {"weights": Fraction(1, 3)}, "p", {}, ["x"])
    with pytest.raises(ValueError, match="fractions.Fraction"):
        registry.load("m", 1)


def test_a_pickle_in_place_of_the_model_is_never_unpickled(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register("m", LogisticRegression().fit([[0], [1]], [0, 1]), "p", {}, ["x"])
    (tmp_path / "m" / "v1" / MODEL_FILE).write_bytes(pickle.dumps({"not": "skops"}))
    with pytest.raises(zipfile.BadZipFile):
        registry.load("m", 1)
