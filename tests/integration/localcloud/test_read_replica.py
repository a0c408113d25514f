"""The engine's read replica: reads answered with what the engine committed, in commit order, every
acknowledged write seen by the next read, nothing but reads answered, its reads counted with the
engine's, and gone with the engine.

A real engine process with a journal (`python -m localcloud.engine --replica-port`), written to through
the engine's endpoint and read through the replica's, as a Lambda worker's transport routes them.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localcloud.cloud import engine_call
from localcloud.engine_process import EngineProcess

REGION = "eu-central-1"
ACCOUNT = "123456789012"
SIGNED_SCOPE = (  # what the engine's routing reads of a request: the service and region signed for
    "AWS4-HMAC-SHA256 Credential=local/20261204/eu-central-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineProcess]:
    process = EngineProcess(tmp_path / "data", REGION, tmp_path / "engine.log")
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def client(url: str) -> Any:
    return boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def create_table(ddb: Any, name: str) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.01)


def items(ddb: Any, table: str, **read: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ddb.scan(TableName=table, **read)["Items"]
    return sorted(found, key=lambda item: (item["pk"]["S"], int(item["sk"]["N"])))


def test_the_replica_holds_what_the_engine_committed_puts_updates_deletes_and_transactions(
    engine: EngineProcess,
) -> None:
    assert engine.replica_url is not None
    primary, replica = client(engine.url), client(engine.replica_url)
    create_table(primary, "replicated")
    for n in range(5):
        primary.put_item(
            TableName="replicated", Item={"pk": {"S": "a"}, "sk": {"N": str(n)}, "v": {"N": "0"}}
        )
    primary.update_item(
        TableName="replicated",
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET v = v + :one, tags = :tags",
        ExpressionAttributeValues={":one": {"N": "1"}, ":tags": {"M": {"x": {"L": [{"S": "y"}]}}}},
    )
    primary.delete_item(TableName="replicated", Key={"pk": {"S": "a"}, "sk": {"N": "2"}})
    primary.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "replicated", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}},
            {"Delete": {"TableName": "replicated", "Key": {"pk": {"S": "a"}, "sk": {"N": "3"}}}},
        ]
    )
    with pytest.raises(ClientError):  # refused: nothing of it reaches the replica
        primary.put_item(
            TableName="replicated",
            Item={"pk": {"S": "a"}, "sk": {"N": "0"}, "v": {"N": "9"}},
            ConditionExpression="attribute_not_exists(pk)",
        )

    committed = items(primary, "replicated", ConsistentRead=True)
    eventually(lambda: items(replica, "replicated") == committed)
    assert [(i["pk"]["S"], i["sk"]["N"]) for i in committed] == [
        ("a", "0"),
        ("a", "1"),
        ("a", "4"),
        ("b", "1"),
    ]
    answer = replica.get_item(TableName="replicated", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert answer["Item"]["tags"] == {"M": {"x": {"L": [{"S": "y"}]}}} and answer["Item"]["v"] == {"N": "1"}
    found = replica.query(
        TableName="replicated",
        KeyConditionExpression="pk = :a AND sk > :one",
        ExpressionAttributeValues={":a": {"S": "a"}, ":one": {"N": "1"}},
    )["Items"]
    assert [i["sk"]["N"] for i in found] == ["4"]

    primary.delete_table(TableName="replicated")
    eventually(lambda: "replicated" not in _tables_answering(replica))


def _tables_answering(replica: Any) -> set[str]:
    try:
        replica.scan(TableName="replicated")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"
        return set()
    return {"replicated"}


def test_a_read_of_the_replica_sees_every_write_acknowledged_before_it(engine: EngineProcess) -> None:
    assert engine.replica_url is not None
    primary, replica = client(engine.url), client(engine.replica_url)
    create_table(primary, "counters")
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    primary.put_item(TableName="counters", Item={**key, "n": {"N": "0"}})

    seen = []
    for n in range(1, 301):
        primary.update_item(
            TableName="counters",
            Key=key,
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        if n % 2:
            item = replica.get_item(TableName="counters", Key=key, ConsistentRead=True)["Item"]
        else:
            item = replica.query(
                TableName="counters",
                KeyConditionExpression="pk = :a",
                ExpressionAttributeValues={":a": {"S": "a"}},
            )["Items"][0]
        seen.append(int(item["n"]["N"]))

    assert seen == list(range(1, 301))  # never one behind, not once


def test_a_read_applies_the_commits_already_queued_before_it_is_answered() -> None:
    """In process, without the thread that applies commits as they come: the read itself catches up."""
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.test import Client

    from localcloud.replica.feed import ReplicaFeed
    from localcloud.replica.follower import Follower, ReplicaApp
    from localcloud.routing import CachedDispatcher

    with mock_aws():
        create_table(boto3.client("dynamodb", region_name=REGION), "queued")
        engine_end, replica_end = socket.socketpair()
        follower = Follower(replica_end, ACCOUNT, REGION)
        feed = ReplicaFeed(engine_end)
        item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "7"}}
        feed.send([("put", "queued", pickle.dumps(item))])  # as the engine does, before it answers
        app = Client(ReplicaApp(CachedDispatcher(create_backend_app), follower))

        answer = app.post(
            "/",
            data=json.dumps({"TableName": "queued", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
            headers={
                "X-Amz-Target": "DynamoDB_20120810.GetItem",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": SIGNED_SCOPE,
            },
        )
        feed.close()

    assert answer.status_code == 200
    assert json.loads(answer.data)["Item"] == item
    assert follower.commits == 1


def test_the_replica_answers_reads_only(engine: EngineProcess) -> None:
    assert engine.replica_url is not None
    primary, replica = client(engine.url), client(engine.replica_url)
    create_table(primary, "guarded")
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}

    refused = [
        lambda: replica.put_item(TableName="guarded", Item=key),
        lambda: replica.transact_get_items(TransactItems=[{"Get": {"TableName": "guarded", "Key": key}}]),
        lambda: replica.delete_table(TableName="guarded"),
    ]
    for call in refused:
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ValidationException"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Item" not in primary.get_item(
        TableName="guarded", Key=key, ConsistentRead=True
    )  # nothing written


def test_the_engine_counts_the_reads_its_replica_answered(engine: EngineProcess) -> None:
    assert engine.replica_url is not None
    primary, replica = client(engine.url), client(engine.replica_url)
    create_table(primary, "counted")
    eventually(lambda: _answers(replica, "counted"))
    engine_call(engine.url, "stats", {"reset": True})

    for _ in range(3):
        replica.get_item(TableName="counted", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})

    counts = engine_call(engine.url, "stats", {"reset": True})["counts"]
    assert counts.get("dynamodb:GetItem") == 3
    assert engine_call(engine.url, "stats")["counts"].get("dynamodb:GetItem") is None  # reset on both


def _answers(replica: Any, table: str) -> bool:
    try:
        replica.scan(TableName=table)
    except ClientError:
        return False
    return True


def test_the_replica_starts_with_the_journal_after_a_restart_and_dies_with_its_engine(tmp_path: Path) -> None:
    first = EngineProcess(tmp_path / "data", REGION, tmp_path / "first.log")
    try:
        first.wait_ready()
        create_table(client(first.url), "kept")
        client(first.url).put_item(TableName="kept", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
        replica_pid = int(engine_call(first.url, "health")["replica"]["pid"])
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait()
        eventually(lambda: not _alive(replica_pid))
    finally:
        first.stop()

    second = EngineProcess(tmp_path / "data", REGION, tmp_path / "second.log")
    try:
        second.wait_ready()
        assert second.replica_url is not None
        answer = client(second.replica_url).get_item(
            TableName="kept", Key={"pk": {"S": "a"}, "sk": {"N": "1"}}
        )
        assert answer["Item"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
        replica_pid = int(engine_call(second.url, "health")["replica"]["pid"])
    finally:
        second.stop()
    assert not _alive(replica_pid)  # stopped in order with its engine


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
