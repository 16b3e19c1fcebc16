"""Model files are data: a registered file runs no code when loaded, whatever it holds, and a file that is not the
one its card describes is refused before it is read."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops
import skops.io as sio
from scipy import sparse
from skops.io._protocol import PROTOCOL

from ml_assets.model_file import TREE_PREDICTOR, TRUSTED_TYPES
from ml_assets.registry import CARD_FILE, MODEL_FILE, ModelRegistry
from ml_assets.reply_propensity.synthetic import synthetic_sends
from ml_assets.reply_propensity.train import train_reply_model

MODELS = ("reply_propensity", "similar_companies")


def value(content: Any) -> dict[str, Any]:
    return {
        "__class__": type(content).__name__,
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": json.dumps(content),
        "is_json": True,
    }


def call(qualified_name: str, *args: Any) -> dict[str, Any]:
    """A skops node that calls `qualified_name(*args)` while the file is loaded (skops builds zoneinfo objects so)."""
    module, _, name = qualified_name.rpartition(".")
    arguments = {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode", "content": args}
    return {"__class__": name, "__module__": module, "__loader__": "ConstructorFromReduceNode", "content": arguments}


def skops_file(schema: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "schema.json", json.dumps({**schema, "protocol": PROTOCOL, "_skops_version": skops.__version__})
        )
    return buffer.getvalue()


class Payload:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple:
        return exec, (self.code,)


def malicious_files(marker: Path) -> dict[str, bytes]:
    """Files that write `marker` when loaded, each through a type the old prefix allow-list let through."""
    code = f"open({str(marker)!r}, 'w').write('ran')"
    pickled = marker.with_name("payload.npy")
    pickled.write_bytes(pickle.dumps(Payload(code)))
    return {
        "builtins.exec": skops_file(call("builtins.exec", value(code))),
        "builtins.eval": skops_file(call("builtins.eval", value(f"exec({code!r})"))),
        # np.load(file, mmap_mode=None, allow_pickle=True): unpickles whatever the path holds
        "numpy.load": skops_file(call("numpy.load", value(str(pickled)), value(None), value(True))),
    }


def plant(registry_root: Path, name: str, version: int, content: bytes, update_card: bool) -> None:
    """Replace a registered model file, as someone who can write to the registry would (card included, or not)."""
    folder = registry_root / name / f"v{version}"
    (folder / MODEL_FILE).write_bytes(content)
    if update_card:
        card = json.loads((folder / CARD_FILE).read_text())
        (folder / CARD_FILE).write_text(json.dumps({**card, "model_sha256": hashlib.sha256(content).hexdigest()}))


@pytest.mark.parametrize("payload", ["builtins.exec", "builtins.eval", "numpy.load"])
def test_a_crafted_file_runs_no_code_even_with_a_matching_card(tmp_path, payload):
    marker = tmp_path / "ran"
    content = malicious_files(marker)[payload]
    registry = ModelRegistry(tmp_path / "registry")
    registry.register("m", {"w": 1}, "p", {}, ["x"])
    plant(registry.root, "m", 1, content, update_card=True)
    with pytest.raises(ValueError, match=rf"m v1: .*type {payload.replace('.', r'\.')} ") as refused:
        registry.load("m", 1)
    assert not marker.exists()
    assert "\n" not in str(refused.value)


def test_a_file_that_does_not_match_its_card_is_refused_before_it_is_read(tmp_path):
    marker = tmp_path / "ran"
    registry = ModelRegistry(tmp_path / "registry")
    registry.register("m", {"w": 1}, "p", {}, ["x"])
    plant(registry.root, "m", 1, malicious_files(marker)["builtins.exec"], update_card=False)
    with pytest.raises(ValueError, match="m v1: the model file does not match the sha256 of its card"):
        registry.load("m", 1)
    assert not marker.exists()
    # Not even opened as a zip: a file that is none is refused for the same reason, not as a bad zip.
    plant(registry.root, "m", 1, b"not a zip file", update_card=False)
    with pytest.raises(ValueError, match="does not match the sha256"):
        registry.load("m", 1)


def test_the_card_records_the_files_hash_at_registration(tmp_path):
    registry = ModelRegistry(tmp_path)
    card = registry.register("m", {"w": 1}, "p", {}, ["x"])
    assert card.model_sha256 == hashlib.sha256((tmp_path / "m" / "v1" / MODEL_FILE).read_bytes()).hexdigest()
    assert registry.card("m", 1).model_sha256 == card.model_sha256


def test_a_card_written_before_hashes_is_refused_with_what_to_do(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register("m", {"w": 1}, "p", {}, ["x"])
    card_path = tmp_path / "m" / "v1" / CARD_FILE
    card_path.write_text(
        json.dumps({k: v for k, v in json.loads(card_path.read_text()).items() if k != "model_sha256"})
    )
    with pytest.raises(ValueError, match=r"m v1: its card has no model_sha256.*retrain or re-register"):
        registry.load("m", 1)


@pytest.fixture(scope="module")
def reply_pipeline():
    return train_reply_model(synthetic_sends(1_000), explain=False).pipeline


def first_split(nodes) -> int:
    return next(i for i in range(len(nodes)) if not nodes["is_leaf"][i])


def far_child(nodes) -> None:
    nodes["left"][first_split(nodes)] = len(nodes) + 1_000_000


def loop(nodes) -> None:
    nodes["right"][first_split(nodes)] = first_split(nodes)


def lying_depth(nodes) -> None:
    nodes["depth"][nodes["left"][first_split(nodes)]] = 10**9  # the compiled scorer loops this many levels


def unknown_feature(nodes) -> None:
    nodes["feature_idx"][first_split(nodes)] = 10**6


def categorical(nodes) -> None:
    nodes["is_categorical"][first_split(nodes)] = 1
    nodes["bitset_idx"][first_split(nodes)] = 10**6


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (far_child, "a child outside its tree"),
        (loop, "a child outside its tree"),
        (lying_depth, "depths that do not follow its splits"),
        (unknown_feature, "a split on a feature the model does not have"),
        (categorical, "a native categorical split"),
    ],
)
def test_a_tampered_tree_is_refused_before_any_prediction(tmp_path, reply_pipeline, tamper, problem):
    """TreePredictor is trusted (the reply model needs it), so its node table is checked: scikit-learn follows its
    indexes without bounds checks, and a crafted one would read outside the array when predicting."""
    pipeline = copy.deepcopy(reply_pipeline)
    tamper(pipeline[-1]._predictors[3][0].nodes)
    registry = ModelRegistry(tmp_path)
    registry.register("reply_propensity", pipeline, "p", {}, ["x"])  # the card matches: only the content is wrong
    with pytest.raises(ValueError, match=rf"^reply_propensity v1: {TREE_PREDICTOR} with {problem}"):
        registry.load("reply_propensity", 1)


def test_the_untampered_model_loads_and_predicts_as_trained(tmp_path, reply_pipeline):
    registry = ModelRegistry(tmp_path)
    registry.register("reply_propensity", reply_pipeline, "p", {}, ["x"])
    rows = synthetic_sends(50, seed=1)[reply_pipeline.feature_names_in_]
    loaded = registry.load("reply_propensity", 1)
    assert (loaded.predict_proba(rows) == reply_pipeline.predict_proba(rows)).all()


def test_a_sparse_matrix_indexing_outside_itself_is_refused(tmp_path):
    matrix = sparse.csr_matrix(np.eye(4))
    matrix.indices[2] = 1_000  # column 1,000 of a 4-column matrix
    registry = ModelRegistry(tmp_path)
    registry.register("m", {"profiles": matrix}, "p", {}, ["x"])
    with pytest.raises(ValueError, match=r"^m v1: scipy\.sparse\._csr\.csr_matrix with indexes out of bounds"):
        registry.load("m", 1)


def test_the_allow_list_is_exactly_what_the_projects_models_hold(sample):
    """Derived from the models the assets trained and registered on the sample backup: a type they stop needing
    leaves the list, a type a new model needs is added on purpose (ml_assets/model_file.py)."""
    registry = ModelRegistry(sample.registry_root)
    needed = set()
    for name in MODELS:
        [version] = registry.versions(name)
        needed |= set(sio.get_untrusted_types(file=sample.registry_root / name / f"v{version}" / MODEL_FILE))
        assert registry.load(name, version) is not None
    assert needed == TRUSTED_TYPES
