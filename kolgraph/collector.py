"""Memory around bulk work: the cyclic garbage collector paused while many objects are
made at once, and freed heap handed back to the system between big steps.

Each burst of allocations triggers collections that walk every live tracked object, so
building a structure of millions of objects costs time that grows with its square
(docs/BENCHMARKS.md, "Scoring at L").  Bulk reads, loads and scoring make few reference
cycles: reference counting frees what they drop, and the collector takes the rest once it
runs again.
"""

from __future__ import annotations

import ctypes
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


@cache
def _glibc_malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows)
        return None


def return_freed_memory() -> None:
    """Hand the heap's free pages back to the operating system.

    glibc keeps what a big step freed (SQLite's page cache after a write, a load's frames)
    for the process's next allocations, so without this the peak of the next step lands on
    top of it.  A no-op where the C library has no ``malloc_trim``.
    """
    trim = _glibc_malloc_trim()
    if trim is not None:
        trim(0)
