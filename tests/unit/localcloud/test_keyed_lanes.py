"""ParallelizationFactor's lanes: one lane per partition key, a checkpoint at the lowest unfinished record."""

from __future__ import annotations

from typing import Any

from localcloud.streams.delivery import KeyedLanes


def record(key: str, sequence: int) -> dict[str, Any]:
    return {
        "dynamodb": {
            "Keys": {"stream": {"S": key}, "version": {"N": str(sequence)}},
            "SequenceNumber": str(sequence),
        }
    }


def test_every_record_of_a_partition_key_goes_to_the_same_lane_whatever_its_sort_key() -> None:
    lanes = KeyedLanes(4, "stream")
    keys = [f"booking-{number}" for number in range(40)]
    assert all(len({lanes.lane_of(record(key, sequence)) for sequence in range(1, 20)}) == 1 for key in keys)
    assert len({lanes.lane_of(record(key, 1)) for key in keys}) == 4  # and keys spread over the lanes


def test_the_checkpoint_stays_at_the_lowest_record_not_yet_finished() -> None:
    lanes = KeyedLanes(2, "stream")
    lanes.cursor = 100
    batch = [record("a", 100), record("b", 101), record("a", 102), record("b", 103)]
    lanes.read(batch)
    lanes.finish([batch[1], batch[3]])  # b's lane is done, a's is still busy
    assert lanes.checkpoint() == 100
    lanes.finish([batch[0]])
    assert lanes.checkpoint() == 102
    lanes.finish([batch[2]])
    assert lanes.checkpoint() == 104  # everything read is done: the next record to read
    assert lanes.unfinished(batch) == []


def test_a_lane_takes_its_records_in_stream_order_up_to_the_batch_size() -> None:
    lanes = KeyedLanes(3, "stream")
    batch = [record("a", sequence) for sequence in range(1, 6)]
    lanes.read(batch)
    lane = lanes.lane_of(batch[0])
    for item in batch:
        lanes.queues[lane].put(item)
    first, second = lanes.take(lane, 3, 0.1), lanes.take(lane, 3, 0.1)
    assert [r["dynamodb"]["SequenceNumber"] for r in first + second] == ["1", "2", "3", "4", "5"]
    assert (len(first), lanes.take(lane, 3, 0.01)) == (3, [])
