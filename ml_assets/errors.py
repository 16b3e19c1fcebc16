"""Error messages safe to show and to log: only those this project composed itself from names, counts and types.

Any other exception may quote what it choked on (scikit-learn, pandas and DuckDB all put the offending value in
their messages), so only its type and where it was raised are kept when it is described. The platform's own known errors
(`apollo_assets.errors.KnownError`, which `ValueFreeError` is) are value-free by construction."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from apollo_assets.errors import KnownError


class ValueFreeError(KnownError, ValueError):
    """A model step's error whose message names what and where, never a value from the data or a file path."""


class WithheldError(ValueFreeError):
    """An error from a library, re-raised with its message withheld (see `values_withheld`)."""


def describe(error: BaseException) -> str:
    """One line about `error` without any value it may quote: its own message only when that is value-free."""
    if isinstance(error, KnownError):
        return f"{type(error).__name__}: {error}".splitlines()[0]
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"  # without the file name
    frames = traceback.extract_tb(error.__traceback__)
    where = f" in {Path(frames[-1].filename).name}:{frames[-1].lineno} ({frames[-1].name})" if frames else ""
    return f"{type(error).__name__}{where} (its message is withheld: it may quote a value)"


@contextmanager
def values_withheld(step: str) -> Iterator[None]:
    """Re-raise any error of the block but the value-free ones as a `WithheldError` naming `step`, without the
    original as its cause or (shown) context: Dagster copies both, message included, into the event log."""
    try:
        yield
    except KnownError:
        raise
    except Exception as error:
        raise WithheldError(f"{step} failed: {describe(error)}") from None
