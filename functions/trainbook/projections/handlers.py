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
from trainbook.projections.domain import Projection
from trainbook.projections.wiring import read_models

logger = Logger(service="projections")
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def consumer(*names: str) -> Handler:
    """A handler applying each record to the named read models in turn (one family per function).

    A record that fails in any of them is reported and redelivered to all: every apply is idempotent.
    """
    projections: list[Projection] = []
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def apply(record: DynamoDBRecord) -> None:
        if record.raw_event.get("eventName") != "INSERT":
            return  # events are immutable: only appends carry news
        if not projections:
            models = read_models(EventStore())
            projections.extend(models[name] for name in names)
        recorded = recorded_from_image(record.raw_event["dynamodb"]["NewImage"])
        logger.debug("applying", extra={"stream": recorded.stream, "version": recorded.version})
        for projection in projections:
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
# The changes family: whom a change touches, the changes of a day, and the notices sent.
changes = consumer("run-bookings", "change-log", "notifications")
analytics = consumer("analytics")
