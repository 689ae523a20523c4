"""Memory at scale: pausing Python's cyclic garbage collector while many objects are made at
once, and giving memory freed by one stage back to the system before the next.

Each burst of allocations triggers collections that walk every live tracked object, so
building a structure of millions of objects costs time that grows with its square
(docs/BENCHMARKS.md, "Scoring at L").  Bulk reads, loads and scoring make few reference
cycles: reference counting frees what they drop, and the collector takes the rest once it
runs again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic collector inside the block, as it was before afterwards.

    Threads may nest pauses: the first to end turns the collector back on early (only
    slower), and it always ends on when it was on before the outermost pause.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def return_freed_memory() -> None:
    """Give the heap memory freed so far back to the system (glibc's ``malloc_trim``; a
    no-op elsewhere).  glibc keeps freed memory for reuse, so without this the peak of a
    load stays resident under the scoring that follows it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None
