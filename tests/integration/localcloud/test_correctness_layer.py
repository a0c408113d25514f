"""Contract tests: each moto defect the layer fixes, failing on moto as shipped and fixed with the layer.

Every scenario runs twice. `layer=off` asserts that moto 5.2.5 still misbehaves (if moto fixes a defect,
that test fails and tells you the matching fix can go); `layer=on` asserts the behaviour AWS has.
"""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import Table
from moto.server import ThreadedMotoServer

from localcloud import layer
from localcloud.layer.stream_log import trim_before
from tests.integration.localcloud.ports import free_port

REGION = "eu-central-1"


@pytest.fixture
def eager_thread_switching() -> Iterator[None]:
    """Switch threads every microsecond so a race that exists shows up on every run."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.fixture(params=["on", "off"])
def layer_state(request: pytest.FixtureRequest) -> Iterator[str]:
    patches = layer.install() if request.param == "on" else None
    yield str(request.param)
    if patches is not None:
        patches.undo()


def _create_table(ddb: Any, name: str, *, range_key: bool = False, stream: bool = False) -> None:
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    ddb.create_table(
        TableName=name, KeySchema=keys, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST", **extra
    )


def _sell_one_seat(ddb: Any) -> bool:
    try:
        ddb.update_item(
            TableName="seats",
            Key={"pk": {"S": "run-1"}},
            UpdateExpression="SET #free = #free - :one",
            ConditionExpression="#free >= :one",
            ExpressionAttributeNames={"#free": "free"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        return True
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return False


@pytest.mark.usefixtures("eager_thread_switching")
def test_eight_threads_racing_conditional_updates_never_oversell(layer_state: str) -> None:
    seats, attempts_per_thread, threads = 200, 60, 8
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        _create_table(ddb, "seats")
        ddb.put_item(TableName="seats", Item={"pk": {"S": "run-1"}, "free": {"N": str(seats)}})
        sold: list[int] = []

        def sell() -> None:
            sold.append(sum(_sell_one_seat(ddb) for _ in range(attempts_per_thread)))

        workers = [threading.Thread(target=sell) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        free = int(ddb.get_item(TableName="seats", Key={"pk": {"S": "run-1"}})["Item"]["free"]["N"])
    if layer_state == "on":
        assert (sum(sold), free) == (seats, 0)
    else:  # moto as shipped: two updates pass the same condition and both decrement
        assert sum(sold) > seats or free < 0


@pytest.mark.usefixtures("eager_thread_switching")
def test_cancelled_transactions_never_lose_a_concurrent_plain_write(layer_state: str) -> None:
    puts = 400
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        _create_table(ddb, "events")
        stop = threading.Event()
        failures: list[str] = []

        def cancel_transactions() -> None:
            while not stop.is_set():
                try:
                    ddb.transact_write_items(
                        TransactItems=[
                            {"Put": {"TableName": "events", "Item": {"pk": {"S": "tx"}}}},
                            {
                                "ConditionCheck": {
                                    "TableName": "events",
                                    "Key": {"pk": {"S": "missing"}},
                                    "ConditionExpression": "attribute_exists(pk)",
                                }
                            },
                        ]
                    )
                except ClientError as error:
                    if error.response["Error"]["Code"] != "TransactionCanceledException":
                        failures.append(repr(error))
                except Exception as error:  # in-process moto raises its internal errors as they are
                    failures.append(repr(error))

        def put_all(offset: int) -> None:
            for number in range(offset, puts, 2):
                try:
                    ddb.put_item(TableName="events", Item={"pk": {"S": f"e-{number}"}})
                except Exception as error:
                    failures.append(repr(error))

        cancellers = [threading.Thread(target=cancel_transactions) for _ in range(2)]
        writers = [threading.Thread(target=put_all, args=(offset,)) for offset in range(2)]
        for thread in cancellers + writers:
            thread.start()
        for thread in writers:
            thread.join()
        stop.set()
        for thread in cancellers:
            thread.join()
        stored = ddb.scan(TableName="events", Select="COUNT")["Count"]
    if layer_state == "on":
        assert (stored, failures) == (puts, [])
    else:  # the whole-table copy races the writers ("dictionary changed size") or restores stale data
        assert stored < puts or failures


def test_a_cancelled_transaction_copies_only_the_items_it_touched(
    layer_state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        _create_table(ddb, "inventory")
        for number in range(50):
            ddb.put_item(TableName="inventory", Item={"pk": {"S": f"seat-{number}"}, "held": {"BOOL": False}})

        table_copies: list[str] = []
        original_deepcopy = copy.deepcopy

        def spying_deepcopy(value: Any, memo: Any = None) -> Any:
            if isinstance(value, Table):
                table_copies.append(value.name)
            return original_deepcopy(value, memo)

        monkeypatch.setattr(copy, "deepcopy", spying_deepcopy)
        try:
            ddb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "inventory",
                            "Key": {"pk": {"S": "seat-1"}},
                            "UpdateExpression": "SET held = :t",
                            "ExpressionAttributeValues": {":t": {"BOOL": True}},
                        }
                    },
                    {"Put": {"TableName": "inventory", "Item": {"pk": {"S": "seat-new"}}}},
                    {
                        "ConditionCheck": {
                            "TableName": "inventory",
                            "Key": {"pk": {"S": "seat-2"}},
                            "ConditionExpression": "held = :t",
                            "ExpressionAttributeValues": {":t": {"BOOL": True}},
                        }
                    },
                ]
            )
            outcome = "committed"
        except ClientError as error:
            outcome = error.response["Error"]["Code"]
        seat_1 = ddb.get_item(TableName="inventory", Key={"pk": {"S": "seat-1"}})["Item"]
        new_seat = ddb.get_item(TableName="inventory", Key={"pk": {"S": "seat-new"}}).get("Item")
    assert (outcome, seat_1["held"], new_seat) == ("TransactionCanceledException", {"BOOL": False}, None)
    if layer_state == "on":
        assert table_copies == []
    else:  # moto deep-copies every touched table, whatever its size, before the first write
        assert "inventory" in table_copies


def test_a_query_reads_only_the_requested_partition(
    layer_state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    examined: list[int] = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        _create_table(ddb, "events", range_key=True)
        for number in range(60):
            ddb.put_item(
                TableName="events", Item={"pk": {"S": f"run-{number % 20}"}, "sk": {"N": str(number)}}
            )
        all_items = Table.all_items

        def counting_all_items(self: Table) -> Any:
            items = all_items(self)
            examined.append(len(items))
            return items

        monkeypatch.setattr(Table, "all_items", counting_all_items)
        found = ddb.query(
            TableName="events",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "run-3"}},
        )["Items"]
    assert [item["sk"]["N"] for item in found] == ["3", "23", "43"]
    if layer_state == "on":
        assert examined == [3]
    else:  # moto walks (and sorts) the whole table for every Query
        assert examined == [60]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    # Streams need moto's server: its in-process mock answers DescribeStream with 404 in this region.
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _stream_reader(endpoint: str, table: str) -> tuple[Any, Any, str]:
    ddb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
    streams = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=endpoint)
    _create_table(ddb, table, stream=True)
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
    return ddb, streams, iterator["ShardIterator"]


def _keys(records: list[dict[str, Any]]) -> list[str]:
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in records]


def test_a_cancelled_transaction_leaves_no_stream_record(layer_state: str, moto_endpoint: str) -> None:
    ddb, streams, iterator = _stream_reader(moto_endpoint, f"phantom-{layer_state}")
    table = f"phantom-{layer_state}"
    with pytest.raises(ClientError):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "cancelled"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "missing"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    ddb.put_item(TableName=table, Item={"pk": {"S": "committed"}})
    seen = _keys(streams.get_records(ShardIterator=iterator)["Records"])
    if layer_state == "on":
        assert seen == ["committed"]
    else:  # the reader follows the pre-rollback shard: it gets the phantom and never the real write
        assert seen == ["cancelled"]


def test_an_update_creating_an_item_emits_one_insert(layer_state: str, moto_endpoint: str) -> None:
    ddb, streams, iterator = _stream_reader(moto_endpoint, f"upsert-{layer_state}")
    ddb.update_item(
        TableName=f"upsert-{layer_state}",
        Key={"pk": {"S": "booking-1"}},
        UpdateExpression="SET seats = :n",
        ExpressionAttributeValues={":n": {"N": "2"}},
    )
    records = streams.get_records(ShardIterator=iterator)["Records"]
    names = [record["eventName"] for record in records]
    if layer_state == "on":
        assert names == ["INSERT"]
        assert records[0]["dynamodb"]["NewImage"]["seats"] == {"N": "2"}
    else:  # a key-only INSERT, then a second INSERT with the attributes
        assert names == ["INSERT", "INSERT"]


def test_trimmed_records_are_gone_and_sequence_numbers_keep_counting(moto_endpoint: str) -> None:
    patches = layer.install()
    try:
        from moto.dynamodb.models import dynamodb_backends

        ddb, streams, _ = _stream_reader(moto_endpoint, "trimmed")
        for number in range(5):
            ddb.put_item(TableName="trimmed", Item={"pk": {"S": f"e-{number}"}})
        shard = dynamodb_backends["123456789012"][REGION].tables["trimmed"].stream_shard
        first = int(shard.items[0].record["dynamodb"]["SequenceNumber"])
        assert trim_before(shard, first + 3) == 3
        ddb.put_item(TableName="trimmed", Item={"pk": {"S": "e-5"}})
        arn = ddb.describe_table(TableName="trimmed")["Table"]["LatestStreamArn"]
        shard_id = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        oldest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")
        records = streams.get_records(ShardIterator=oldest["ShardIterator"])["Records"]
    finally:
        patches.undo()
    assert _keys(records) == ["e-3", "e-4", "e-5"]
    assert [int(r["dynamodb"]["SequenceNumber"]) - first for r in records] == [3, 4, 5]
