"""The allocator's thresholds (`ingest.allocator`): freed blocks are reused instead of being faulted in again."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apollo_assets.ingest.allocator import keep_freed_memory

# A chunk's life in miniature: sixteen buffers of ~2 MB written and freed together; 20 chunks. Prints the faults.
CHUNKS = """
import resource, sys
import numpy as np
from apollo_assets.ingest.allocator import keep_freed_memory
if sys.argv[1] == "tuned":
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    buffers = [np.ones(250_000 + 1000 * i) for i in range(16)]
    del buffers
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", CHUNKS, mode], capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.integration  # a fresh Python process
def test_freed_blocks_are_reused_without_page_faults() -> None:
    pages = 16 * 2_000_000 // 4096  # of one chunk
    assert _faults("default") > 10 * pages  # glibc hands the freed heap back: every chunk faults it in again
    assert _faults("tuned") < 2 * pages  # the first chunk's only


def test_the_thresholds_are_set_on_this_machine() -> None:
    assert keep_freed_memory()
