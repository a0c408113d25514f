"""DynamoDB and API Gateway adapters of live updates: connections, subscriptions, topic sequences, posts.

Connections table: per connection one `connection` item (who, which topics) and one `topic#<route>`
item per subscription; the sparse `by-topic` index (topic -> connection ids) holds only subscriptions,
so the broadcaster finds a topic's subscribers with one Query, never a scan. Every item expires (TTL)
2 hours after connect, API Gateway's longest connection, in case a $disconnect never arrives.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import size
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.eventstore.store import transactions
from trainbook.realtime.domain import ProtocolError, Subscriber, Viewer

CONNECTION_LIFETIME = timedelta(hours=2)  # API Gateway closes every WebSocket after 2 hours
CONNECTION = "connection"


class ByTopic(GlobalSecondaryIndex["ConnectionItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-topic"
        projection = IncludeProjection(["user_id"])

    topic = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)


class ConnectionItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("CONNECTIONS_TABLE", "trainbook-connections")

    connection_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "connection" or "topic#<route>"
    user_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    topics = UnicodeSetAttribute(null=True)  # on the connection item: routes it follows
    topic = UnicodeAttribute(null=True)  # on a subscription item only: the index key
    expires = TTLAttribute()
    by_topic = ByTopic()


class TopicSequence(Model):
    """The last `seq` given to a message of a topic (an atomic counter per topic route)."""

    class Meta(tables.TableMeta):
        table_name = tables.table_name("TOPIC_SEQUENCES_TABLE", "trainbook-topic-sequences")

    topic = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(default=0)


class DynamoConnections:
    def connect(self, connection_id: str, viewer: Viewer) -> None:
        ConnectionItem(
            connection_id,
            CONNECTION,
            user_id=viewer.user_id or None,
            role=viewer.role,
            expires=CONNECTION_LIFETIME,
        ).save()

    def subscribe(self, connection_id: str, viewer: Viewer, route: str, limit: int) -> None:
        """Record the subscription; ProtocolError(too_many_topics) past `limit` topics per connection."""
        connection = ConnectionItem(connection_id, CONNECTION)
        room = (
            ConnectionItem.topics.does_not_exist()
            | (size(ConnectionItem.topics) < limit)  # type: ignore[no-untyped-call]
            | ConnectionItem.topics.contains(route)
        )
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.update(
                    connection,
                    actions=[ConnectionItem.topics.add({route})],
                    condition=ConnectionItem.connection_id.exists() & room,
                )
                subscription = ConnectionItem(
                    connection_id,
                    f"topic#{route}",
                    topic=route,
                    user_id=viewer.user_id or None,
                    expires=CONNECTION_LIFETIME,
                )
                tx.save(subscription)
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
                raise ProtocolError(
                    "too_many_topics", f"a connection may follow at most {limit} topics: unsubscribe first"
                ) from None
            raise

    def unsubscribe(self, connection_id: str, route: str) -> None:
        with TransactWrite(connection=transactions()) as tx:
            tx.update(
                ConnectionItem(connection_id, CONNECTION),
                actions=[ConnectionItem.topics.delete({route})],
                condition=ConnectionItem.connection_id.exists(),
            )
            tx.delete(ConnectionItem(connection_id, f"topic#{route}"))

    def disconnect(self, connection_id: str) -> None:
        """Delete the connection and every subscription of it: exactly this connection's items."""
        items = list(ConnectionItem.query(connection_id, consistent_read=True))
        with ConnectionItem.batch_write() as batch:
            for item in items:
                batch.delete(item)

    def subscribers(self, route: str) -> list[Subscriber]:
        return [Subscriber(item.connection_id, item.user_id) for item in ConnectionItem.by_topic.query(route)]

    def next_seq(self, route: str) -> int:
        counter = TopicSequence(route)
        counter.update(actions=[TopicSequence.seq.add(1)])
        return int(counter.seq)


# ---- Posting to connections -------------------------------------------------------------------------

SENT, GONE, FAILED = "sent", "gone", "failed"


@cache
def management_api() -> Any:
    # Short timeouts and no retries: one slow client must not hold a message back for the others.
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=os.environ["WEBSOCKET_ENDPOINT"],
        config=Config(
            connect_timeout=2, read_timeout=3, retries={"max_attempts": 1}, max_pool_connections=64
        ),
    )


class ConnectionPoster:
    """Posts a message to many connections in parallel, at most `parallel` at a time."""

    def __init__(self, parallel: int = 32) -> None:
        self.parallel = parallel
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="post")

    def post(self, connection_id: str, body: dict[str, Any]) -> str:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            management_api().post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "GoneException":
                return GONE
            return FAILED
        except BotoCoreError:
            return FAILED
        return SENT

    def post_all(self, connection_ids: Iterable[str], body: dict[str, Any]) -> dict[str, str]:
        ids = list(connection_ids)
        if len(ids) == 1:
            return {ids[0]: self.post(ids[0], body)}
        return dict(zip(ids, self._pool.map(lambda c: self.post(c, body), ids), strict=True))
