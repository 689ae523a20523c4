"""Pausing Python's cyclic garbage collector while many objects are made at once.

Each burst of allocations triggers collections that walk every live tracked object, so
building a structure of millions of objects costs time that grows with its square
(docs/BENCHMARKS.md, "Scoring at L").  Bulk reads, loads and scoring make few reference
cycles: reference counting frees what they drop, and the collector takes the rest once it
runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
