"""Walking the elements of many BSON documents: every element of every document, in document order.

An element is `type byte, key (C string), value`; the value's size follows from its type (and, for most
variable types, from an int32 at its start). Whatever would make pymongo refuse the framing raises Unsupported.
The byte loop itself is `kernels.walk_elements`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apollo_assets.mongo.fast import kernels
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported

ERRORS = {
    kernels.BAD_FRAME: "a document's length prefix or trailing NUL is wrong",
    kernels.UNKNOWN_TYPE: "unknown BSON type {}",
    kernels.SHORT_LENGTH: "a declared length is too small",
    kernels.OVERRUN: "an element runs past the end of its document",
    kernels.KEY_PAST_END: "a key runs past the end of the data",
    kernels.LONG_KEY: f"a key longer than {kernels.MAX_KEY} bytes",
}


@dataclass
class Elements:
    """Elements in document order; `parent` is the index of the document each belongs to."""

    parent: np.ndarray
    type: np.ndarray
    key_start: np.ndarray
    key_end: np.ndarray  # the key's NUL
    value_start: np.ndarray
    value_end: np.ndarray

    def __len__(self) -> int:
        return len(self.parent)


def walk(buf: Buffer, starts: np.ndarray, ends: np.ndarray) -> Elements:
    """The elements of documents `buf[starts[i]:ends[i]]` (each a whole BSON document, length checked)."""
    rows, error, detail = kernels.walk_elements(buf.u8, buf.size, starts, ends)
    if error:
        raise Unsupported(ERRORS[error].format(detail))
    return Elements(*rows)
