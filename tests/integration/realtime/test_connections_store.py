"""The DynamoDB adapters of live updates on moto: subscriptions by topic, limits, disconnect, progress."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from trainbook.eventstore.store import EventStore
from trainbook.realtime.domain import FollowedTopic, ProtocolError, Viewer
from trainbook.realtime.store import DynamoConnections
from trainbook.saga_progress import records_progress

VIEWER = Viewer("u1", "passenger")


@pytest.fixture
def connections(aws: None) -> DynamoConnections:
    return DynamoConnections()


def items(table: str) -> list[dict[str, Any]]:
    return list(boto3.client("dynamodb").scan(TableName=table)["Items"])


def test_subscribers_are_found_by_topic_and_a_disconnect_removes_exactly_that_connection(
    connections: DynamoConnections,
) -> None:
    for connection in ("a=", "b=", "c="):
        connections.connect(connection, Viewer(None))
    connections.subscribe("a=", VIEWER, "run:r1", 50)
    connections.subscribe("b=", VIEWER, "run:r1", 50)
    connections.subscribe("b=", VIEWER, "changes", 50)
    connections.subscribe("c=", VIEWER, "run:r2", 50)
    assert sorted(s.connection_id for s in connections.subscribers("run:r1")) == ["a=", "b="]
    assert {s.user_id for s in connections.subscribers("run:r1")} == {"u1"}
    connections.disconnect("b=")
    assert [s.connection_id for s in connections.subscribers("run:r1")] == ["a="]
    assert connections.subscribers("changes") == []
    assert sorted({item["connection_id"]["S"] for item in items("test-ConnectionsTable")}) == ["a=", "c="]


def test_a_connection_cannot_follow_more_topics_than_the_limit(connections: DynamoConnections) -> None:
    connections.connect("a=", Viewer("u1", "passenger"))
    for number in range(3):
        connections.subscribe("a=", VIEWER, f"run:r{number}", 3)
    connections.subscribe("a=", VIEWER, "run:r0", 3)  # again: no new topic, still allowed
    with pytest.raises(ProtocolError) as refused:
        connections.subscribe("a=", VIEWER, "run:r9", 3)
    assert refused.value.code == "too_many_topics"
    connections.unsubscribe("a=", "run:r0")
    connections.subscribe("a=", VIEWER, "run:r9", 3)
    assert connections.subscribers("run:r0") == []
    assert [s.connection_id for s in connections.subscribers("run:r9")] == ["a="]


def test_sequence_numbers_count_per_topic(connections: DynamoConnections) -> None:
    assert [connections.reserve_seq("run:r1", 1) for _ in range(3)] == [1, 2, 3]
    assert connections.reserve_seq("run:r1", 4) == 7  # 4, 5, 6 and 7 taken at once
    assert connections.reserve_seq("changes", 1) == 1


def test_a_saga_task_records_its_start_and_end_on_the_saga_stream(aws: None) -> None:
    @records_progress(lambda _event: "HoldSeats")
    def task(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"seats": ["05-021"], "status": "HELD"}

    @records_progress(lambda _event: "AuthorizePayment")
    def failing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("declined")

    task({"booking_id": "b-1"}, None)
    with pytest.raises(RuntimeError):
        failing({"booking_id": "b-1"}, None)
    history = EventStore().read("saga-b-1")
    assert [(e.version, e.type) for e in history] == [
        (1, "SagaStepStarted"),
        (2, "SagaStepEnded"),
        (3, "SagaStepStarted"),
        (4, "SagaStepEnded"),
    ]
    ended = [e.event for e in history if e.type == "SagaStepEnded"]
    assert [(e.step, e.outcome, e.error, e.result) for e in ended] == [  # type: ignore[attr-defined]
        ("HoldSeats", "succeeded", None, {"status": "HELD"}),
        ("AuthorizePayment", "failed", "RuntimeError", {}),
    ]


def followers(route: str) -> int:
    item = (
        boto3.client("dynamodb")
        .get_item(TableName="test-TopicsTable", Key={"topic": {"S": route}})
        .get("Item")
    )
    return int(item["followers"]["N"]) if item else 0


def test_follower_counts_follow_subscriptions_and_never_count_one_twice(
    connections: DynamoConnections,
) -> None:
    for connection in ("a=", "b="):
        connections.connect(connection, VIEWER)
    connections.subscribe("a=", VIEWER, "run:r1", 50)
    connections.subscribe("a=", VIEWER, "run:r1", 50)  # again: still one follower
    connections.subscribe("b=", VIEWER, "run:r1", 50)
    connections.subscribe("b=", VIEWER, "changes", 50)
    assert (followers("run:r1"), followers("changes")) == (2, 1)
    connections.reserve_seq("run:r1", 5)
    assert connections.followed(["run:r1", "changes", "run:r2"]) == {
        "run:r1": FollowedTopic(changes=2, seq=5),
        "changes": FollowedTopic(changes=1, seq=0),
    }
    connections.unsubscribe("b=", "changes")
    connections.unsubscribe("b=", "changes")  # not subscribed any more: nothing changes
    connections.disconnect("a=")
    connections.disconnect("a=")  # a Gone racing the $disconnect
    assert (followers("run:r1"), followers("changes")) == (1, 0)
    # each change counted once
    assert connections.followed(["run:r1", "changes"]) == {"run:r1": FollowedTopic(changes=3, seq=5)}
