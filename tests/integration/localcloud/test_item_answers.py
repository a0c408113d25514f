"""A stored item's answer, made once (fastpath/item_answers.py), is moto's, and never served after the item
changed.

Every way an item changes here (a put over it, a plain update, moto's update path with nested paths, the
legacy `AttributeUpdates`, a delete, a transaction that writes and one that is cancelled) runs between
reads of every read operation. After each change the answers are read three times: with whatever the
reads before kept, with everything kept dropped, and by moto's own serializer: the same bytes each time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import responses as moto_responses
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.serialize import get_serializer_class
from moto.dynamodb.models import dynamodb_backends

from localcloud import fastpath, layer
from localcloud.fastpath.item_answers import forget
from localcloud.layer.patching import applied
from tests.integration.localcloud.range_table import create_range_table

REGION = "eu-central-1"
SEAT = {"M": {"booking": {"S": "b-1"}, "state": {"S": "held"}, "legs": {"L": [{"N": "1"}, {"N": "2"}]}}}


def _item(sk: int) -> dict[str, Any]:
    return {
        "pk": {"S": "run"},
        "sk": {"N": str(sk)},
        "g": {"S": "day"},
        "text": {"S": "zażółć ✓"},
        "n": {"N": "12.50"},
        "b": {"B": b"\x00\x01binary"},
        "bs": {"BS": [b"a", b"b"]},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2.5"]},
        "flag": {"BOOL": True},
        "nothing": {"NULL": True},
        # Items 1 and 2 hold maps and lists and keep their answers; item 3 is flat, converted on each read.
        **({"seats": {"M": {"1": SEAT, "2": SEAT}}, "list": {"L": [SEAT, {"S": "s"}]}} if sk < 3 else {}),
    }


@pytest.fixture
def ddb() -> Iterator[Any]:
    patches = layer.install()
    fastpath.install(patches)
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name=REGION)
            create_range_table(client, "t", BillingMode="PAY_PER_REQUEST")
            for sk in (1, 2, 3):
                client.put_item(TableName="t", Item=_item(sk))
            yield client
    finally:
        patches.undo()


def _bodies(client: Any) -> list[bytes]:
    """The raw answer of every read operation, over every item."""
    bodies: list[bytes] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"])

    client.meta.events.register("before-parse.dynamodb.*", keep)
    try:
        keys = [{"pk": {"S": "run"}, "sk": {"N": str(sk)}} for sk in (1, 2, 3)]
        for key in keys:
            client.get_item(TableName="t", Key=key)
            client.get_item(TableName="t", Key=key, ReturnConsumedCapacity="TOTAL")
            client.get_item(
                TableName="t",
                Key=key,
                ProjectionExpression="seats.#a, n",
                ExpressionAttributeNames={"#a": "1"},
            )
        client.batch_get_item(RequestItems={"t": {"Keys": keys}}, ReturnConsumedCapacity="TOTAL")
        client.query(
            TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "run"}}
        )
        client.query(
            TableName="t",
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "day"}},
        )
        client.query(
            TableName="t",
            KeyConditionExpression="pk = :p",
            FilterExpression="flag = :t",
            ExpressionAttributeValues={":p": {"S": "run"}, ":t": {"BOOL": True}},
            Limit=2,
        )
        client.scan(TableName="t")
        client.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key}} for key in keys])
    finally:
        client.meta.events.unregister("before-parse.dynamodb.*", keep)
    return bodies


def _bodies_by_moto(client: Any) -> list[bytes]:
    """The same reads, each answer serialized by moto's own serializer (from the same results)."""

    def motos(patches: Any) -> None:
        patches.replace(moto_responses, "get_serializer_class", get_serializer_class)

    with applied(motos):
        return _bodies(client)


def _forget_everything() -> None:
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["t"]
    for item in table.all_items():
        forget(item.attrs)


KEY = {"pk": {"S": "run"}, "sk": {"N": "2"}}
SMALL = {"pk": {"S": "run"}, "sk": {"N": "3"}}


