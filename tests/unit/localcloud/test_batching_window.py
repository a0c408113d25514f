"""MaximumBatchingWindowInSeconds: how a stream trigger gathers a batch, and the 6 MB payload limit."""

from __future__ import annotations

import queue
from typing import Any

import pytest

from localcloud.streams.delivery import MAX_PAYLOAD_BYTES, KeyedLanes, gather, within_payload
from localcloud.streams.trigger import batching_window
from localcloud.template.errors import TemplateError


class Arrivals:
    """What a poller finds unread at each look, and how often it waited between looks."""

    def __init__(self, *looks: tuple[int, int]) -> None:
        self.looks = list(looks)
        self.waits = 0

    def unread(self) -> tuple[int, int]:
        return self.looks.pop(0) if len(self.looks) > 1 else self.looks[0]

    def wait(self, seconds: float) -> bool:
        self.waits += 1
        return False


def test_a_window_lets_records_join_until_the_batch_is_full() -> None:
    arrivals = Arrivals((1, 100), (4, 400), (9, 900), (10, 1000), (12, 1200))
    gather(arrivals.unread, 10, 300, arrivals.wait)
    assert arrivals.waits == 3  # invoked as soon as 10 records waited, long before the window's end
    assert arrivals.looks == [(12, 1200)]


def test_a_window_does_not_hold_a_stream_where_nothing_more_arrives() -> None:
    arrivals = Arrivals((1, 100), (3, 300), (3, 300))
    gather(arrivals.unread, 100, 300, arrivals.wait)
    assert arrivals.waits == 2


def test_without_a_window_or_without_records_nothing_waits() -> None:
    for window, looks in ((0, (1, 100)), (300, (0, 0))):
        arrivals = Arrivals(looks, (50, 5000))
        gather(arrivals.unread, 100, window, arrivals.wait)
        assert arrivals.waits == 0


def test_a_batch_of_6_mb_is_invoked_without_waiting_for_more() -> None:
    arrivals = Arrivals((3, MAX_PAYLOAD_BYTES), (4, MAX_PAYLOAD_BYTES + 1))
    gather(arrivals.unread, 100, 300, arrivals.wait)
    assert arrivals.waits == 0


def record(key: str, sequence: int, size: int = 100) -> dict[str, Any]:
    return {
        "dynamodb": {
            "Keys": {"stream": {"S": key}, "version": {"N": str(sequence)}},
            "SequenceNumber": str(sequence),
            "SizeBytes": size,
        }
    }


def test_records_beyond_6_mb_wait_for_the_next_invocation() -> None:
    big = [record("a", n, 2_000_000) for n in range(1, 6)]
    assert [len(within_payload(big)), len(within_payload(big[3:]))] == [3, 2]
    assert len(within_payload([record("a", 1, 7_000_000)])) == 1  # a batch always holds one record


class ScriptedQueue(queue.SimpleQueue[dict[str, Any]]):
    """A lane's queue where each record arrives only when the lane waits for one."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def get(self, block: bool = True, timeout: float | None = None) -> dict[str, Any]:
        if not self.records:
            raise queue.Empty
        return self.records.pop(0)

    def get_nowait(self) -> dict[str, Any]:
        raise queue.Empty


def test_a_lane_with_a_window_gathers_what_arrives_while_it_waits() -> None:
    arriving = [record("a", n) for n in range(1, 5)]
    lanes = KeyedLanes(1, "stream")
    lanes.queues[0] = ScriptedQueue(list(arriving))
    assert lanes.take(0, 10, 0.1, window=300) == arriving
    lanes.queues[0] = ScriptedQueue(list(arriving))
    assert lanes.take(0, 10, 0.1) == arriving[:1]  # no window: what was there when it looked


def test_a_lane_batch_stops_at_6_mb_and_the_next_one_starts_with_what_did_not_fit() -> None:
    lanes = KeyedLanes(1, "stream")
    records = [record("a", n, 2_500_000) for n in range(1, 5)]
    for item in records:
        lanes.queues[0].put(item)
    first, second = lanes.take(0, 10, 0.1), lanes.take(0, 10, 0.1)
    assert (first, second) == (records[:2], records[2:])


def test_the_window_is_read_from_the_mapping_in_whole_seconds_up_to_300() -> None:
    assert batching_window("Events", {}) == 0
    assert batching_window("Events", {"MaximumBatchingWindowInSeconds": 5}) == 5
    assert batching_window("Events", {"MaximumBatchingWindowInSeconds": "300"}) == 300
    for wrong in (301, -1, 0.5, "soon", True):
        with pytest.raises(TemplateError, match="Events: MaximumBatchingWindowInSeconds"):
            batching_window("Events", {"MaximumBatchingWindowInSeconds": wrong})
