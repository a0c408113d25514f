"""Contract tests: each moto defect the layer fixes, failing on moto as shipped and fixed with the layer.

Every scenario runs twice. `layer=off` asserts that moto 5.2.5 still misbehaves (if moto fixes a defect,
that test fails and tells you the matching fix can go); `layer=on` asserts the behaviour AWS has.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.server import ThreadedMotoServer

from localcloud import layer
from localcloud.layer.idempotency import IdempotentParameterMismatch, TokenRecord
from localcloud.layer.stream_log import trim_before
from localcloud.layer.ttl import TtlSweeper
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


# ---- DynamoDB behaviour moto 5.2.5 lacks (issue 16) ------------------------------------------------


def _counter_transaction(table: str) -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "counter"}},
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
    ]


def test_a_transaction_resent_with_its_token_is_applied_once(layer_state: str) -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        _create_table(ddb, "counters")
        token = f"resent-{layer_state}"
        for _ in range(2):
            ddb.transact_write_items(TransactItems=_counter_transaction("counters"), ClientRequestToken=token)
        counted = ddb.get_item(TableName="counters", Key={"pk": {"S": "counter"}})["Item"]["n"]["N"]
    if layer_state == "on":
        assert counted == "1"
    else:  # moto ignores ClientRequestToken: the resent transaction is applied again
        assert counted == "2"


def test_a_token_reused_with_a_different_request_is_refused(layer_state: str) -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        _create_table(ddb, "counters")
        token = f"reused-{layer_state}"
        ddb.transact_write_items(TransactItems=_counter_transaction("counters"), ClientRequestToken=token)
        other = [{"Put": {"TableName": "counters", "Item": {"pk": {"S": "other"}}}}]
        try:
            ddb.transact_write_items(TransactItems=other, ClientRequestToken=token)
            outcome = "applied"
        except ClientError as error:
            outcome = error.response["Error"]["Code"]
        stored = ddb.get_item(TableName="counters", Key={"pk": {"S": "other"}}).get("Item")
    if layer_state == "on":
        assert (outcome, stored) == ("IdempotentParameterMismatchException", None)
    else:
        assert (outcome, stored) == ("applied", {"pk": {"S": "other"}})


def _hold_seat_and_record(ddb: Any, suffix: str) -> None:
    """What a saga task does: hold a seat for the booking and append the booking's event, atomically."""
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": f"seats-{suffix}",
                    "Key": {"pk": {"S": "seat-12"}},
                    "UpdateExpression": "SET held_by = :b",
                    "ConditionExpression": "attribute_not_exists(held_by) OR held_by = :b",
                    "ExpressionAttributeValues": {":b": {"S": "booking-1"}},
                }
            },
            {
                "Put": {
                    "TableName": f"events-{suffix}",
                    "Item": {"pk": {"S": "booking-1"}, "sk": {"N": "1"}, "type": {"S": "SeatsHeld"}},
                    "ConditionExpression": "attribute_not_exists(sk)",
                }
            },
        ]
    )


def test_a_transaction_retried_after_a_client_timeout_is_applied_once_and_succeeds(
    layer_state: str, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = f"timeout-{layer_state}"
    setup = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_endpoint)
    _create_table(setup, f"seats-{suffix}")
    _create_table(setup, f"events-{suffix}", range_key=True)
    # The first answer is held back until botocore, having timed out, has sent its retry.
    retry_arrived = threading.Event()
    answered_once = threading.Event()
    call_action = DynamoHandler.call_action

    def slow_first_answer(self: DynamoHandler) -> Any:
        is_transaction = str(self.headers.get("X-Amz-Target", "")).endswith("TransactWriteItems")
        if is_transaction and answered_once.is_set():
            retry_arrived.set()
        response = call_action(self)
        if is_transaction and not answered_once.is_set():
            answered_once.set()
            retry_arrived.wait(30)
        return response

    monkeypatch.setattr(DynamoHandler, "call_action", slow_first_answer)
    impatient = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        config=Config(read_timeout=0.5, retries={"mode": "standard", "total_max_attempts": 3}),
    )
    try:
        _hold_seat_and_record(impatient, suffix)
        outcome = "success"
    except ClientError as error:
        outcome = error.response["Error"]["Code"]
    events = setup.query(
        TableName=f"events-{suffix}",
        KeyConditionExpression="pk = :b",
        ExpressionAttributeValues={":b": {"S": "booking-1"}},
    )["Items"]
    seat = setup.get_item(TableName=f"seats-{suffix}", Key={"pk": {"S": "seat-12"}})["Item"]
    assert retry_arrived.is_set()  # botocore did time out and retry with the same token
    assert (len(events), seat["held_by"]) == (1, {"S": "booking-1"})
    if layer_state == "on":
        assert outcome == "success"
    else:  # the retry is applied again: the event put conflicts, so a write that succeeded reports failure
        assert outcome == "TransactionCanceledException"


