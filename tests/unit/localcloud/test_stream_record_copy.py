"""A delivered stream record is what the JSON round trip gave, without touching the stored record; made once
for every trigger of the stream, and its batch's JSON joined from the records' own."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from localcloud.streams.delivery import batch_event, delivered_copy, delivered_record

ARN = "arn:aws:dynamodb:eu-central-1:123456789012:table/events/stream/2026-12-01T00:00:00.000"


def stored_record() -> dict[str, object]:
    return {
        "eventID": "e1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventVersion": "1.0",
        "awsRegion": "eu-central-1",
        "dynamodb": {
            "StreamViewType": "NEW_IMAGE",
            "ApproximateCreationDateTime": datetime(2026, 12, 1, 21, 0, 5, 123456, tzinfo=UTC),
            "SequenceNumber": "42",
            "SizeBytes": 120,
            "Keys": {"stream": {"S": "run-1"}, "version": {"N": "1"}},
            "NewImage": {"stream": {"S": "run-1"}, "version": {"N": "1"}, "data": {"M": {"a": {"L": []}}}},
        },
    }


def test_the_function_receives_what_a_json_round_trip_gave_plus_the_source_arn() -> None:
    record = stored_record()
    expected = json.loads(json.dumps(record, default=str))
    expected["eventSourceARN"] = ARN
    delivered = delivered_copy(record, ARN)
    assert json.loads(json.dumps(delivered)) == expected
    assert delivered == expected


def test_the_stored_record_is_left_as_it_was() -> None:
    record = stored_record()
    before = copy.deepcopy(record)
    delivered_copy(record, ARN)
    assert record == before


class Stored:
    """A shard's stored record (moto's `StreamRecord` or a restored one): its JSON is `record`."""

    def __init__(self, record: dict[str, object]) -> None:
        self.record = record


def test_every_trigger_of_the_stream_shares_one_delivered_record_made_once() -> None:
    stored = Stored(stored_record())
    first = delivered_record(stored, ARN)  # type: ignore[arg-type]
    assert first == delivered_copy(stored_record(), ARN)
    assert delivered_record(stored, ARN) is first  # type: ignore[arg-type]
    other_arn = ARN.replace("events", "other")
    assert delivered_record(stored, other_arn)["eventSourceARN"] == other_arn  # type: ignore[arg-type]
    assert stored.record == stored_record()


def test_a_batch_event_is_the_json_of_its_records_exactly() -> None:
    second = stored_record()
    second["dynamodb"] = {**second["dynamodb"], "SequenceNumber": "43", "Keys": {"s": {"S": "é\n\u2028"}}}  # type: ignore[dict-item]
    delivered: list[dict[str, Any]] = [
        delivered_record(Stored(stored_record()), ARN),  # type: ignore[arg-type]
        delivered_record(Stored(second), ARN),  # type: ignore[arg-type]
    ]
    plain = [json.loads(json.dumps(record)) for record in delivered]
    batches: list[list[dict[str, Any]]] = [delivered, plain, [delivered[0], plain[1]], []]
    for batch in batches:
        event = batch_event(batch)
        assert event == {"Records": batch}
        assert event.text == json.dumps({"Records": batch})
