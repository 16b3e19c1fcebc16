"""Precision@k of recommendations against a signal the model never sees: companies saved by the same accounts.

Accounts are split in two. The held-out half defines relevance (two companies are related when one held-out
account saved people from both); the other half gives the popularity baseline its counts, as a recommender
trained on interactions would. Both rankings are scored on the same companies.

Relevance is never listed pair by pair (one account saving 3,000 companies relates 9,000,000 pairs): a pair is
related when the two companies' rows of the company x held-out-account incidence matrix share an account, so only
the pairs that are recommended are tested.

Precision@k falls with the size of the catalogue, whatever the model: each account saves about as many companies
at any scale, so a company's related companies are a share of the catalogue that shrinks as it grows (the
density, `random_precision`: what a random ranking scores). Compare scales by the lift over the popularity
baseline and over the density, not by the precision itself (docs/measurements.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # types only: the definitions import this module, and need neither pandas nor scipy
    import pandas as pd
    from scipy import sparse

K = 10
CURVE_K = 20
HOLDOUT_SHARE = 0.5
DENSITY_CHUNK = 2_048  # companies whose related companies are counted at once


@dataclass(frozen=True)
class HeldOut:
    saved: sparse.csr_matrix  # company row x held-out account: 1 where the account saved the company
    popularity: np.ndarray  # company row -> training accounts that saved it
    accounts: frozenset[str]  # the held-out accounts

    @property
    def evaluated(self) -> np.ndarray:
        """Rows with at least one related company: saved by a held-out account that saved another company too."""
        from scipy import sparse

        per_account = np.asarray(self.saved.sum(axis=0)).ravel()
        shared = self.saved @ sparse.diags((per_account > 1).astype(np.float64))
        return np.flatnonzero(shared.getnnz(axis=1))

    def related(self, row: int) -> set[int]:
        """The companies related to one company (for inspection: evaluation never lists them)."""
        accounts = self.saved[row].indices
        return set(self.saved[:, accounts].tocsr().nonzero()[0].tolist()) - {row}

    def is_related(self, rows: np.ndarray, ranked: np.ndarray) -> np.ndarray:
        """(rows, k) booleans: whether each company of `ranked` shares a held-out account with its row's."""
        left = self.saved[np.repeat(rows, ranked.shape[1])]
        right = self.saved[ranked.ravel()]
        return (np.asarray(left.multiply(right).sum(axis=1)).ravel() > 0).reshape(ranked.shape)

    def related_counts(self, rows: np.ndarray) -> np.ndarray:
        """How many companies each row is related to, counted in chunks of rows."""
        counts = np.zeros(len(rows), dtype=np.int64)
        transposed = self.saved.T.tocsr()
        for start in range(0, len(rows), DENSITY_CHUNK):
            chunk = rows[start : start + DENSITY_CHUNK]
            counts[start : start + len(chunk)] = (self.saved[chunk] @ transposed).getnnz(axis=1) - 1  # not itself
        return counts


def held_out_signal(saves: pd.DataFrame, company_ids: list[str], seed: int = 0) -> HeldOut:
    import pandas as pd
    from scipy import sparse

    index = {company: i for i, company in enumerate(company_ids)}
    saves = saves[saves["company_id"].isin(index)]
    accounts = np.array(sorted(saves["account_id"].astype(str).unique()))
    held = sorted(np.random.default_rng(seed).permutation(accounts)[: round(len(accounts) * HOLDOUT_SHARE)].tolist())
    rows = saves["company_id"].map(index).to_numpy(dtype=np.int64)
    account = saves["account_id"].astype(str).to_numpy()
    column = pd.Series(range(len(held)), index=held).reindex(account).to_numpy()
    is_held = ~np.isnan(column)
    popularity = np.bincount(rows[~is_held], minlength=len(company_ids)).astype(np.float64)
    saved = sparse.csr_matrix(
        (np.ones(is_held.sum()), (rows[is_held], column[is_held].astype(np.int64))), shape=(len(company_ids), len(held))
    )
    saved.sum_duplicates()
    saved.data[:] = 1.0  # an account saving several people of a company is one save
    return HeldOut(saved, popularity, frozenset(held))


def popularity_ranking(popularity: np.ndarray, k: int) -> np.ndarray:
    """The k most popular companies for every company, itself excluded."""
    top = np.argsort(-popularity, kind="stable")[: k + 1]
    keep = top[None, :] != np.arange(len(popularity))[:, None]
    keep[keep.sum(axis=1) > k, -1] = False  # the row is not among them: drop the least popular instead
    return np.broadcast_to(top, keep.shape)[keep].reshape(len(popularity), len(top) - 1)


def precision_at(hits: np.ndarray, k: int) -> float:
    """Mean share of related companies among the first k, over the evaluated rows (`hits` from `is_related`)."""
    return float(hits[:, :k].sum(axis=1).mean() / k) if len(hits) else float("nan")


def coverage_at(ranked: np.ndarray, k: int) -> float:
    """Share of the catalogue recommended to at least one company: popularity recommends the same few."""
    return float(len(np.unique(ranked[:, :k])) / len(ranked)) if len(ranked) else float("nan")


def evaluate(neighbors: np.ndarray, held: HeldOut) -> tuple[dict[str, float], dict[str, list[float]]]:
    k = min(K, neighbors.shape[1])
    top = min(CURVE_K, neighbors.shape[1])
    baseline = popularity_ranking(held.popularity, neighbors.shape[1])
    rows = held.evaluated
    model_hits = held.is_related(rows, neighbors[rows, :top])
    baseline_hits = held.is_related(rows, baseline[rows, :top])
    companies = len(neighbors)
    density = held.related_counts(rows) / max(companies - 1, 1)
    metrics = {
        f"precision_at_{K}": precision_at(model_hits, k),
        f"baseline_precision_at_{K}": precision_at(baseline_hits, k),
        f"coverage_at_{K}": coverage_at(neighbors, k),
        f"baseline_coverage_at_{K}": coverage_at(baseline, k),
        "random_precision": float(np.mean(density)) if len(density) else float("nan"),
        "companies": float(companies),
        "evaluated_companies": float(len(rows)),
        "held_out_accounts": float(len(held.accounts)),
    }
    curves = {
        "model": [precision_at(model_hits, i) for i in range(1, top + 1)],
        "popularity": [precision_at(baseline_hits, i) for i in range(1, top + 1)],
    }
    return metrics, curves
