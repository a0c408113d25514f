"""Lambda entry points of live updates: the $connect authorizer, the WebSocket routes, the broadcaster.

The authorizer lets a client without a token in (public topics only) and refuses a bad or expired
one at the handshake (a Deny: API Gateway answers 403). The route function handles $connect,
$disconnect and every client message; the broadcaster consumes the Events table's stream.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.accounts.errors import InvalidToken
from trainbook.accounts.tokens import access_tokens
from trainbook.eventstore.events import RecordedEvent
from trainbook.eventstore.store import recorded_from_image
from trainbook.realtime.domain import ANONYMOUS, Viewer
from trainbook.realtime.wiring import broadcaster, live_connections
from trainbook.web.identity import stage_wildcard

logger = Logger(service="realtime")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@logger.inject_lambda_context
def authorize_connect(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    resource = stage_wildcard(str(event.get("methodArn", ""))) or str(event.get("methodArn", ""))
    token = (event.get("queryStringParameters") or {}).get("token")
    if not isinstance(token, str) or not token.strip():
        return _policy("anonymous", "Allow", resource, {"user_id": "", "role": ANONYMOUS})
    try:
        claims = access_tokens().verify(token.strip())
    except InvalidToken as error:
        logger.info("connection refused", extra={"reason": error.message})
        return _policy("refused", "Deny", resource, {})
    return _policy(claims.user_id, "Allow", resource, {"user_id": claims.user_id, "role": claims.role.value})


def _policy(principal: str, effect: str, resource: str, context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    }


def viewer_of(request_context: dict[str, Any]) -> Viewer:
    authorizer = request_context.get("authorizer") or {}
    user_id = str(authorizer.get("user_id") or "") or None
    return Viewer(user_id, str(authorizer.get("role") or ANONYMOUS) if user_id else ANONYMOUS)


@logger.inject_lambda_context
def route(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request_context = event["requestContext"]
    route_key = str(request_context["routeKey"])
    connection_id = str(request_context["connectionId"])
    logger.append_keys(connection_id=connection_id, route=route_key)
    viewer = viewer_of(request_context)
    if route_key == "$connect":
        live_connections().connect(connection_id, viewer)
    elif route_key == "$disconnect":
        live_connections().disconnect(connection_id)
    else:
        reply = live_connections().receive(connection_id, viewer, event.get("body"))
        if reply["type"] == "error":
            logger.info("client message refused", extra={"code": reply["error"]["code"]})
    return {"statusCode": 200}


class AfterAFailure(Exception):
    """A record after a failed one in the same batch: it is redelivered with it, never pushed before it."""


_batch = {"failed": False}


def _publish(record: DynamoDBRecord) -> None:
    if _batch["failed"]:
        raise AfterAFailure("an earlier record of this batch failed")
    if record.raw_event.get("eventName") != "INSERT":
        return  # events are immutable: only appends carry news
    sequence = record.raw_event["dynamodb"].get("SequenceNumber")
    decoded = _batch_events.get(sequence) if sequence else None
    recorded = decoded or recorded_from_image(record.raw_event["dynamodb"]["NewImage"])
    try:
        delivery = broadcaster().publish(recorded)
    except Exception:
        _batch["failed"] = True
        raise
    if delivery.messages:
        logger.debug(
            "broadcast",
            extra={
                "stream": recorded.stream,
                "version": recorded.version,
                "sent": delivery.sent,
                "gone": delivery.gone,
            },
        )


_batch_events: dict[str, RecordedEvent] = {}  # the batch's decoded events by sequence number: decoded once


def _decodable(records: list[dict[str, Any]]) -> list[RecordedEvent]:
    """The batch's events; one that cannot be decoded fails alone, in `_publish`, not the whole batch."""
    _batch_events.clear()
    events = []
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        try:
            recorded = recorded_from_image(record["dynamodb"]["NewImage"])
        except Exception:  # reported for this record alone by the batch processor
            continue
        events.append(recorded)
        if sequence := record["dynamodb"].get("SequenceNumber"):
            _batch_events[str(sequence)] = recorded
    return events


@logger.inject_lambda_context
def broadcast(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The poller retries from the first failed record; pushing the ones after it now would send them
    # twice and out of order, so they are reported failed too.
    _batch["failed"] = False
    started = time.perf_counter()
    records = event.get("Records") or []
    broadcaster().expect(_decodable(records))
    response = process_partial_response(
        event=event, record_handler=_publish, processor=processor, context=context
    )
    logger.info(
        "batch broadcast",
        extra={
            "records": len(records),
            "failed": len(response.get("batchItemFailures") or []),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return dict(response)