def test_a_write_that_changes_nothing_emits_no_stream_record(layer_state: str, moto_endpoint: str) -> None:
    table = f"unchanged-{layer_state}"
    ddb, streams, iterator = _stream_reader(moto_endpoint, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "same"}, "seats": {"N": "2"}})
    first = streams.get_records(ShardIterator=iterator)
    ddb.put_item(TableName=table, Item={"pk": {"S": "same"}, "seats": {"N": "2"}})
    ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "same"}},
        UpdateExpression="SET seats = :n",
        ExpressionAttributeValues={":n": {"N": "2"}},
    )
    ddb.delete_item(TableName=table, Key={"pk": {"S": "missing"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "changed"}})
    later = streams.get_records(ShardIterator=first["NextShardIterator"])["Records"]
    assert _keys(first["Records"]) == ["same"]
    if layer_state == "on":
        assert [(r["eventName"], _keys([r])[0]) for r in later] == [("INSERT", "changed")]
    else:  # the identical put and the identical update each emit a MODIFY
        assert [(r["eventName"], _keys([r])[0]) for r in later] == [
            ("MODIFY", "same"),
            ("MODIFY", "same"),
            ("INSERT", "changed"),
        ]


def test_describe_stream_pages_past_the_exclusive_start_shard(layer_state: str, moto_endpoint: str) -> None:
    table = f"paged-{layer_state}"
    ddb, streams, _ = _stream_reader(moto_endpoint, table)
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    first_page = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    last = first_page["Shards"][-1]["ShardId"]
    next_page = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=last)["StreamDescription"]
    if layer_state == "on":
        assert next_page["Shards"] == []
    else:  # the same shard again: a client paging with LastEvaluatedShardId loops forever
        assert [s["ShardId"] for s in next_page["Shards"]] == [last]


# Each request with what DynamoDB answers (the layer) and what moto 5.2.5 answers: "500", an error code
# or "ok". "ok" with the layer is checked against the resulting item where it matters.
def _update(**request: Any) -> dict[str, Any]:
    return {"op": "update_item", "Key": {"pk": {"S": "a"}}, **request}


def _put(item: dict[str, Any], **request: Any) -> dict[str, Any]:
    return {"op": "put_item", "Item": {"pk": {"S": "a"}, **item}, **request}


