"""Progress of `apollo generate-backup` on a terminal: one bar per collection as its documents are written."""

import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def on_terminal() -> bool:
    return sys.stderr.isatty()


def counted(database: Mapping[str, Iterable[Any]]) -> dict[str, Iterable[Any]]:
    """The same collections, each drawing a bar (stderr) while it is consumed; nothing is read ahead."""
    return {name: _bar(name, documents) for name, documents in database.items()}


def _bar(name: str, documents: Iterable[Any]) -> Iterator[Any]:
    from tqdm import tqdm

    total = len(documents) if hasattr(documents, "__len__") else None
    with tqdm(total=total, desc=f"writing {name}", unit="doc", unit_scale=True, leave=False) as bar:
        for document in documents:
            yield document
            bar.update()
