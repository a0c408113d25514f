"""Plain top-level SET / REMOVE updates (fastpath/plain_updates.py) end as moto's own update path ends them:
the same items, answers, refusals and stream records, alone and in transactions."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from localcloud import layer
from localcloud.fastpath.plain_updates import patch_plain_updates, plain_plan
from tests.integration.localcloud.range_table import create_range_table

M = {"M": {"booking": {"S": "b-1"}, "state": {"S": "held"}, "expires": {"N": "1700000000"}}}
BIG = {"S": "x" * 300_000}

# (update expression, names, values, condition, key); every key is of the table `r` (pk S, sk N, index on g).
CASES: list[tuple[str, dict[str, str], dict[str, Any], str | None, dict[str, Any]]] = [
    # A seat's first hold: a new item, a condition on the absent leg.
    ("SET #l1 = :new", {"#l1": "leg_1"}, {":new": M}, "attribute_not_exists(#l1)", {"sk": {"N": "1"}}),
    ("SET #l1 = :new, #l2 = :new", {"#l1": "leg_1", "#l2": "leg_2"}, {":new": M}, None, {"sk": {"N": "2"}}),
    # The same seat again: the condition fails, nothing changes.
    ("SET #l1 = :new", {"#l1": "leg_1"}, {":new": M}, "attribute_not_exists(#l1)", {"sk": {"N": "1"}}),
    # Replaced, removed, removed when absent, everything but the key removed.
    ("SET #l1 = :v", {"#l1": "leg_1"}, {":v": {"S": "sold"}}, "attribute_exists(#l1)", {"sk": {"N": "1"}}),
    ("REMOVE #l2", {"#l2": "leg_2"}, {}, None, {"sk": {"N": "2"}}),
    ("REMOVE #l9, #l1", {"#l9": "leg_9", "#l1": "leg_1"}, {}, None, {"sk": {"N": "2"}}),
    ("REMOVE #a", {"#a": "nothing"}, {}, None, {"sk": {"N": "3"}}),
    # Values of every kind, an empty string, spaces and no spaces.
    (
        "SET #a=:s,#b = :n ,  #c= :l, #d =:b, #e = :null, #f = :ss, #g2 = :empty",
        {"#a": "s", "#b": "n", "#c": "l", "#d": "b", "#e": "z", "#f": "ss", "#g2": "e"},
        {
            ":s": {"S": "text"},
            ":n": {"N": "12.50"},
            ":l": {"L": [{"S": "x"}, {"N": "1"}]},
            ":b": {"BOOL": False},
            ":null": {"NULL": True},
            ":ss": {"SS": ["a", "b"]},
            ":empty": {"S": ""},
        },
        None,
        {"sk": {"N": "4"}},
    ),
    # What moto's path refuses: an undefined name or value, a key or index attribute, one attribute twice.
    ("SET #a = :missing", {"#a": "a"}, {":v": {"S": "v"}}, None, {"sk": {"N": "5"}}),
    ("SET #missing = :v", {"#a": "a"}, {":v": {"S": "v"}}, None, {"sk": {"N": "5"}}),
    ("SET #k = :v", {"#k": "sk"}, {":v": {"N": "9"}}, None, {"sk": {"N": "5"}}),
    ("SET #k = :v", {"#k": "pk"}, {":v": {"S": "other"}}, None, {"sk": {"N": "5"}}),
    ("SET #g = :v", {"#g": "g"}, {":v": {"S": "indexed"}}, None, {"sk": {"N": "5"}}),
    ("SET #g = :v", {"#g": "g"}, {":v": {"N": "1"}}, None, {"sk": {"N": "5"}}),
    ("SET #a = :v, #b = :v", {"#a": "same", "#b": "same"}, {":v": {"S": "v"}}, None, {"sk": {"N": "5"}}),
    ("REMOVE #a, #a", {"#a": "same"}, {}, None, {"sk": {"N": "5"}}),
    # Over 400 KB after the update.
    ("SET #a = :big", {"#a": "a"}, {":big": BIG}, None, {"sk": {"N": "6"}}),
    ("SET #b = :big", {"#b": "b"}, {":big": BIG}, None, {"sk": {"N": "6"}}),
    # A wrong key: the range key's type, a missing range key, an extra attribute.
    ("SET #a = :v", {"#a": "a"}, {":v": {"S": "v"}}, None, {"sk": {"S": "1"}}),
    ("SET #a = :v", {"#a": "a"}, {":v": {"S": "v"}}, None, {}),
    ("SET #a = :v", {"#a": "a"}, {":v": {"S": "v"}}, None, {"sk": {"N": "7"}, "x": {"S": "extra"}}),
    # Counters: new, added to, with decimals, negative; clauses together, plain names.
    (
        "ADD #a :one, #b :two",
        {"#a": "count", "#b": "km"},
        {":one": {"N": "1"}, ":two": {"N": "2.5"}},
        None,
        {"sk": {"N": "8"}},
    ),
    (
        "ADD #a :one, #b :two",
        {"#a": "count", "#b": "km"},
        {":one": {"N": "-3"}, ":two": {"N": "0.25"}},
        None,
        {"sk": {"N": "8"}},
    ),
    (
        "ADD followers :one, changes :one",
        {},
        {":one": {"N": "1"}},
        "attribute_exists(#c)",
        {"sk": {"N": "8"}},
    ),
    ("ADD followers :one, other :one", {}, {":one": {"N": "1"}}, None, {"sk": {"N": "8"}}),
    (
        "SET #e = :v ADD #a :one REMOVE #b",
        {"#e": "expires", "#a": "count", "#b": "km"},
        {":v": {"N": "9"}, ":one": {"N": "1"}},
        None,
        {"sk": {"N": "8"}},
    ),
    (
        "REMOVE #b ADD #a :one SET #e = :v",
        {"#e": "expires", "#a": "count", "#b": "gone"},
        {":v": {"N": "9"}, ":one": {"N": "1"}},
        None,
        {"sk": {"N": "9"}},
    ),
    # ADDs moto's path decides: to a string, a set, a string value, a reserved word, a clause twice.
    ("ADD #a :one", {"#a": "s"}, {":one": {"N": "1"}}, None, {"sk": {"N": "4"}}),
    ("ADD #a :set", {"#a": "ss"}, {":set": {"SS": ["c"]}}, None, {"sk": {"N": "4"}}),
    ("ADD #a :s", {"#a": "count"}, {":s": {"S": "1"}}, None, {"sk": {"N": "8"}}),
    ("ADD size :one", {}, {":one": {"N": "1"}}, None, {"sk": {"N": "8"}}),
    ("ADD #a :one ADD #b :one", {"#a": "count", "#b": "km"}, {":one": {"N": "1"}}, None, {"sk": {"N": "8"}}),
    (
        "SET #a = :v, #b = :v ADD #a :one",
        {"#a": "count", "#b": "km"},
        {":v": {"N": "1"}, ":one": {"N": "1"}},
        None,
        {"sk": {"N": "8"}},
    ),
    # Shapes moto's path keeps: nested, functions, arithmetic, DELETE, lowercase keywords, reserved words.
    ("SET #m.#x = :v", {"#m": "m", "#x": "x"}, {":v": {"S": "v"}}, None, {"sk": {"N": "4"}}),
    ("SET #n = #n + :one", {"#n": "n"}, {":one": {"N": "1"}}, None, {"sk": {"N": "4"}}),
    ("SET #c = if_not_exists(#c, :v)", {"#c": "c"}, {":v": {"N": "0"}}, None, {"sk": {"N": "4"}}),
    ("DELETE #f :set", {"#f": "ss"}, {":set": {"SS": ["a"]}}, None, {"sk": {"N": "4"}}),
    ("set #a = :v", {"#a": "lower"}, {":v": {"S": "v"}}, None, {"sk": {"N": "4"}}),
    ("SET plain = :v", {}, {":v": {"S": "v"}}, None, {"sk": {"N": "4"}}),
    ("SET name = :v", {}, {":v": {"S": "v"}}, None, {"sk": {"N": "4"}}),
    ("SET #a = :v REMOVE #b", {"#a": "a", "#b": "s"}, {":v": {"S": "v"}}, None, {"sk": {"N": "4"}}),
    ("SET #a = :v, REMOVE #b", {"#a": "a", "#b": "s"}, {":v": {"S": "v"}}, None, {"sk": {"N": "4"}}),
]


def _outcomes() -> list[Any]:
    """Each case's answer or refusal (alone, with ALL_NEW / ALL_OLD on failure; then in a transaction of
    its own on a second partition), the tables' items after them, and both partitions' stream records."""
    outcomes: list[Any] = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="eu-central-1")
        create_range_table(
            ddb,
            "r",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            BillingMode="PAY_PER_REQUEST",
        )
        for number, (expression, names, values, condition, key) in enumerate(CASES):
            for partition in ("alone", "in a transaction"):
                request: dict[str, Any] = {
                    "TableName": "r",
                    "Key": {"pk": {"S": partition}, **key},
                    "UpdateExpression": expression,
                }
                if names:
                    request["ExpressionAttributeNames"] = names
                if values:
                    request["ExpressionAttributeValues"] = values
                if condition:
                    request["ConditionExpression"] = condition
                try:
                    if partition == "alone":
                        request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
                        answer = ddb.update_item(**request, ReturnValues="ALL_NEW")
                        outcomes.append((number, partition, answer.get("Attributes")))
                    else:
                        transaction: Any = {"Update": request}
                        ddb.transact_write_items(TransactItems=[transaction])
                        outcomes.append((number, partition, "written"))
                except ddb.exceptions.ClientError as error:
                    outcomes.append((number, partition, error.response["Error"], error.response.get("Item")))
        outcomes.append(sorted(ddb.scan(TableName="r")["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["N"])))
        shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"].tables["r"].stream_shard
        assert shard is not None
        records = [stored.record for stored in shard.items]
        outcomes.append(
            [
                (
                    r["eventName"],
                    r["dynamodb"]["Keys"],
                    r["dynamodb"].get("OldImage"),
                    r["dynamodb"].get("NewImage"),
                )
                for r in records
            ]
        )
    return outcomes


def test_plain_updates_end_as_moto_ends_them_alone_and_in_transactions() -> None:
    patches = layer.install()
    try:
        expected = _outcomes()
        patch_plain_updates(patches)
        assert _outcomes() == expected
    finally:
        patches.undo()
    refusals = [outcome for outcome in expected[:-2] if len(outcome) == 4]
    assert len(refusals) >= 20  # failed conditions and refusals are compared, not only writes
    assert len(expected[-1]) >= 10  # and the stream records


def test_only_top_level_sets_removes_and_adds_are_planned() -> None:
    assert plain_plan("SET #a = :x, #b=:y") == (("SET", "#a", ":x"), ("SET", "#b", ":y"))
    assert plain_plan("REMOVE #a, b") == (("REMOVE", "#a", None), ("REMOVE", "b", None))
    assert plain_plan("ADD #a :one SET b = :v") == (("ADD", "#a", ":one"), ("SET", "b", ":v"))
    for other in (
        "ADD #a :x ADD #b :y",
        "DELETE #a :x",
        "SET #a = :v,",
        "SET #a.#b = :v",
        "SET #a = #a + :v",
        "SET #a = if_not_exists(#a, :v)",
        "set #a = :v",
        "SET 1a = :v",
    ):
        assert plain_plan(other) is None
