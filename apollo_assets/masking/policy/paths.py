"""Field paths as policies name them: ``address.city``, ``employment_history[].title``.

A path is dot-separated field names; ``[]`` after a name steps into the elements of an array. A trailing
``[]`` is dropped when a path is normalised, because an array of scalars and its elements are one field
(``departments`` and ``departments[]`` name the same thing). A field whose name holds path characters is
written quoted (`apollo_assets.field_paths`); a policy path cannot contain a quote or a `$`, so it never names
such a field.
"""

from __future__ import annotations

import re

from apollo_assets.field_paths import child_path

__all__ = ["ancestors", "child_path", "is_valid_path", "normalize_path", "strip_brackets"]

_SEGMENT = r'[^.\[\]$"\s](?:[^.\[\]$"]*[^.\[\]$"\s])?(?:\[\])*'  # no blank at either end, no quote, no `$`
_PATH = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")


def is_valid_path(path: str) -> bool:
    return isinstance(path, str) and _PATH.fullmatch(path) is not None


def normalize_path(path: str) -> str:
    """The canonical spelling of a valid path (no trailing ``[]``)."""
    while path.endswith("[]"):
        path = path[:-2]
    return path


def strip_brackets(path: str) -> str:
    return path.replace("[]", "")


def ancestors(path: str) -> list[str]:
    """Proper ancestors, nearest first: ``a[].b.c`` → ``a[].b``, ``a``."""
    found = []
    while "." in path:
        path = normalize_path(path.rsplit(".", 1)[0])
        found.append(path)
    return found
