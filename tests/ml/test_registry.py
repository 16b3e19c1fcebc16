from __future__ import annotations

import json
import pickle
import zipfile
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from hashlib import sha256

import pytest
from sklearn.linear_model import LogisticRegression

from ml_assets.registry import CARD_FILE, MODEL_FILE, ModelRegistry


def test_versions_increase_and_load_back(tmp_path):
    registry = ModelRegistry(tmp_path)
    model = LogisticRegression().fit([[0], [1], [2], [3]], [0, 0, 1, 1])
    first = registry.register("m", model, "20261101T040000Z", {"roc_auc": 0.8}, ["x"])
    second = registry.register("m", model, "20261102T040000Z", {"roc_auc": 0.9}, ["x"], checks={"c": True})
    assert (first.version, second.version) == (1, 2)
    assert registry.versions("m") == [1, 2]
    assert registry.card("m", 2).training_partition == "20261102T040000Z"
    assert registry.card("m", 2).checks == {"c": True}
    assert registry.load("m", 1).predict([[3]]).tolist() == [1]


def test_a_version_without_its_card_is_not_visible(tmp_path):
    registry = ModelRegistry(tmp_path)
    (tmp_path / "m" / "v1").mkdir(parents=True)
    assert registry.versions("m") == []


def test_a_staged_version_is_invisible_until_published_and_its_number_is_never_reused(tmp_path):
    registry = ModelRegistry(tmp_path)
    staged = registry.stage("m", {"w": 1})
    assert registry.versions("m") == []
    later = registry.register("m", {"w": 2}, "p", {}, ["x"])
    assert (staged.version, later.version) == (1, 2)  # the crashed/unpublished v1 keeps its number
    registry.publish(staged, "p", {}, ["x"])
    assert registry.versions("m") == [1, 2]


def test_a_discarded_version_leaves_nothing(tmp_path):
    registry = ModelRegistry(tmp_path)
    staged = registry.stage("m", {"w": 1})
    registry.discard(staged)
    assert not staged.folder.exists()
    assert registry.versions("m") == []


def test_concurrent_registrations_get_distinct_versions(tmp_path):
    registry = ModelRegistry(tmp_path)
    with ThreadPoolExecutor(4) as pool:
        cards = list(pool.map(lambda i: registry.register("m", {"i": i}, "p", {}, ["x"]), range(8)))
    assert sorted(c.version for c in cards) == list(range(1, 9))


def test_failed_checks_and_unknown_card_fields(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register("m", {"w": 1}, "p", {}, ["x"], checks={"beats_baseline": False, "no_ids": True})
    card_path = tmp_path / "m" / "v1" / CARD_FILE
    card_path.write_text(json.dumps({**json.loads(card_path.read_text()), "added_by_a_newer_release": 1}))
    card = registry.card("m", 1)
    assert not card.passed_checks
    assert registry.register("m", {"w": 1}, "p", {}, ["x"]).passed_checks  # no checks recorded: nothing failed


def test_a_model_holding_types_outside_the_allowlist_is_refused(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register("m", {"weights": Fraction(1, 3)}, "p", {}, ["x"])
    with pytest.raises(ValueError, match=r"^m v1: the model file names type fractions\.Fraction outside"):
        registry.load("m", 1)


def test_a_pickle_in_place_of_the_model_is_never_unpickled(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register("m", LogisticRegression().fit([[0], [1]], [0, 1]), "p", {}, ["x"])
    pickled = pickle.dumps({"not": "skops"})
    (tmp_path / "m" / "v1" / MODEL_FILE).write_bytes(pickled)
    with pytest.raises(ValueError, match="does not match the sha256"):
        registry.load("m", 1)
    card_path = tmp_path / "m" / "v1" / CARD_FILE  # the card rewritten to match: still only read as a zip
    card_path.write_text(json.dumps({**json.loads(card_path.read_text()), "model_sha256": sha256(pickled).hexdigest()}))
    with pytest.raises(zipfile.BadZipFile):
        registry.load("m", 1)
