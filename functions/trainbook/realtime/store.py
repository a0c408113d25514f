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
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from trainbook import tables
from trainbook.eventstore.conditions import cancellation_codes, is_conditional_failure
from trainbook.realtime.domain import FollowedTopic, ProtocolError, Subscriber, Viewer

CONNECTION_LIFETIME = timedelta(hours=2)  # API Gateway closes every WebSocket after 2 hours
CONNECTION = "connection"
# The connection exists and follows fewer than :limit topics, or this one already.
ROOM_FOR_ONE_MORE = (
    "attribute_exists(connection_id) AND "
    "(attribute_not_exists(topics) OR size(topics) < :limit OR contains(topics, :route))"
)


class ByTopic(GlobalSecondaryIndex["ConnectionItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-topic"
        projection = IncludeProjection(["user_id"])

    topic = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)


class ConnectionItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("CONNECTIONS_TABLE")

    connection_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "connection" or "topic#<route>"
    user_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    topics = UnicodeSetAttribute(null=True)  # on the connection item: routes it follows
    topic = UnicodeAttribute(null=True)  # on a subscription item only: the index key
    expires = TTLAttribute()
    by_topic = ByTopic()


class TopicItem(Model):
    """Per topic route: the last `seq` given to a message, how many connections follow it, and how many
    times its subscriptions changed (a list of its subscribers read since is current while that holds)."""

    class Meta(tables.TableMeta):
        table_name = tables.table_name("TOPICS_TABLE")

    topic = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(default=0)
    followers = NumberAttribute(default=0)  # never below the truth: raised with, lowered after, a change
    changes = NumberAttribute(default=0)  # raised with every change of `followers`


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name=tables.region())


class DynamoConnections:
    """Subscriptions change in one transaction with the connection item and the topic's follower count."""

    def connect(self, connection_id: str, viewer: Viewer) -> None:
        ConnectionItem(
            connection_id,
            CONNECTION,
            user_id=viewer.user_id or None,
            role=viewer.role,
            expires=CONNECTION_LIFETIME,
        ).save()

    def subscribe(self, connection_id: str, viewer: Viewer, route: str, limit: int) -> None:
        """Record the subscription (again: nothing changes); ProtocolError past `limit` topics."""
        subscription = ConnectionItem(
            connection_id,
            f"topic#{route}",
            topic=route,
            user_id=viewer.user_id or None,
            expires=CONNECTION_LIFETIME,
        )
        try:
            _dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": ConnectionItem.Meta.table_name,
                            "Key": _key(connection_id, CONNECTION),
                            "UpdateExpression": "ADD topics :routes",
                            "ConditionExpression": ROOM_FOR_ONE_MORE,
                            "ExpressionAttributeValues": {
                                ":routes": {"SS": [route]},
                                ":limit": {"N": str(limit)},
                                ":route": {"S": route},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": ConnectionItem.Meta.table_name,
                            "Item": subscription.serialize(),
                            "ConditionExpression": "attribute_not_exists(entry)",
                        }
                    },
                    _follower_change(route, +1),
                ]
            )
        except ClientError as error:
            if len(cancellation_codes(error)) == 3 and is_conditional_failure(error, item=1):
                return  # subscribed already: nothing to change
            if is_conditional_failure(error, item=0):
                raise ProtocolError(
                    "too_many_topics", f"a connection may follow at most {limit} topics: unsubscribe first"
                ) from None
            raise

    def unsubscribe(self, connection_id: str, route: str) -> None:
        try:
            _dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": ConnectionItem.Meta.table_name,
                            "Key": _key(connection_id, CONNECTION),
                            "UpdateExpression": "DELETE topics :routes",
                            "ExpressionAttributeValues": {":routes": {"SS": [route]}},
                        }
                    },
                    {
                        "Delete": {
                            "TableName": ConnectionItem.Meta.table_name,
                            "Key": _key(connection_id, f"topic#{route}"),
                            "ConditionExpression": "attribute_exists(entry)",
                        }
                    },
                    _follower_change(route, -1),
                ]
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            # Not subscribed: nothing to change.

    def disconnect(self, connection_id: str) -> None:
        """Delete the connection and every subscription of it: exactly this connection's items.

        Each subscription's follower count is lowered only after its item was really deleted, so a
        $disconnect racing a Gone never counts one follower twice.
        """
        table = ConnectionItem.Meta.table_name
        for item in ConnectionItem.query(connection_id, consistent_read=True):
            deleted = _dynamodb().delete_item(
                TableName=table, Key=_key(connection_id, item.entry), ReturnValues="ALL_OLD"
            )
            route = deleted.get("Attributes", {}).get("topic", {}).get("S")
            if route:
                _dynamodb().update_item(**_follower_change(route, -1)["Update"])

    def followed(self, routes: Iterable[str]) -> dict[str, FollowedTopic]:
        """Which of these topics some connection follows, each with how many times its subscriptions
        changed and its last `seq` (one strongly consistent BatchGetItem per 100 topics)."""
        wanted = sorted(set(routes))
        table = TopicItem.Meta.table_name
        followed: dict[str, FollowedTopic] = {}
        # The low-level client, not `TopicItem.batch_get`: once per broadcaster invocation, and PynamoDB's
        # model per item cost more than the three numbers read.
        for start in range(0, len(wanted), 100):
            request: dict[str, Any] = {
                table: {
                    "Keys": [{"topic": {"S": route}} for route in wanted[start : start + 100]],
                    "ProjectionExpression": "#t, #f, #c, #s",
                    "ExpressionAttributeNames": {
                        "#t": "topic",
                        "#f": "followers",
                        "#c": "changes",
                        "#s": "seq",
                    },
                    # The broadcaster keeps using numbers it took only while `seq` is still its last.
                    "ConsistentRead": True,
                }
            }
            while request:
                answer = _dynamodb().batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(table, []):
                    if int(item.get("followers", {}).get("N", "0")) > 0:
                        followed[item["topic"]["S"]] = FollowedTopic(
                            changes=int(item.get("changes", {}).get("N", "0")),
                            seq=int(item.get("seq", {}).get("N", "0")),
                        )
                request = answer.get("UnprocessedKeys") or {}
        return followed

    def subscribers(self, route: str) -> list[Subscriber]:
        return [Subscriber(item.connection_id, item.user_id) for item in ConnectionItem.by_topic.query(route)]

    def reserve_seq(self, route: str, count: int) -> int:
        """Take the topic's next `count` numbers in one atomic update; answers the last of them."""
        counter = TopicItem(route)
        counter.update(actions=[TopicItem.seq.add(count)])
        return int(counter.seq)


def connect() -> None:
    """Make the clients a broadcast uses now, with its container: each loads its service model, which took
    0.3-0.7 s under load in the first batch with a follower, holding that batch's messages."""
    _dynamodb()
    for model in (ConnectionItem, TopicItem):
        _ = model._get_connection().connection.client  # PynamoDB makes a model's client on first use


def _key(connection_id: str, entry: str) -> dict[str, Any]:
    return {"connection_id": {"S": connection_id}, "entry": {"S": entry}}


def _follower_change(route: str, change: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TopicItem.Meta.table_name,
            "Key": {"topic": {"S": route}},
            "UpdateExpression": "ADD followers :change, changes :one",
            "ExpressionAttributeValues": {":change": {"N": str(change)}, ":one": {"N": "1"}},
        }
    }


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
