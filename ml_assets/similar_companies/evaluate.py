"""Precision@k of recommendations against a signal the model never sees: companies saved by the same accounts.

Accounts are split in two. The held-out half defines relevance (two companies are related when one held-out
account saved people from both); the other half gives the popularity baseline its counts, as a recommender
trained on interactions would. Both rankings are scored on the same companies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd  # a type only: the definitions import this module, and need no pandas

K = 10
CURVE_K = 20
HOLDOUT_SHARE = 0.5


@dataclass(frozen=True)
class HeldOut:
    relevant: dict[int, set[int]]  # company row -> related company rows
    popularity: np.ndarray  # company row -> training accounts that saved it
    accounts: frozenset[str]  # the held-out accounts


def held_out_signal(saves: pd.DataFrame, company_ids: list[str], seed: int = 0) -> HeldOut:
    index = {company: i for i, company in enumerate(company_ids)}
    saves = saves[saves["company_id"].isin(index)]
    accounts = np.array(sorted(saves["account_id"].unique()))
    held = {str(a) for a in np.random.default_rng(seed).permutation(accounts)[: round(len(accounts) * HOLDOUT_SHARE)]}
    popularity = np.zeros(len(company_ids))
    relevant: dict[int, set[int]] = defaultdict(set)
    for account, companies in saves.groupby("account_id")["company_id"]:
        rows = {index[c] for c in companies}
        if str(account) not in held:
            popularity[list(rows)] += 1
            continue
        for row in rows:
            relevant[row] |= rows - {row}
    return HeldOut({row: related for row, related in relevant.items() if related}, popularity, frozenset(held))


def popularity_ranking(popularity: np.ndarray, k: int) -> np.ndarray:
    """The k most popular companies for every company, itself excluded."""
    order = np.argsort(-popularity, kind="stable")[: k + 1]
    return np.array([[c for c in order if c != row][:k] for row in range(len(popularity))])


def precision_at(ranked: np.ndarray, relevant: dict[int, set[int]], k: int) -> float:
    if not relevant:
        return float("nan")
    return float(np.mean([len(relevant[row] & set(ranked[row, :k].tolist())) / k for row in relevant]))


def coverage_at(ranked: np.ndarray, k: int) -> float:
    """Share of the catalogue recommended to at least one company: popularity recommends the same few."""
    return float(len(np.unique(ranked[:, :k])) / len(ranked)) if len(ranked) else float("nan")


def evaluate(neighbors: np.ndarray, held: HeldOut) -> tuple[dict[str, float], dict[str, list[float]]]:
    k = min(K, neighbors.shape[1])
    baseline = popularity_ranking(held.popularity, neighbors.shape[1])
    companies = len(neighbors)
    density = [len(r) / max(companies - 1, 1) for r in held.relevant.values()]
    metrics = {
        f"precision_at_{K}": precision_at(neighbors, held.relevant, k),
        f"baseline_precision_at_{K}": precision_at(baseline, held.relevant, k),
        f"coverage_at_{K}": coverage_at(neighbors, k),
        f"baseline_coverage_at_{K}": coverage_at(baseline, k),
        "random_precision": float(np.mean(density)) if density else float("nan"),
        "companies": float(companies),
        "evaluated_companies": float(len(held.relevant)),
        "held_out_accounts": float(len(held.accounts)),
    }
    top = min(CURVE_K, neighbors.shape[1])
    curves = {
        "model": [precision_at(neighbors, held.relevant, i) for i in range(1, top + 1)],
        "popularity": [precision_at(baseline, held.relevant, i) for i in range(1, top + 1)],
    }
    return metrics, curves
