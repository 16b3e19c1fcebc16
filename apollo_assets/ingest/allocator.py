"""glibc's allocator, told to keep the memory that converting a chunk frees for the next chunk.

Each chunk allocates and frees the same few buffers of 0.1-30 MB (the walk's rows, numpy temporaries, the
columns' buffers). By default glibc serves those from fresh mappings and hands freed memory back to the kernel,
so every chunk faults its pages in again. With both thresholds raised, freed blocks are reused from the heap: about
a quarter of the page faults and half the system time (docs/measurements.md). The two go together: raising only
the trim threshold turns glibc's adaptive mapping threshold off and makes it worse.

Peak memory does not grow (the same blocks are reused); memory freed after a peak stays in the process until
256 MiB of it are free at the heap's top. Not glibc (musl, macOS): nothing to do.
"""

from __future__ import annotations

import ctypes
import functools
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest on 64-bit: bigger blocks are still mapped on their own
TRIM_THRESHOLD = 256 * 1024 * 1024


@functools.cache
def keep_freed_memory() -> bool:
    """Raise glibc's mapping and trim thresholds in this process (once); whether they are set."""
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
