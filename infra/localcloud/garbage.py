"""The cyclic garbage collector in the local cloud's processes: off while they start, quieter afterwards.

Starting, the engine imports moto and restores the journal, the zygote imports the workers' libraries, and
`trainbook up` translates the template, provisions and imports the gateway: hundreds of thousands of new
objects, nearly all alive for the whole run, which every collection of that time scans again for nothing
(Python collects every 700 allocations, the older generations every 10 and 100 of those). So the collector
is off until the process is ready; then what the start built is frozen (`gc.freeze`: out of every
generation, never scanned again, as the zygote and the journal's restore already did) and the collector
is on again. Ten alternating restarts of one data dir: 2.96 s median before, 2.49 s after.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# The engine, measured under the booking bench (8 clients): with Python's thresholds (700, 10, 10) the
# collector took 8 % of its CPU, 245 young collections and two full ones of 66 ms each within six seconds
# (a full collection scans every object the timetable and the requests left).
YOUNG_OBJECTS = 10_000  # allocations between young collections (Python's default: 700)
NO_AUTOMATIC_FULL_COLLECTION = 1 << 30
FULL_COLLECTION_SECONDS = 60.0  # the engine's maintenance thread collects everything this often


@contextmanager
def paused_while_starting() -> Iterator[Callable[[], None]]:
    """No collection until the body calls the function it is given (ready: what exists now is frozen)
    or leaves; a body that fails before it is ready turns the collector back on without freezing."""
    was_enabled = gc.isenabled()
    paused = True

    def ready() -> None:
        nonlocal paused
        if paused:
            paused = False
            gc.freeze()
            if was_enabled:
                gc.enable()

    gc.disable()
    try:
        yield ready
    finally:
        if paused and was_enabled:
            gc.enable()


def quiet_garbage_collection() -> None:
    """Young collections every YOUNG_OBJECTS allocations, full ones only from `FullCollections`.

    Most of the engine's objects die by reference counting; a young collection looks at every tracked
    object allocated since the last one, so fewer of them cost less for the same garbage found. Cycles
    that live long enough to reach the oldest generation (an execution's interpreter state) are freed by
    the periodic full collection instead of every few seconds under load."""
    _, middle, _ = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, NO_AUTOMATIC_FULL_COLLECTION)


class FullCollections:
    """A full garbage collection at most every `interval` seconds, asked by the maintenance loop."""

    def __init__(
        self,
        interval: float = FULL_COLLECTION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], Any] = gc.collect,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.collect = collect
        self.last = clock()

    def tick(self) -> bool:
        now = self.clock()
        if now - self.last < self.interval:
            return False
        self.collect()
        self.last = self.clock()
        return True
