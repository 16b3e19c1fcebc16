"""How a field name is written in a field path (``address.city``, ``employment_history[].title``): one function,
shared by the snapshot's reports and by masking (plans, leak scans, fingerprints, policy drafts).

Field names come from the data, so a name may itself look like path syntax: a top-level key literally named
``employment_history[].title`` must not be taken for the ``title`` of the array's elements. A name holding
``.``, ``[``, ``]``, ``$`` or ``"``, with blank ends, empty, or with a character that does not print is written
JSON-quoted (``"address.city"``); policy paths cannot contain ``"``, so no rule names such a field by accident:
it stays unlisted, hence masked fail-closed. Every other name is written as it is.
"""

from __future__ import annotations

import json
import re

_PLAIN = re.compile(r'[^.\[\]$"\s](?:[^.\[\]$"]*[^.\[\]$"\s])?')


def path_segment(name: str) -> str:
    """``name`` as one segment of a path: as it is when plain, else JSON-quoted (ASCII when it does not print)."""
    if _PLAIN.fullmatch(name) and name.isprintable():
        return name
    return json.dumps(name, ensure_ascii=not name.isprintable())


def child_path(parent: str, name: str, brackets: str = "") -> str:
    """Path of the field ``name`` below ``parent`` (``""`` at the top); ``brackets`` are the arrays stepped through
    (``"[]"`` per array) between ``parent`` and the document holding ``name``."""
    segment = path_segment(name)
    return f"{parent}{brackets}.{segment}" if parent else segment
