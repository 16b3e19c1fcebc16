"""Evaluation plots as PNG data URIs inside Markdown, so that the Dagster UI shows them with the materialization.

Figures are built with matplotlib's object API (no pyplot): no global state and no GUI backend, safe in the
step processes of the multiprocess executor."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # matplotlib is imported when a plot is drawn: the code location loads without it
    from matplotlib.figure import Figure


def _figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _image(figure: Figure, title: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"**{title}**\n\n![{title}](data:image/png;base64,{encoded})\n"


def roc_plot(labels: np.ndarray, scores: np.ndarray, baseline: np.ndarray) -> str:
    from sklearn.metrics import roc_curve

    figure = _figure((4, 3.4))
    axes = figure.subplots()
    for name, values in (("model", scores), ("baseline", baseline)):
        fpr, tpr, _ = roc_curve(labels, values)
        axes.plot(fpr, tpr, label=name)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
    axes.set(xlabel="false positive rate", ylabel="true positive rate")
    axes.legend(loc="lower right")
    return _image(figure, "ROC curve (validation: later sends)")


def calibration_plot(predicted: Sequence[float], observed: Sequence[float], counts: Sequence[int]) -> str:
    figure = _figure((4, 3.4))
    axes = figure.subplots()
    top = max([*predicted, *observed, 0.05]) * 1.1
    axes.plot([0, top], [0, top], linestyle=":", color="grey", label="perfect")
    axes.scatter(predicted, observed, s=[max(8.0, 200 * c / max(counts)) for c in counts], label="bins")
    axes.plot(predicted, observed)
    axes.set(xlabel="mean predicted reply probability", ylabel="observed reply rate", xlim=(0, top), ylim=(0, top))
    axes.legend(loc="upper left")
    return _image(figure, "Calibration (validation, quantile bins)")


def importance_plot(importances: Mapping[str, float]) -> str:
    ordered = sorted(importances.items(), key=lambda item: item[1])
    figure = _figure((5, 0.28 * len(ordered) + 1))
    axes = figure.subplots()
    axes.barh([name for name, _ in ordered], [value for _, value in ordered])
    axes.set(xlabel="ROC AUC lost when the feature is shuffled")
    return _image(figure, "Feature importances (permutation, validation)")


def precision_at_k_plot(curves: Mapping[str, Sequence[float]]) -> str:
    figure = _figure((4, 3.4))
    axes = figure.subplots()
    for name, values in curves.items():
        axes.plot(range(1, len(values) + 1), values, marker=".", label=name)
    axes.set(xlabel="k", ylabel="precision@k (held-out co-saves)")
    axes.legend(loc="upper right")
    return _image(figure, "Precision@k (held-out accounts)")