NUMBER_5 = {":v": {"N": "5"}}
STRING_5 = {":v": {"S": "5"}}
VALIDATION_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "update with only a condition creates the bare key": (
        {"op": "update_item", "Key": {"pk": {"S": "new"}}, "ConditionExpression": "attribute_not_exists(pk)"},
        "ok",
        "500",
    ),
    "less-than between a number and a string fails the condition": (
        _put({}, ConditionExpression="n < :v", ExpressionAttributeValues=STRING_5),
        "ConditionalCheckFailedException",
        "500",
    ),
    "between with string bounds on a number fails the condition": (
        _put(
            {},
            ConditionExpression="n BETWEEN :lo AND :hi",
            ExpressionAttributeValues={":lo": {"S": "1"}, ":hi": {"S": "9"}},
        ),
        "ConditionalCheckFailedException",
        "500",
    ),
    "size of a number fails the condition": (
        _put({}, ConditionExpression="size(n) < :v", ExpressionAttributeValues=NUMBER_5),
        "ConditionalCheckFailedException",
        "500",
    ),
    "a syntax error in a condition": (
        _put({}, ConditionExpression="n <<< :v", ExpressionAttributeValues=NUMBER_5),
        "ValidationException",
        "500",
    ),
    "an unknown function in a condition": (
        _put({}, ConditionExpression="frobnicate(n)"),
        "ValidationException",
        "500",
    ),
    "a missing #name in a condition": (
        _put({}, ConditionExpression="attribute_exists(#missing)"),
        "ValidationException",
        "500",
    ),
    "a missing #name in an update": (
        _update(UpdateExpression="SET #missing = :v", ExpressionAttributeValues=NUMBER_5),
        "ValidationException",
        "500",
    ),
    "a missing :value in a condition": (
        {"op": "delete_item", "Key": {"pk": {"S": "a"}}, "ConditionExpression": "n = :missing"},
        "ValidationException",
        "500",
    ),
    "an unused expression attribute value": (
        _put({}, ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues=NUMBER_5),
        "ValidationException",
        "ok",
    ),
    "an empty key attribute in a delete": (
        {"op": "delete_item", "Key": {"pk": {"S": ""}}},
        "ValidationException",
        "ok",
    ),
    "a wrongly typed index key attribute in a put": (
        _put({"owner": {"N": "7"}}),
        "ValidationException",
        "ok",
    ),
    "duplicate keys in a batch": (
        {
            "op": "batch_write_item",
            "RequestItems": {
                "TABLE": [
                    {"PutRequest": {"Item": {"pk": {"S": "dup"}, "n": {"N": "1"}}}},
                    {"PutRequest": {"Item": {"pk": {"S": "dup"}, "n": {"N": "2"}}}},
                ]
            },
        },
        "ValidationException",
        "ok",
    ),
    "more than 100 transaction actions (moto already refuses)": (
        {
            "op": "transact_write_items",
            "TransactItems": [
                {"Put": {"TableName": "TABLE", "Item": {"pk": {"S": f"k{i}"}}}} for i in range(101)
            ],
        },
        "ValidationException",
        "ValidationException",
    ),
    "a validation error inside a transaction cancels it": (
        {
            "op": "transact_write_items",
            "TransactItems": [
                {
                    "Update": {
                        "TableName": "TABLE",
                        "Key": {"pk": {"S": "a"}},
                        "UpdateExpression": "SET s = s + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            ],
        },
        "TransactionCanceledException:ValidationError",
        "ValidationException",
    ),
}


def _with_table(value: Any, table: str) -> Any:
    if isinstance(value, dict):
        return {(table if k == "TABLE" else k): _with_table(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_table(v, table) for v in value]
    return table if value == "TABLE" else value


def _answer(ddb: Any, request: dict[str, Any], table: str) -> str:
    request = _with_table(dict(request), table)
    operation = request.pop("op")
    if operation not in ("batch_write_item", "transact_write_items"):
        request["TableName"] = table
    try:
        getattr(ddb, operation)(**request)
        return "ok"
    except ClientError as error:
        if error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
            return "500"
        code = str(error.response["Error"]["Code"])
        reasons = [r["Code"] for r in error.response.get("CancellationReasons", []) if r["Code"] != "None"]
        return ":".join([code, *reasons])


@pytest.mark.parametrize("case", list(VALIDATION_CASES))
def test_requests_dynamodb_refuses_are_answered_as_dynamodb_answers_them(
    layer_state: str, moto_endpoint: str, case: str
) -> None:
    request, with_layer, moto = VALIDATION_CASES[case]
    table = f"valid-{layer_state}-{abs(hash(case))}"
    ddb = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        config=Config(retries={"total_max_attempts": 1}),
    )
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "owner", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-owner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    seeded = {"pk": {"S": "a"}, "n": {"N": "1"}, "s": {"S": "x"}}
    ddb.put_item(TableName=table, Item=seeded)
    answer = _answer(ddb, request, table)
    seed_after = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]
    if layer_state == "on":
        assert answer == with_layer
        assert seed_after == seeded  # a refused request changes nothing
        if case.startswith("update with only a condition"):
            created = ddb.get_item(TableName=table, Key={"pk": {"S": "new"}}).get("Item")
            assert created == {"pk": {"S": "new"}}
    else:
        assert answer == moto


def test_ttl_deletes_expired_items_as_the_dynamodb_service(layer_state: str, moto_endpoint: str) -> None:
    table = f"expiring-{layer_state}"
    ddb, streams, iterator = _stream_reader(moto_endpoint, table)
    ddb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "expires", "Enabled": True}
    )
    now = int(time.time())
    ddb.put_item(TableName=table, Item={"pk": {"S": "expired"}, "expires": {"N": str(now - 60)}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "alive"}, "expires": {"N": str(now + 3600)}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "no-ttl"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "not-seconds"}, "expires": {"S": "yesterday"}})
    if layer_state == "off":  # moto stores the setting and never deletes anything (no TTL process)
        status = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["TimeToLiveStatus"]
        expired = ddb.get_item(TableName=table, Key={"pk": {"S": "expired"}}).get("Item")
        assert (status, expired is not None) == ("ENABLED", True)
        return
    swept = TtlSweeper(moto_endpoint, REGION).sweep()
    left = sorted(item["pk"]["S"] for item in ddb.scan(TableName=table)["Items"])
    removals = [
        r for r in streams.get_records(ShardIterator=iterator)["Records"] if r["eventName"] == "REMOVE"
    ]
    assert (swept, left) == (1, ["alive", "no-ttl", "not-seconds"])
    assert _keys(removals) == ["expired"]
    assert removals[0]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def test_a_request_token_is_a_new_request_after_ten_minutes() -> None:
    now = [1000.0]
    tokens = TokenRecord(clock=lambda: now[0])
    slot = ("123456789012", REGION, "token-1")
    tokens.remember(slot, "request-a")
    now[0] += 599
    assert tokens.seen(slot, "request-a")
    with pytest.raises(IdempotentParameterMismatch):
        tokens.seen(slot, "request-b")
    now[0] += 2
    assert not tokens.seen(slot, "request-a")
    assert not tokens.seen(slot, "request-b")
