"""Stream triggers: once, in order per item, retries, partial failures, DLQ, parallel lanes."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from localcloud.streams.delivery import KeyedLanes
from tests.e2e.localcloud.running import RunningCloud, wait_for

TABLE = "fixture-test-items"
DELIVERIES = "trainbook-DeliveriesTable"


def _put(cloud: RunningCloud, key: str, version: int, **extra: dict[str, str]) -> None:
    cloud.client("dynamodb").put_item(
        TableName=TABLE, Item={"pk": {"S": key}, "version": {"N": str(version)}, **extra}
    )


def _delivery(cloud: RunningCloud, key: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        cloud.client("dynamodb").get_item(TableName=DELIVERIES, Key={"pk": {"S": key}}).get("Item")
    )
    return item


def _seen(cloud: RunningCloud, key: str) -> list[int]:
    item = _delivery(cloud, f"seen-{key}")
    return [] if item is None else [int(value["N"]) for value in item["versions"]["L"]]


def _attempts(cloud: RunningCloud, key: str, version: int) -> int:
    item = _delivery(cloud, f"attempts-{key}-{version}")
    return 0 if item is None else int(item["n"]["N"])


def test_every_record_is_delivered_once_in_order_per_item(cloud: RunningCloud) -> None:
    keys = [f"run-{number}" for number in range(3)]
    for version in range(1, 8):
        for key in keys:
            _put(cloud, key, version)
    for key in keys:
        wait_for(lambda key=key: len(_seen(cloud, key)) >= 7)
    assert [_seen(cloud, key) for key in keys] == [list(range(1, 8))] * 3
    assert {_attempts(cloud, key, version) for key in keys for version in range(1, 8)} == {1}


def test_a_reported_item_failure_is_retried_from_that_record(cloud: RunningCloud) -> None:
    _put(cloud, "flaky", 1)
    _put(cloud, "flaky", 2, fail_times={"N": "2"})
    _put(cloud, "flaky", 3)
    wait_for(lambda: len(_seen(cloud, "flaky")) >= 3)
    assert _seen(cloud, "flaky") == [1, 2, 3]
    assert (_attempts(cloud, "flaky", 1), _attempts(cloud, "flaky", 2)) == (1, 3)


def test_a_batch_failing_past_its_retries_goes_to_the_on_failure_queue(cloud: RunningCloud) -> None:
    _put(cloud, "poisoned", 1, poison={"BOOL": True})
    _put(cloud, "after-poison", 1)
    wait_for(lambda: _seen(cloud, "after-poison") == [1])  # the stream moved on past the poison
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="trainbook-DeadLetters")["QueueUrl"]
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"))
    info = json.loads(messages[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
    assert info["responseContext"]["functionError"] == "Unhandled"


# ---- ParallelizationFactor: 4 batches of the lanes shard at once, in order per key (and a 300 s window) ----
LANES = "fixture-test-lanes"


def _put_lane(cloud: RunningCloud, key: str, version: int, **extra: dict[str, str]) -> None:
    cloud.client("dynamodb").put_item(
        TableName=LANES, Item={"pk": {"S": key}, "version": {"N": str(version)}, **extra}
    )


def _open_gate(cloud: RunningCloud, name: str) -> None:
    cloud.client("dynamodb").put_item(TableName=DELIVERIES, Item={"pk": {"S": f"gate-{name}"}})


def _keys_in_two_lanes(prefix: str) -> tuple[str, str]:
    """Two partition keys that hash to different lanes of a factor-4 trigger."""
    lanes = KeyedLanes(4, "pk")

    def lane(key: str) -> int:
        return lanes.lane_of({"dynamodb": {"Keys": {"pk": {"S": key}, "version": {"N": "1"}}}})

    first = f"{prefix}-0"
    second = next(f"{prefix}-{n}" for n in range(1, 100) if lane(f"{prefix}-{n}") != lane(first))
    return first, second


def test_parallel_batches_deliver_each_key_once_and_in_order(cloud: RunningCloud) -> None:
    keys = [f"lanes-order-{number}" for number in range(6)]
    for version in range(1, 7):
        for key in keys:
            _put_lane(cloud, key, version)
    for key in keys:
        wait_for(lambda key=key: len(_seen(cloud, key)) >= 6)
    assert [_seen(cloud, key) for key in keys] == [list(range(1, 7))] * 6
    assert {_attempts(cloud, key, version) for key in keys for version in range(1, 7)} == {1}


def _lanes_reads(cloud: RunningCloud) -> int:
    streams = httpx.get(f"{cloud.url}/health", timeout=30).json()["engine"]["streams"]
    return int(streams["LanesProjectorFunctionLanesStream"]["reads"])


def test_parallel_batches_read_the_shard_once_for_what_arrives_within_the_window(cloud: RunningCloud) -> None:
    keys = [f"lanes-window-{number}" for number in range(9)]
    before = _lanes_reads(cloud)
    for key in keys:  # 9 records (the batch is 10), each 40 ms after the last: well within the window
        _put_lane(cloud, key, 1)
        time.sleep(0.04)
    for key in keys:
        wait_for(lambda key=key: _seen(cloud, key) == [1])
    # One read once the appends stop (a second if this machine paused for 0.1 s between two of them),
    # not one per append.
    assert _lanes_reads(cloud) - before <= 2


def test_parallel_batches_deliver_other_keys_while_one_key_is_busy(cloud: RunningCloud) -> None:
    busy, other = _keys_in_two_lanes("lanes-busy")
    _put_lane(cloud, busy, 1, wait_for_gate={"S": "busy"})
    _put_lane(cloud, other, 1)
    _put_lane(cloud, other, 2)
    wait_for(lambda: _seen(cloud, other) == [1, 2], deadline=20)
    seen_while_busy = _seen(cloud, busy)
    _open_gate(cloud, "busy")
    wait_for(lambda: _seen(cloud, busy) == [1])
    assert seen_while_busy == []


def test_a_failing_key_is_retried_in_order_while_other_keys_proceed(cloud: RunningCloud) -> None:
    failing, other = _keys_in_two_lanes("lanes-failing")
    _put_lane(cloud, failing, 1, fail_until_gate={"S": "failing"})
    _put_lane(cloud, failing, 2)
    _put_lane(cloud, other, 1)
    _put_lane(cloud, other, 2)
    wait_for(lambda: _seen(cloud, other) == [1, 2])
    wait_for(lambda: _attempts(cloud, failing, 1) >= 2)  # retried, not dropped
    seen_while_failing = _seen(cloud, failing)
    _open_gate(cloud, "failing")
    wait_for(lambda: len(_seen(cloud, failing)) >= 2)
    assert seen_while_failing == []
    assert _seen(cloud, failing) == [1, 2]
    assert _attempts(cloud, failing, 2) == 1  # version 2 never went before version 1
