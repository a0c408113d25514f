"""Build DynamoDB Streams records from the Events table, as the stream would deliver them to a projector."""

from __future__ import annotations

from typing import Any

from trainbook.eventstore.store import EventRecord


def stream_records() -> list[dict[str, Any]]:
    """One INSERT record per stored event, in the order they were appended."""
    records = sorted(EventRecord.scan(), key=lambda r: (r.at, r.stream, int(r.version)))
    return [
        {
            "eventID": f"{r.stream}-{int(r.version)}",
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/events/stream/2026",
            "dynamodb": {
                "Keys": {"stream": {"S": r.stream}, "version": {"N": str(int(r.version))}},
                "NewImage": r.serialize(),
                "SequenceNumber": f"{n:021d}",
                "StreamViewType": "NEW_IMAGE",
            },
        }
        for n, r in enumerate(records, start=1)
    ]


class FakeContext:
    function_name = "projector"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:projector"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
