"""The DynamoDB lock excludes as before; among its waiters, short requests go before multi-item writes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from localcloud.layer.serialize import DYNAMODB_LOCK, MAX_SHORT_IN_A_ROW, RequestLock
from tests.e2e.localcloud.running import wait_for

Hold = Callable[[], object]


def _queue(lock: RequestLock, holds: list[tuple[str, bool]], order: list[str]) -> list[threading.Thread]:
    """Start one thread per (name, short) while the caller holds `lock`, each waiting before the next."""
    threads = []
    for name, short in holds:

        def take(name: str = name, short: bool = short) -> None:
            with lock.serving("GetItem" if short else "TransactWriteItems"):
                order.append(name)

        before = lock.waiting()
        thread = threading.Thread(target=take)
        thread.start()
        threads.append(thread)
        grown = (before[0] + 1, before[1]) if short else (before[0], before[1] + 1)
        wait_for(lambda grown=grown: lock.waiting() == grown, deadline=10, interval=0.001)
    return threads


def test_waiting_reads_and_single_item_writes_go_before_a_waiting_transaction() -> None:
    lock = RequestLock()
    order: list[str] = []
    with lock:
        threads = _queue(lock, [("transaction", False), ("read", True), ("put", True)], order)
    for thread in threads:
        thread.join(10)
    assert order == ["read", "put", "transaction"]


def test_a_waiting_transaction_goes_after_at_most_the_limit_of_short_grants_in_a_row() -> None:
    lock = RequestLock(max_short_in_a_row=2)
    order: list[str] = []
    with lock:
        holds = [("transaction 1", False), ("transaction 2", False)] + [(f"read {i}", True) for i in range(4)]
        threads = _queue(lock, holds, order)
    for thread in threads:
        thread.join(10)
    # Waiting reads are granted in whatever order the threads wake: only the classes' order is fixed.
    kinds = ["read" if name.startswith("read") else "transaction" for name in order]
    assert kinds == ["read", "read", "transaction", "read", "read", "transaction"]


def test_one_holder_at_a_time_whatever_the_mix_of_holders() -> None:
    lock = RequestLock(max_short_in_a_row=3)
    holding = [0]
    most = [0]
    total = [0]

    def work(hold: Hold) -> None:
        for _ in range(300):
            with hold():  # type: ignore[attr-defined]
                holding[0] += 1
                most[0] = max(most[0], holding[0])
                value = total[0]
                if value % 50 == 0:
                    time.sleep(0)  # gives up the GIL mid-hold: the others run and must wait
                total[0] = value + 1
                holding[0] -= 1

    kinds: list[Hold] = [
        lambda: lock.serving("DynamoDB_20120810.Query"),
        lambda: lock.serving("DynamoDB_20120810.TransactWriteItems"),
        lambda: lock,
    ]
    threads = [threading.Thread(target=work, args=(kinds[i % 3],)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert total[0] == 9 * 300
    assert most[0] == 1
    assert lock.waiting() == (0, 0)


def test_the_holder_takes_it_again_either_way_and_only_the_holder_releases() -> None:
    lock = RequestLock()
    with lock, lock.serving("GetItem"), lock:
        taken = threading.Event()

        def take() -> None:
            lock.acquire(short=True)
            taken.set()

        other = threading.Thread(target=take)
        other.start()
        wait_for(lambda: lock.waiting() == (1, 0), deadline=10, interval=0.001)
        assert not taken.is_set()
    other.join(10)
    assert taken.is_set()  # released only after the outermost hold ended
    with pytest.raises(RuntimeError):
        lock.release()  # held by the other thread now, not this one


@pytest.mark.parametrize(
    ("target", "short"),
    [
        ("DynamoDB_20120810.GetItem", True),
        ("DynamoDB_20120810.Query", True),
        ("DynamoDB_20120810.BatchGetItem", True),
        ("DynamoDB_20120810.UpdateItem", True),
        ("DynamoDB_20120810.PutItem", True),
        ("DynamoDB_20120810.TransactWriteItems", False),
        ("DynamoDB_20120810.BatchWriteItem", False),
        ("DynamoDB_20120810.Scan", False),
        ("", False),
    ],
)
def test_requests_are_short_by_their_action(target: str, short: bool) -> None:
    lock = RequestLock()
    assert (lock.serving(target) is lock.serving("GetItem")) == short


def test_the_engine_lock_is_a_request_lock() -> None:
    assert isinstance(DYNAMODB_LOCK, RequestLock)
    assert MAX_SHORT_IN_A_ROW > 0
