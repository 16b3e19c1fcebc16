"""What a registered model file may hold, and how it is read: as data, never as code.

skops rebuilds objects from a description, and a crafted description can name any importable callable
(`builtins.exec`, `numpy.load` of a pickle...). Beyond the types skops trusts itself (scikit-learn estimators,
primitives, containers, numpy ufuncs), a file may only name the exact types below: those the project's models hold
(tests/ml/test_model_files.py derives them from the models the assets train). Anything else refuses the file.

A trusted type can still carry hostile content: scikit-learn follows a gradient-boosting tree's child and feature
indexes without bounds checks, and sparse matrices' indexes likewise. Those are checked after loading, before
anything uses the model."""

from __future__ import annotations

from typing import Any

import numpy as np

from ml_assets.errors import ValueFreeError

TREE_PREDICTOR = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
TRUSTED_TYPES = frozenset(
    {
        "numpy.dtype",  # the dtype of an array attribute (HistGradientBoostingClassifier's _preprocessor)
        "scipy.sparse._csr.csr_matrix",  # the fitted TF-IDF profiles of similar_companies' neighbours
        TREE_PREDICTOR,  # reply_propensity's trees (skops leaves it out for the reason above; checked here)
    }
)


class ModelFileError(ValueFreeError):
    """A model file refused: not the registered one, a type outside the allow-list, or content out of bounds."""


def read_model(data: bytes, where: str) -> Any:
    """The model in a skops file's bytes, if every type it names is trusted and its content in bounds."""
    import skops.io as sio  # heavy: only when a model is loaded

    named = sio.get_untrusted_types(data=data)
    refused = sorted(set(named) - TRUSTED_TYPES)
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise ModelFileError(
            f"{where}: the model file names type {refused[0]}{more} outside the allow-list of ml_assets/model_file.py"
        )
    model = sio.loads(data, trusted=named)
    problem = content_problem(model)
    if problem:
        raise ModelFileError(f"{where}: {problem}")
    return model


def content_problem(model: Any) -> str | None:
    """What in a loaded model scikit-learn would index out of bounds, if anything. Everything scikit-learn can reach
    is visited (containers, object arrays, scikit-learn objects' attributes); a tree is judged with the number of
    features of the gradient boosting that holds it."""
    from scipy import sparse
    from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import BaseHistGradientBoosting
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    # An object is visited once per number of features: a tree shared by two models is judged for each.
    seen: set[tuple[int, int | None]] = set()
    pending: list[tuple[Any, int | None]] = [(model, None)]
    while pending:
        item, n_features = pending.pop()
        if (id(item), n_features) in seen or isinstance(item, str | bytes | int | float | bool | type(None)):
            continue
        seen.add((id(item), n_features))
        if isinstance(item, TreePredictor):
            problem = tree_problem(item.nodes, n_features)
            if problem:
                return f"{TREE_PREDICTOR} with {problem}"
        elif sparse.issparse(item):
            try:
                item.check_format(full_check=True)
            except (ValueError, TypeError, AttributeError):
                return f"{type(item).__module__}.{type(item).__name__} with indexes out of bounds"
            continue
        if isinstance(item, BaseHistGradientBoosting):
            declared = getattr(item, "n_features_in_", None)
            n_features = int(declared) if isinstance(declared, int | np.integer) and declared > 0 else 0
        if isinstance(item, dict):
            pending.extend((v, n_features) for v in [*item.keys(), *item.values()])
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend((v, n_features) for v in item)
        elif isinstance(item, np.ndarray):
            if item.dtype == object:
                pending.extend((v, n_features) for v in item.ravel())
        elif type(item).__module__.startswith("sklearn.") and hasattr(item, "__dict__"):
            pending.extend((v, n_features) for v in vars(item).values())
    return None


def tree_problem(nodes: Any, n_features: int | None) -> str | None:
    """Why scikit-learn could not walk this node table safely, if it could not: every split's children come after
    it (in bounds, no cycle), one level deeper, and test a feature the model has."""
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    if not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE or nodes.ndim != 1 or not len(nodes):
        return "a node table that is not one"
    if not n_features:
        return "no valid gradient boosting model holding it (the number of its features is unknown)"
    split = np.flatnonzero(nodes["is_leaf"] == 0)
    left, right = nodes["left"][split].astype(np.int64), nodes["right"][split].astype(np.int64)
    if ((left <= split) | (right <= split) | (left >= len(nodes)) | (right >= len(nodes))).any():
        return "a child outside its tree"
    depth = nodes["depth"].astype(np.int64)
    if depth[0] != 0 or (depth[left] != depth[split] + 1).any() or (depth[right] != depth[split] + 1).any():
        return "depths that do not follow its splits"
    feature = nodes["feature_idx"][split]
    if ((feature < 0) | (feature >= n_features)).any():
        return "a split on a feature the model does not have"
    if nodes["is_categorical"][split].any():
        return "a native categorical split (the project's models have none)"
    return None
