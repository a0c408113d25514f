"""The engine's JSON request parser gives moto's handlers what moto's own parser gives them.

Every operation of the JSON-protocol services the engine serves is fed generated request bodies: members
the input shape has (nested to a few levels), keys it does not have, `null`s, and values of the wrong type
(a string where a list is due, a list where a structure is, a number as text). Both parsers parse the same
body; their results must be equal with the same key order (compared by `repr`), or both must fail with the
same exception.
"""

from __future__ import annotations

import json
import random
from typing import Any

from moto.core.parse import JSONParser
from moto.core.utils import get_service_model

from localcloud.fastpath.json_parser import FastJSONParser

SERVICES = ("dynamodb", "dynamodbstreams", "stepfunctions", "ssm", "secretsmanager", "sqs")
WRONG: list[Any] = ["text", 7, 1.5, True, [], {}, None, ["x"], {"k": "v"}, "2024-01-01T00:00:00Z", "AP8="]


def _value(shape: Any, rng: random.Random, depth: int) -> Any:
    if rng.random() < 0.08:
        return rng.choice(WRONG)
    kind = shape.type_name
    if kind == "structure":
        if depth > 4:
            return {}
        members = list(shape.members.items())
        chosen = rng.sample(members, min(len(members), rng.randint(0, 4)))
        value: dict[str, Any] = {"NotAMember": 1} if rng.random() < 0.1 else {}
        for name, member in chosen:
            value[member.serialization.get("name", name)] = _value(member, rng, depth + 1)
        return value
    if kind == "list":
        return [_value(shape.member, rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "map":
        return {f"k{n}": _value(shape.value, rng, depth + 1) for n in range(rng.randint(0, 3))}
    if kind in ("integer", "long"):
        return rng.choice([3, "4", 2.0])
    if kind in ("float", "double"):
        return rng.choice([1.5, "2.5", 3])
    if kind == "boolean":
        return rng.choice([True, False, "true"])
    if kind == "blob":
        return rng.choice(["AP8=", "aGVsbG8=", "not base64!"])
    if kind == "timestamp":
        return rng.choice([1700000000, "2024-01-01T00:00:00Z", 1700000000.5, "yesterday"])
    return rng.choice(["s", "", "ü"])


def _parsed(parser_class: type[JSONParser], operation: Any, body: bytes) -> str:
    try:
        result = parser_class(operation).parse({"body": body})  # type: ignore[typeddict-item]
    except Exception as error:  # compared: both parsers must fail alike
        return f"raised {type(error).__name__}: {error}"
    return repr(result)


BOOKING_LIKE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"run": {"S": "r-1"}, "seat": {"S": "3-12"}},
                        "UpdateExpression": "SET #l0 = :new, #l1 = :new",
                        "ConditionExpression": "(attribute_not_exists(#l0)) AND (attribute_not_exists(#l1))",
                        "ExpressionAttributeNames": {"#l0": "leg0", "#l1": "leg1"},
                        "ExpressionAttributeValues": {
                            ":new": {"M": {"booking": {"S": "b-1"}, "state": {"S": "held"}, "at": {"N": "1"}}}
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": "events",
                        "Item": {
                            "stream": {"S": "booking#b-1"},
                            "version": {"N": "3"},
                            "data": {"B": "AP8="},
                            "tags": {"SS": ["a", "b"]},
                            "nothing": {"NULL": True},
                            "list": {"L": [{"N": "1"}, {"BOOL": False}]},
                        },
                        "ConditionExpression": "attribute_not_exists(version)",
                    }
                },
                {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "x"}}, "ConditionExpression": "a"}},
            ],
            "ClientRequestToken": "token-1",
            "ReturnConsumedCapacity": "TOTAL",
        },
    ),
    (
        "dynamodb",
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "pk = :p",
            "Limit": 10,
            "ExpressionAttributeValues": {":p": {"S": "p"}},
            "ScanIndexForward": False,
        },
    ),
    (
        "dynamodb",
        "BatchGetItem",
        {"RequestItems": {"t": {"Keys": [{"pk": {"S": "a"}}], "ConsistentRead": True}}},
    ),
    ("stepfunctions", "StartExecution", {"stateMachineArn": "arn", "name": "b-1", "input": "{}"}),
    ("ssm", "GetParameter", {"Name": "/faults", "WithDecryption": True}),
]


def test_generated_and_booking_requests_parse_as_moto_parses_them() -> None:
    rng = random.Random(15)
    compared = failures = 0
    bodies: list[tuple[str, str, bytes]] = [
        (service, action, json.dumps(body).encode()) for service, action, body in BOOKING_LIKE
    ]
    for service in SERVICES:
        model = get_service_model(service)
        for action in model.operation_names:
            shape = model.operation_model(action).input_shape
            if shape is None:
                continue
            for _ in range(12):
                bodies.append((service, action, json.dumps(_value(shape, rng, 0)).encode()))
            bodies += [(service, action, b""), (service, action, b"[1]"), (service, action, b"not json")]
    for service, action, body in bodies:
        operation = get_service_model(service).operation_model(action)
        expected = _parsed(JSONParser, operation, body)
        assert _parsed(FastJSONParser, operation, body) == expected, (service, action, body)
        compared += 1
        failures += expected.startswith("raised")
    assert compared > 3000 and failures > 100  # both the parsed and the refused bodies were compared
