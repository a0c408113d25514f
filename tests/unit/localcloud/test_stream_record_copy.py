"""A delivered stream record is what the JSON round trip gave, without touching the stored record."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from localcloud.streams.delivery import delivered_copy

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
