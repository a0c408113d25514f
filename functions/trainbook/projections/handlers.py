"""Lambda entry points: one stream consumer per read model, fed by the Events table's stream.

Powertools' BatchProcessor reports each failed record, so the poller retries from the first
failure only and the records before it are not applied twice (they would be harmless anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.eventstore.store import EventStore, recorded_from_image
from trainbook.projections.registry import Projection, read_models

logger = Logger(service="projections")
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def consumer(name: str) -> Handler:
    projection: Projection | None = None
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def apply(record: DynamoDBRecord) -> None:
        nonlocal projection
        if record.raw_event.get("eventName") != "INSERT":
            return  # events are immutable: only appends carry news
        if projection is None:
            projection = read_models(EventStore())[name]
        recorded = recorded_from_image(record.raw_event["dynamodb"]["NewImage"])
        logger.debug("applying", extra={"stream": recorded.stream, "version": recorded.version})
        projection.apply(recorded)

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = process_partial_response(
            event=event, record_handler=apply, processor=processor, context=context
        )
        return dict(response)

    return handler


search_index = consumer("search-index")
seat_map = consumer("seat-map")
user_bookings = consumer("user-bookings")
sales = consumer("sales")
run_bookings = consumer("run-bookings")
change_log = consumer("change-log")
notifications = consumer("notifications")
analytics = consumer("analytics")
