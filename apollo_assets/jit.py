"""numba's `njit`, cached on disk: the platform's compiled loops (the BSON reader's kernels, masking's HMAC loop).

Compiled code is cached beside each module (numba's `cache=True`; else in `NUMBA_CACHE_DIR` or the user's cache
folder), so each kernel is compiled once per installation (`make setup` does it). Where no cache folder is
writable (a read-only image without `NUMBA_CACHE_DIR`), every process compiles them again (~20 s in all).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from numba import njit


def jit(**options: object) -> Callable[[Callable], Callable]:
    """`njit(cache=True, **options)`, or without the cache (and a warning) where numba can write none."""

    def compile_(fn: Callable) -> Callable:
        try:
            return njit(cache=True, **options)(fn)
        except RuntimeError as exc:  # numba finds no writable cache folder
            warnings.warn(f"numba cannot cache {fn.__name__}, it compiles it in each process: {exc}", stacklevel=2)
            return njit(**options)(fn)

    return compile_
