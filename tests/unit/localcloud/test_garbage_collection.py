"""The local cloud's processes start with the collector off; the engine then collects less often, fully once
a minute, and forgets finished interpreter threads."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from localcloud.garbage import (
    NO_AUTOMATIC_FULL_COLLECTION,
    YOUNG_OBJECTS,
    FullCollections,
    paused_while_starting,
    quiet_garbage_collection,
)


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


class Holder:
    """A tracked object (the collector looks only at containers)."""


def test_no_collection_while_starting_then_what_the_start_built_is_frozen(collector: None) -> None:
    gc.enable()
    frozen_before = gc.get_freeze_count()
    with paused_while_starting() as ready:
        assert not gc.isenabled()
        built = [Holder() for _ in range(100)]
        ready()
        assert gc.isenabled()
        frozen = gc.get_freeze_count()
        assert frozen >= frozen_before + len(built)
        later = [Holder() for _ in range(100)]
        ready()  # once only: the objects made since stay in the generations
        assert gc.get_freeze_count() <= frozen
    assert gc.isenabled()
    assert gc.get_freeze_count() <= frozen
    assert len(later) == 100


def test_a_start_that_fails_turns_the_collector_back_on_without_freezing(collector: None) -> None:
    gc.enable()
    frozen_before = gc.get_freeze_count()
    with pytest.raises(RuntimeError), paused_while_starting():
        assert not gc.isenabled()
        raise RuntimeError("the engine did not start")
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before


def test_a_collector_that_was_off_stays_off(collector: None) -> None:
    gc.disable()
    with paused_while_starting() as ready:
        ready()
    assert not gc.isenabled()


def test_young_collections_are_rarer_and_full_ones_never_automatic(thresholds: None) -> None:
    _, middle, _ = gc.get_threshold()
    quiet_garbage_collection()
    assert gc.get_threshold() == (YOUNG_OBJECTS, middle, NO_AUTOMATIC_FULL_COLLECTION)
    assert gc.isenabled()


def test_a_full_collection_runs_once_per_interval() -> None:
    now = [100.0]
    collected: list[float] = []
    collections = FullCollections(60.0, clock=lambda: now[0], collect=lambda: collected.append(now[0]))
    ticks = []
    for step in range(0, 150, 1):
        now[0] = 100.0 + step
        ticks.append(collections.tick())
    assert collected == [160.0, 220.0]
    assert sum(ticks) == 2


def test_a_full_collection_frees_cycles_the_young_ones_left(thresholds: None) -> None:
    quiet_garbage_collection()

    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    first, second = Node(), Node()
    first.other, second.other = second, first
    gc.collect(1)  # survives the young generations while still referenced
    watched = weakref.ref(first)
    del first, second
    gc.collect(1)
    assert watched() is not None  # in the oldest generation now: only a full collection frees it
    FullCollections(0.0).tick()
    assert watched() is None


def test_the_interpreter_s_finished_threads_are_forgotten_and_live_ones_kept() -> None:
    from moto.stepfunctions.parser.utils import TMP_THREADS

    from localcloud.runtime.sfn_bridge import forget_finished_threads

    release = threading.Event()
    finished = threading.Thread(target=lambda: None)
    running = threading.Thread(target=release.wait)
    finished.start()
    finished.join()
    running.start()
    TMP_THREADS.extend([finished, running])
    try:
        assert forget_finished_threads() >= 1
        assert finished not in TMP_THREADS and running in TMP_THREADS
    finally:
        release.set()
        running.join()
        forget_finished_threads()
    assert running not in TMP_THREADS
