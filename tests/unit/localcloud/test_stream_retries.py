"""A failed stream batch is retried as Lambda documents: a split is no retry; each retry waits longer."""

from __future__ import annotations

import json
from typing import Any, cast

from localcloud.runtime.functions import InvokeResult
from localcloud.runtime.pool import Runtime
from localcloud.streams.delivery import Deliveries, StreamPoller, retry_delay
from localcloud.streams.trigger import StreamTrigger


def record(sequence: int) -> dict[str, Any]:
    keys = {"stream": {"S": f"s-{sequence}"}, "version": {"N": "1"}}
    return {"eventName": "INSERT", "dynamodb": {"Keys": keys, "SequenceNumber": str(sequence)}}


class PoisonedFunction:
    """A function that fails (an uncaught error) on any batch holding the poisoned record."""

    def __init__(self, poisoned: int) -> None:
        self.poisoned = str(poisoned)
        self.batches: list[list[int]] = []

    def invoke(self, name: str, event: dict[str, Any]) -> InvokeResult:
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in event["Records"]]
        self.batches.append(numbers)
        if int(self.poisoned) in numbers:
            return InvokeResult(json.dumps({"errorType": "ValueError"}).encode(), "Unhandled")
        return InvokeResult(b"null")


class Waits:
    """Stands in for the poller's stop event: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    def is_set(self) -> bool:
        return False

    def wait(self, seconds: float) -> bool:
        self.waited.append(seconds)
        return False


def poller(function: PoisonedFunction, retries: int) -> tuple[StreamPoller, Waits]:
    trigger = StreamTrigger(
        "Trigger", "fn", "table", "arn:stream", maximum_retry_attempts=retries, bisect_on_error=True
    )
    stream = StreamPoller(
        trigger, cast(Runtime, function), "1", "eu-central-1", "http://x", 0, cast(Deliveries, None)
    )
    waits = Waits()
    stream._stopping = waits  # type: ignore[assignment]
    return stream, waits


def deliver_all(stream: StreamPoller, records: list[dict[str, Any]]) -> list[int]:
    """Deliver as a lane does: the whole batch, then what is left of it, until every record is done."""
    finished: list[int] = []

    def advance(done: list[dict[str, Any]]) -> None:
        finished.extend(int(r["dynamodb"]["SequenceNumber"]) for r in done)

    while records:
        stream._deliver(records, advance)
        records = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) not in finished]
    return finished


def test_splitting_a_failing_batch_uses_no_retry_and_each_retry_waits_twice_as_long() -> None:
    function = PoisonedFunction(poisoned=2)
    stream, waits = poller(function, retries=3)

    finished = deliver_all(stream, [record(n) for n in (1, 2, 3, 4)])

    assert function.batches == [[1, 2, 3, 4], [1, 2], [1], [2, 3, 4], [2], [2], [2], [2], [3, 4]]
    assert waits.waited == [1.0, 2.0, 4.0]  # three retries of the poisoned record, then it is given up
    assert finished == [1, 2, 3, 4]  # 2 went to the on-failure destination; nothing was lost or reordered


def test_retry_waits_double_from_one_second_up_to_half_a_minute() -> None:
    assert [retry_delay(attempt) for attempt in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