def _changes(client: Any) -> list[tuple[str, Any]]:
    def transact(*items: dict[str, Any]) -> None:
        client.transact_write_items(TransactItems=list(items))

    def cancelled() -> None:
        with pytest.raises(client.exceptions.TransactionCanceledException):
            transact(
                {
                    "Update": {
                        "TableName": "t",
                        "Key": KEY,
                        "UpdateExpression": "SET #s.#one.#st = :sold",
                        "ExpressionAttributeNames": {"#s": "seats", "#one": "1", "#st": "state"},
                        "ExpressionAttributeValues": {":sold": {"S": "cancelled-never"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "run"}, "sk": {"N": "1"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )

    def refused() -> None:
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="SET #s.#one.#st = :v",
                ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeNames={"#s": "seats", "#one": "1", "#st": "state"},
                ExpressionAttributeValues={":v": {"S": "never"}},
            )

    return [
        (
            "plain SET",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="SET #t = :v",
                ExpressionAttributeNames={"#t": "text"},
                ExpressionAttributeValues={":v": {"S": "changed"}},
            ),
        ),
        (
            "plain ADD and REMOVE",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="ADD #n :one REMOVE #f",
                ExpressionAttributeNames={"#n": "n", "#f": "flag"},
                ExpressionAttributeValues={":one": {"N": "1"}},
            ),
        ),
        (
            "nested SET (moto's path)",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="SET #s.#one.#st = :sold, #l[0].#st = :sold",
                ExpressionAttributeNames={"#s": "seats", "#one": "1", "#st": "state", "#l": "list"},
                ExpressionAttributeValues={":sold": {"S": "sold"}},
            ),
        ),
        (
            "nested REMOVE (moto's path)",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="REMOVE #s.#two",
                ExpressionAttributeNames={"#s": "seats", "#two": "2"},
            ),
        ),
        (
            "set DELETE (moto's path)",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="DELETE #ss :x",
                ExpressionAttributeNames={"#ss": "ss"},
                ExpressionAttributeValues={":x": {"SS": ["x"]}},
            ),
        ),
        (
            "list append (moto's path)",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="SET #l = list_append(#l, :more)",
                ExpressionAttributeNames={"#l": "list"},
                ExpressionAttributeValues={":more": {"L": [{"S": "appended"}]}},
            ),
        ),
        (
            "AttributeUpdates",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                AttributeUpdates={
                    "text": {"Action": "PUT", "Value": {"S": "legacy"}},
                    "b": {"Action": "DELETE"},
                },
            ),
        ),
        (
            "refused update",
            refused,
        ),
        (
            "put over it",
            lambda: client.put_item(TableName="t", Item={**_item(2), "text": {"S": "put again"}}),
        ),
        (
            "transaction",
            lambda: transact(
                {
                    "Update": {
                        "TableName": "t",
                        "Key": KEY,
                        "UpdateExpression": "SET #s.#one.#st = :v",
                        "ExpressionAttributeNames": {"#s": "seats", "#one": "1", "#st": "state"},
                        "ExpressionAttributeValues": {":v": {"S": "in a transaction"}},
                    }
                },
                {"Put": {"TableName": "t", "Item": {**_item(3), "n": {"N": "99"}}}},
            ),
        ),
        ("cancelled transaction", cancelled),
        ("delete", lambda: client.delete_item(TableName="t", Key=KEY)),
        (
            "update creating it",
            lambda: client.update_item(
                TableName="t",
                Key=KEY,
                UpdateExpression="SET #s = :m",
                ExpressionAttributeNames={"#s": "seats"},
                ExpressionAttributeValues={":m": {"M": {"9": SEAT}}},
            ),
        ),
    ]


def test_an_answer_kept_from_before_a_change_is_never_served(ddb: Any) -> None:
    first = _bodies(ddb)
    assert _bodies(ddb) == first == _bodies_by_moto(ddb)  # read again: from what the first reads kept
    for name, change in _changes(ddb):
        change()
        kept = _bodies(ddb)
        _forget_everything()
        assert kept == _bodies(ddb) == _bodies_by_moto(ddb), name
        assert kept != first or name in ("refused update", "cancelled transaction"), name


def test_reads_keep_the_answer_until_the_item_changes(ddb: Any) -> None:
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["t"]
    ddb.get_item(TableName="t", Key=KEY)
    stored = table.get_item(*dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_keys_value(table, KEY))
    kept = stored.attrs.__dict__.get("_answer")
    assert kept is not None and kept.text is not None
    ddb.batch_get_item(RequestItems={"t": {"Keys": [KEY]}})
    assert stored.attrs.__dict__.get("_answer") is kept  # the same item: the same answer
    ddb.update_item(
        TableName="t",
        Key=KEY,
        UpdateExpression="SET #s.#one.#st = :v",
        ExpressionAttributeNames={"#s": "seats", "#one": "1", "#st": "state"},
        ExpressionAttributeValues={":v": {"S": "x"}},
    )
    assert "_answer" not in stored.attrs.__dict__
    small = table.get_item(*dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_keys_value(table, SMALL))
    ddb.get_item(TableName="t", Key=SMALL)
    assert "_answer" not in small.attrs.__dict__  # flat: converted on each read
    for item in (stored, small):  # the size kept is moto's
        assert item.size() == sum(len(key.encode()) + value.size() for key, value in item.attrs.items())
