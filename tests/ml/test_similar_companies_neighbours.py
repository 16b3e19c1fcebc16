"""The block-by-block neighbour search is exact: the same similarities as an all-pairs search, ties decided."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize

from ml_assets.similar_companies.neighbours import nearest_neighbours


def profiles(
    n: int, blocks: int, seed: int = 0, width: int = 12, block: np.ndarray | None = None
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """One-hot block columns first, then a few shared term columns: many companies have identical profiles."""
    rng = np.random.default_rng(seed)
    block = rng.integers(0, blocks, n) if block is None else block
    terms = rng.integers(0, 2, (n, width)) * rng.choice([0.5, 1.0], (n, width))
    dense = np.hstack([np.eye(blocks)[block], terms])
    return sparse.csr_matrix(normalize(dense)), block


def all_pairs(matrix: sparse.csr_matrix, k: int) -> np.ndarray:
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, -np.inf)
    return -np.sort(-similarity, axis=1)[:, :k]


@pytest.mark.parametrize(("n", "blocks", "k"), [(400, 3, 10), (300, 12, 30), (60, 2, 59)])
def test_the_same_similarities_as_an_all_pairs_search(n: int, blocks: int, k: int) -> None:
    matrix, block = profiles(n, blocks)
    found, sims = nearest_neighbours(matrix, block, np.arange(blocks), k)
    np.testing.assert_allclose(sims, all_pairs(matrix, k), atol=2e-6)
    assert not (found == np.arange(n)[:, None]).any()
    exact = (matrix @ matrix.T).toarray()
    np.testing.assert_allclose(np.take_along_axis(exact, found, axis=1), sims, atol=2e-6)
    assert all(len(set(row)) == k for row in found.tolist())


def test_a_block_smaller_than_k_takes_neighbours_from_the_others() -> None:
    block = np.random.default_rng(1).integers(0, 3, 200)
    block[:5] = 3  # a block of five companies
    matrix, _ = profiles(200, 4, block=block)
    _, sims = nearest_neighbours(matrix, block, np.arange(4), 10)
    np.testing.assert_allclose(sims, all_pairs(matrix, 10), atol=2e-6)


def test_ties_go_to_the_lower_row() -> None:
    matrix = sparse.csr_matrix(normalize(np.ones((8, 3))))  # eight identical profiles
    found, sims = nearest_neighbours(matrix, np.zeros(8, dtype=int), np.array([0]), 3)
    assert found[0].tolist() == [1, 2, 3] and found[5].tolist() == [0, 1, 2]
    np.testing.assert_allclose(sims, 1.0, atol=1e-6)


def test_k_must_leave_a_company_out() -> None:
    matrix, block = profiles(5, 1)
    with pytest.raises(ValueError, match="k must be"):
        nearest_neighbours(matrix, block, np.arange(1), 5)
