"""Lambda entry point: the change reactions, a consumer of the Events stream (Powertools BatchProcessor)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.changes.wiring import reactions
from trainbook.eventstore.store import recorded_from_image

logger = Logger(service="changes")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _react(record: DynamoDBRecord) -> None:
    if record.raw_event.get("eventName") != "INSERT":
        return
    recorded = recorded_from_image(record.raw_event["dynamodb"]["NewImage"])
    touched = reactions().react(recorded)
    if touched:
        logger.info(
            "change handled",
            extra={"stream": recorded.stream, "version": recorded.version, "bookings": touched},
        )


@logger.inject_lambda_context
def react(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=_react, processor=processor, context=context)
    )
