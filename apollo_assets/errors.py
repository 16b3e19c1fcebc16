"""The platform's error types: every exception class of `apollo_assets` and `ml_assets` derives from `ApolloError`
(tests/test_errors.py holds it), so that a caller can tell the platform's refusals from a library's failure.

`KnownError` marks the errors whose text is safe to show: composed here from names, counts, types and places, never
from a raw value of the data. The `apollo` command prints a known error as one line (`apollo_assets/cli/errors.py`)
and the models' steps let it through unchanged (`ml_assets/errors.py`); any other error is shown by its type only.
"""

from __future__ import annotations


class ApolloError(Exception):
    """An error raised by the platform's own code (not by a library it calls)."""


class KnownError(ApolloError):
    """An error the user can act on (bad input, option, key, policy, backup or configuration) whose text names what
    and where, never a value from the data: safe to show, log and put in run metadata."""
