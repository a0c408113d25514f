"""The engine's fast paths answer what moto's own paths answer (JSONPath reuse, the direct JSON path,
shared Step Functions programs,
conditions parsed once)."""

from __future__ import annotations

import copy
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from jsonpath_ng.parser import parse as fresh_plain_parse
from moto import mock_aws
from moto.core import responses as moto_responses
from moto.core.config import default_user_config
from moto.core.utils import method_names_from_class
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.parsing import ast_nodes
from moto.dynamodb.parsing.ast_nodes import Node  # type: ignore[attr-defined]
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import create_backend_app
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.utils import json_path

from localcloud import fastpath, layer
from localcloud.fastpath.conditions import patch_condition_lexing, patch_condition_parses
from localcloud.fastpath.handler_methods import patch_handler_method_names
from localcloud.fastpath.json_paths import patch_json_paths
from localcloud.fastpath.sfn_programs import patch_shared_programs
from localcloud.fastpath.update_expressions import (
    KeptSubstitutions,
    copy_plain_tree,
    is_plain_tree,
    patch_clause_search,
    patch_kept_update_checks,
    patch_update_expression_parses,
    patch_update_rewrites,
    patch_walker_node_kinds,
    patch_walker_traversal,
)
from localcloud.http_server import engine_server
from localcloud.layer.patching import Patches, applied
from localcloud.routing import CachedDispatcher

DATA: dict[str, Any] = {
    "booking": {"id": "b-1", "seats": [{"car": 3, "seat": 12}, {"car": 3, "seat": 14}]},
    "amount": 125.5,
    "flags": [],
}
PATHS = [
    "$",
    "$.booking.id",
    "$.booking.seats[0]",
    "$.booking.seats[*].seat",
    "$.booking.seats[1:]",
    "$..car",
    "$.booking.seats[?(@.seat > 12)]",
    "$.flags[*]",
]


def _answers() -> list[Any]:
    answers = []
    for path in PATHS:
        try:
            answers.append(json_path.extract_json(path, copy.deepcopy(DATA)))
        except json_path.NoSuchJsonPathError as missing:
            answers.append(("missing", str(missing)))
    return answers


def test_reused_json_paths_answer_as_freshly_parsed_ones_and_are_parsed_once() -> None:
    expected = _answers()
    with applied(patch_json_paths):
        assert _answers() == expected
        assert _answers() == expected  # the second time from the kept expressions
        assert vars(json_path)["parse"]("$.booking.id") is vars(json_path)["parse"]("$.booking.id")
        kept = result_path.parse("$.result")  # type: ignore[attr-defined]
        assert kept is result_path.parse("$.result")  # type: ignore[attr-defined]
        # A ResultPath writes into each execution's own data, never into the kept expression.
        first = kept.update_or_create({"a": 1}, {"ok": 1})
        second = kept.update_or_create({"b": 2}, {"ok": 2})
        fresh = fresh_plain_parse("$.result").update_or_create({"b": 2}, {"ok": 2})
        assert (first, second) == ({"a": 1, "result": {"ok": 1}}, fresh)
    assert vars(json_path)["parse"]("$.booking.id") is not vars(json_path)["parse"]("$.booking.id")


@pytest.fixture
def both_paths() -> Iterator[tuple[Any, Any, CachedDispatcher]]:
    """Two engine servers on the same moto backends (with the layer): Flask's path, and the direct one."""
    patches = layer.install()
    fastpath.install(patches)
    direct = CachedDispatcher(create_backend_app)
    servers = [
        engine_server("127.0.0.1", 0, CachedDispatcher(create_backend_app, direct=False)),
        engine_server("127.0.0.1", 0, direct),
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    connections = [http.client.HTTPConnection("127.0.0.1", s.server_address[1], timeout=30) for s in servers]
    try:
        yield connections[0], connections[1], direct
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        patches.undo()


def _call(connection: Any, service: str, target: str, body: dict[str, Any]) -> tuple[int, list[Any], bytes]:
    version = "1.0" if service in ("dynamodb", "states") else "1.1"
    connection.request(
        "POST",
        "/",
        body=json.dumps(body).encode(),
        headers={
            "X-Amz-Target": target,
            "Content-Type": f"application/x-amz-json-{version}",
            "Authorization": SIGNED.format(service=service),
            "User-Agent": "Boto3/1.40 md/Botocore#1.40 region/eu-central-1",
        },
    )
    response = connection.getresponse()
    headers = [(k, v) for k, v in response.getheaders() if k.lower() != "x-amzn-requestid"]
    return response.status, headers, response.read()


def test_json_calls_answer_the_same_through_the_direct_path_as_through_flask(
    both_paths: tuple[Any, Any, CachedDispatcher],
) -> None:
    flask_path, direct_path, direct = both_paths
    item = {
        "pk": {"S": "p"},
        "sk": {"N": "1"},
        "blob": {"B": "AP8="},
        "tags": {"SS": ["a"]},
        "n": {"N": "1.50"},
    }
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    setup: list[tuple[str, str, dict[str, Any]]] = [
        (
            "dynamodb",
            "CreateTable",
            {
                "TableName": "t",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"},
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            },
        ),
        ("dynamodb", "PutItem", {"TableName": "t", "Item": item}),
        ("ssm", "PutParameter", {"Name": "/faults", "Value": "{}", "Type": "String"}),
        (
            "states",
            "CreateStateMachine",
            {
                "name": "m",
                "definition": json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}),
                "roleArn": "arn:aws:iam::123456789012:role/r",
            },
        ),
    ]
    for service, action, body in setup:
        status, _, answer = _call(flask_path, service, f"{_PREFIX[service]}.{action}", body)
        assert status == 200, answer
    machine = "arn:aws:states:eu-central-1:123456789012:stateMachine:m"
    # Calls whose answer does not depend on how many times they ran: both paths must answer alike.
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("dynamodb", "GetItem", {"TableName": "t", "Key": key, "ReturnConsumedCapacity": "TOTAL"}),
        ("dynamodb", "GetItem", {"TableName": "t", "Key": {"pk": {"S": "none"}, "sk": {"N": "1"}}}),
        ("dynamodb", "PutItem", {"TableName": "t", "Item": item, "ReturnValues": "ALL_OLD"}),
        (
            "dynamodb",
            "UpdateItem",
            {
                "TableName": "t",
                "Key": key,
                "UpdateExpression": "SET n = :v",
                "ExpressionAttributeValues": {":v": {"N": "1.50"}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        (
            "dynamodb",
            "Query",
            {
                "TableName": "t",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "p"}},
                "Limit": 1,
            },
        ),
        (
            "dynamodb",
            "BatchGetItem",
            {"RequestItems": {"t": {"Keys": [key, {"pk": {"S": "x"}, "sk": {"N": "2"}}]}}},
        ),
        (
            "dynamodb",
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "ConditionCheck": {
                            "TableName": "t",
                            "Key": key,
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    }
                ]
            },
        ),
        (
            "dynamodb",
            "PutItem",
            {"TableName": "t", "Item": item, "ConditionExpression": "attribute_not_exists(pk)"},
        ),
        ("dynamodb", "GetItem", {"TableName": "t", "Key": {"pk": {"S": "p"}}}),
        ("dynamodb", "DescribeTable", {"TableName": "t"}),
        ("dynamodb", "DescribeTable", {"TableName": "missing"}),
        ("dynamodb", "NoSuchAction", {}),
        ("dynamodb", "GetItem", {"TableName": "t", "Key": key, "ConsistentRead": "yes"}),
        ("dynamodbstreams", "ListStreams", {}),
        ("ssm", "GetParameter", {"Name": "/faults"}),
        ("ssm", "GetParameter", {"Name": "/none"}),
        ("states", "StartExecution", {"stateMachineArn": machine, "name": "b-1", "input": "{}"}),
        (
            "states",
            "DescribeExecution",
            {"executionArn": machine.replace("stateMachine", "execution") + ":b-1"},
        ),
        ("states", "DescribeStateMachine", {"stateMachineArn": machine}),
    ]
    statuses: dict[str, set[int]] = {}
    for service, action, body in calls:
        signed = "dynamodb" if service == "dynamodbstreams" else service
        target = f"{_PREFIX[service]}.{action}"
        through_flask = _call(flask_path, signed, target, body)
        through_direct = _call(direct_path, signed, target, body)
        assert through_direct == through_flask, (service, action)
        statuses[action] = statuses.get(action, set()) | {through_direct[0]}
    assert statuses["GetItem"] == {200, 400} and statuses["DescribeTable"] == {200, 400}
    assert statuses["TransactWriteItems"] == {400} and statuses["GetParameter"] == {200, 400}
    # A Lambda Invoke (REST-JSON, the function in the path) answers alike through both paths too.
    invoked = []
    for connection in (flask_path, direct_path):
        connection.request(
            "POST",
            "/2015-03-31/functions/no-such-function/invocations",
            body=b'{"order": 1}',
            headers={
                "Authorization": SIGNED.format(service="lambda"),
                "X-Amz-Invocation-Type": "RequestResponse",
            },
        )
        response = connection.getresponse()
        headers = [(k, v) for k, v in response.getheaders() if k.lower() != "x-amzn-requestid"]
        invoked.append((response.status, headers, response.read()))
    assert invoked[0] == invoked[1] and invoked[0][0] == 404
    assert statuses.pop("NoSuchAction") == {500}  # moto fails the same way on both paths
    assert all(status < 500 for found in statuses.values() for status in found)
    served = {key[0] + ":" + key[2] for (key, _), dispatch in direct._direct.items() if dispatch is not None}
    assert served == {
        "dynamodb:DynamoDB_20120810",
        "dynamodb:DynamoDBStreams_20120810",
        "ssm:AmazonSSM",
        "states:AWSStepFunctions",
        "lambda:",
    }


_PREFIX = {
    "dynamodb": "DynamoDB_20120810",
    "dynamodbstreams": "DynamoDBStreams_20120810",
    "ssm": "AmazonSSM",
    "states": "AWSStepFunctions",
}
SIGNED = (
    "AWS4-HMAC-SHA256 Credential=local/20250101/eu-central-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


RETRYING_MACHINE = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "double.$": "States.MathAdd($.n, $.n)"},
            "ResultPath": "$.shaped",
            "Next": "Call",
        },
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:eu-central-1:123456789012:function:missing",
            "Retry": [
                {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}],
            "End": True,
        },
        "Done": {"Type": "Pass", "OutputPath": "$.shaped", "End": True},
    },
}


def test_executions_sharing_one_built_program_keep_their_own_data_and_retries() -> None:
    patches = Patches()
    programs = patch_shared_programs(patches)
    before = default_user_config.get("stepfunctions")
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    try:
        with mock_aws():
            sfn = boto3.client("stepfunctions", region_name="eu-central-1")
            machine = sfn.create_state_machine(
                name="retrying",
                definition=json.dumps(RETRYING_MACHINE),
                roleArn="arn:aws:iam::123456789012:role/r",
            )["stateMachineArn"]
            arns = [
                sfn.start_execution(stateMachineArn=machine, name=f"e-{n}", input=json.dumps({"n": n}))[
                    "executionArn"
                ]
                for n in range(6)
            ]
            described = [_ended(sfn, arn) for arn in arns]
            histories = [
                sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"] for arn in arns
            ]
    finally:
        patches.undo()
        if before is None:
            default_user_config.pop("stepfunctions", None)
        else:
            default_user_config["stepfunctions"] = before
    assert [d["status"] for d in described] == ["SUCCEEDED"] * 6
    assert [json.loads(d["output"]) for d in described] == [{"n": n, "double": 2 * n} for n in range(6)]
    # Each execution retried its own Task twice: the retry counters are per execution.
    assert [sum(e["type"] == "LambdaFunctionScheduled" for e in history) for history in histories] == [3] * 6
    assert len(programs._built) == 1


def _ended(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def test_handler_method_names_are_listed_once_per_class_as_moto_lists_them() -> None:
    with applied(patch_handler_method_names):
        listed = vars(moto_responses)["method_names_from_class"](DynamoHandler)
        assert listed == frozenset(method_names_from_class(DynamoHandler))
        assert {"put_item", "transact_write_items", "query"} <= listed
        assert vars(moto_responses)["method_names_from_class"](DynamoHandler) is listed
    assert vars(moto_responses)["method_names_from_class"] is method_names_from_class


CONDITIONS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("attribute_not_exists(pk)", {}, {}),
    (
        "#free >= :one AND #state = :held",
        {"#free": "free", "#state": "state"},
        {":one": {"N": "1"}, ":held": {"S": "held"}},
    ),
    (
        "#free >= :one AND #state = :held",
        {"#free": "free", "#state": "state"},
        {":one": {"N": "5"}, ":held": {"S": "held"}},
    ),
    ("version < :v OR attribute_not_exists(version)", {}, {":v": {"N": "3"}}),
    ("contains(tags, :t) AND size(tags) > :n", {}, {":t": {"S": "a"}, ":n": {"N": "0"}}),
]


def _evaluations() -> list[tuple[list[bool], list[str], list[str]]]:
    items = [
        None,
        Item(DynamoType({"S": "p"}), None, {"pk": {"S": "p"}, "free": {"N": "2"}, "state": {"S": "held"}}),
        Item(DynamoType({"S": "p"}), None, {"pk": {"S": "p"}, "version": {"N": "2"}, "tags": {"SS": ["a"]}}),
    ]
    found = []
    for expression, names, values in CONDITIONS:
        parser = ConditionExpressionParser(expression, names, values)
        op = parser.parse()
        found.append(
            (
                [bool(op.expr(item)) for item in items],
                parser.expr_attr_names_found,
                parser.expr_attr_values_found,
            )
        )
    return found


def test_a_condition_parsed_again_with_the_same_names_and_values_is_the_same_condition() -> None:
    patches = layer.install()
    try:
        expected = _evaluations()
        patch_condition_parses(patches)
        assert _evaluations() == expected
        assert _evaluations() == expected  # now from the kept parses
        first = ConditionExpressionParser(*CONDITIONS[1]).parse()
        assert ConditionExpressionParser(*CONDITIONS[1]).parse() is first
        assert ConditionExpressionParser(*CONDITIONS[2]).parse() is not first  # other values
        for _ in range(2):  # a syntax error is refused every time, never kept
            with pytest.raises(MockValidationException):
                ConditionExpressionParser("#free >= AND", {"#free": "free"}, {}).parse()
    finally:
        patches.undo()


# (update expression, names, values): repeated texts with other values, nested paths, functions,
# every clause kind, and expressions moto refuses (syntax, undefined value, overlapping paths, key).
UPDATES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("SET #l1 = :new, #l2 = :new", {"#l1": "leg1", "#l2": "leg2"}, {":new": {"M": {"b": {"S": "b-1"}}}}),
    ("SET #l1 = :new, #l2 = :new", {"#l1": "leg1", "#l2": "leg2"}, {":new": {"M": {"b": {"S": "b-2"}}}}),
    ("REMOVE #l1, #l2", {"#l1": "leg1", "#l2": "leg2"}, {}),
    ("SET n = if_not_exists(n, :zero) + :one", {}, {":zero": {"N": "0"}, ":one": {"N": "1"}}),
    ("SET n = if_not_exists(n, :zero) + :one", {}, {":zero": {"N": "0"}, ":one": {"N": "5"}}),
    ("ADD topics :t SET seq = :s", {}, {":t": {"SS": ["a", "b"]}, ":s": {"N": "7"}}),
    ("DELETE topics :t", {}, {":t": {"SS": ["a"]}}),
    ("SET l = list_append(if_not_exists(l, :e), :x)", {}, {":e": {"L": []}, ":x": {"L": [{"S": "x"}]}}),
    ("SET m.inner = :v", {}, {":v": {"S": "deep"}}),
    ("SET m = :m", {}, {":m": {"M": {"inner": {"N": "1"}}}}),
    ("SET m.inner = :v", {}, {":v": {"S": "deep"}}),
    ("SET #x = :missing", {"#x": "x"}, {":other": {"S": "o"}}),
    ("SET a = :v, a = :v", {}, {":v": {"S": "twice"}}),
    ("SET pk = :v", {}, {":v": {"S": "key"}}),
    ("SET = :v", {}, {":v": {"S": "syntax"}}),
    ("SET n = n + :s", {}, {":s": {"S": "not a number"}}),
    # The seat map's shape: several nested paths under named maps, some made on the way.
    ("SET #c = if_not_exists(#c, :empty)", {"#c": "cars"}, {":empty": {"M": {}}}),
    (
        "SET #c.#a = :one, #c.#b = :two, #v = :v",
        {"#c": "cars", "#a": "3", "#b": "4", "#v": "version"},
        {":one": {"M": {"12": {"S": "b-1"}}}, ":two": {"M": {}}, ":v": {"N": "2"}},
    ),
    (
        "SET #c.#a.#s = :held REMOVE #c.#b",
        {"#c": "cars", "#a": "3", "#s": "14", "#b": "4"},
        {":held": {"L": [{"S": "b-2"}, {"N": "1"}]}},
    ),
    ("SET #c.#a.#s = :x", {"#c": "cars", "#a": "9", "#s": "1"}, {":x": {"S": "no such car"}}),
    # One text whose one-name paths overlap with some names and not with others, in both orders.
    ("SET #a = :v, #b = :v", {"#a": "one", "#b": "two"}, {":v": {"S": "v"}}),
    ("SET #a = :v, #b = :v", {"#a": "one", "#b": "one"}, {":v": {"S": "v"}}),
    ("SET #a = :v, #b = :v", {"#a": "two", "#b": "one"}, {":v": {"S": "v"}}),
    ("SET #a = :v, #b.#c = :v", {"#a": "m", "#b": "m", "#c": "x"}, {":v": {"S": "v"}}),
    ("SET #a = :v SET #b = :v", {"#a": "one", "#b": "two"}, {":v": {"S": "v"}}),
    ("SET #a = :v, #b = :v", {"#a": "one", "#b": "one"}, {":v": {"S": "v"}}),
]


def _updates_applied() -> list[Any]:
    """Each update's outcome (the item after it, or the error), through moto's handler and backend."""
    outcomes: list[Any] = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="eu-central-1")
        ddb.create_table(
            TableName="u",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for round_ in range(2):  # the second round finds every text parsed already
            for number, (expression, names, values) in enumerate(UPDATES):
                request: dict[str, Any] = {
                    "TableName": "u",
                    "Key": {"pk": {"S": f"p{round_}"}},
                    "UpdateExpression": expression,
                    "ReturnValues": "ALL_NEW",
                }
                if names:
                    request["ExpressionAttributeNames"] = names
                if values:
                    request["ExpressionAttributeValues"] = values
                try:
                    outcomes.append(ddb.update_item(**request).get("Attributes"))
                except ddb.exceptions.ClientError as error:
                    outcomes.append(("refused", number, error.response["Error"]))
                transaction: Any = {"Update": {k: v for k, v in request.items() if k != "ReturnValues"}}
                transaction["Update"]["Key"] = {"pk": {"S": f"t{round_}"}}
                try:
                    ddb.transact_write_items(TransactItems=[transaction])
                    outcomes.append(ddb.get_item(TableName="u", Key={"pk": {"S": f"t{round_}"}}).get("Item"))
                except ddb.exceptions.ClientError as error:
                    outcomes.append(("refused in a transaction", number, error.response["Error"]))
    return outcomes


def test_updates_with_expressions_parsed_once_and_walked_by_kept_kinds_end_as_moto_ends_them() -> None:
    expected = _updates_applied()
    assert sum(isinstance(outcome, tuple) for outcome in expected) >= 8  # the refusals are compared too
    patches = Patches()
    patch_update_expression_parses(patches)
    patch_walker_node_kinds(patches)
    patch_walker_traversal(patches)
    patch_clause_search(patches)
    patch_kept_update_checks(patches)
    patch_update_rewrites(patches)
    try:
        assert _updates_applied() == expected
        first = UpdateExpressionParser.make(UPDATES[0][0])
        assert UpdateExpressionParser.make(UPDATES[0][0]) is first
    finally:
        patches.undo()
    assert UpdateExpressionParser.make(UPDATES[0][0]) is not first  # undone: moto parses again


CLAUSE_SEARCHES = [  # every list moto's update handling searches a tree for
    ["UpdateExpressionAddClause"],
    ["UpdateExpressionRemoveClause"],
    ["UpdateExpressionSetClause"],
    [
        "UpdateExpressionSetAction",
        "UpdateExpressionAddAction",
        "UpdateExpressionRemoveAction",
        "UpdateExpressionDeleteAction",
    ],
    ["ExpressionAttributeName"],
    ["ExpressionAttributeValue"],
]


def test_clauses_are_found_in_every_node_as_moto_finds_them() -> None:
    trees = []
    for expression, _, _ in UPDATES:
        try:
            trees.append(UpdateExpressionParser.make(expression))
        except MockValidationException:
            continue
    nodes: list[Any] = []
    pending = list(trees)
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(child for child in node.children or [] if isinstance(child, Node))
    searches = [[getattr(ast_nodes, name) for name in names] for names in CLAUSE_SEARCHES]
    expected = [[id(found) for found in node.find_clauses(kinds)] for node in nodes for kinds in searches]
    assert any(expected)
    with applied(patch_clause_search):
        assert [
            [id(found) for found in node.find_clauses(kinds)] for node in nodes for kinds in searches
        ] == expected


def _same_copy(original: Any, deep: Any, fast: Any, pairs: dict[int, tuple[Any, Any]]) -> None:
    """`fast` copies `original` as `deep` (copy.deepcopy) does: classes, attributes in order, sharing."""
    if id(original) in pairs:
        assert pairs[id(original)] == (deep, fast)  # a node reached twice is one copy on both sides
        return
    pairs[id(original)] = (deep, fast)
    assert type(fast) is type(deep) is type(original) and fast is not original
    assert list(vars(fast)) == list(vars(deep)) == list(vars(original))
    for name, value in vars(original).items():
        deep_value, fast_value = vars(deep)[name], vars(fast)[name]
        if isinstance(value, Node):
            _same_copy(value, deep_value, fast_value, pairs)
        elif isinstance(value, list):
            assert type(fast_value) is list and fast_value is not value and len(fast_value) == len(value)
            for item, deep_item, fast_item in zip(value, deep_value, fast_value, strict=True):
                if isinstance(item, Node):
                    _same_copy(item, deep_item, fast_item, pairs)
                else:
                    assert fast_item == deep_item == item and type(fast_item) is type(item)
        else:
            assert fast_value == deep_value == value


def test_kept_update_trees_are_copied_node_by_node_as_deepcopy_copies_them() -> None:
    for expression, _, _ in UPDATES:
        try:
            tree = UpdateExpressionParser.make(expression)
        except MockValidationException:
            continue  # a syntax error: nothing kept, nothing copied
        assert is_plain_tree(tree), expression
        _same_copy(tree, copy.deepcopy(tree), copy_plain_tree(tree), {})


LEXED = [
    *(text for text, _, _ in CONDITIONS),
    "(attribute_not_exists(#l0)) AND (#l1.booking = :b OR #l1.#s IN (:held, :sold))",
    "a.b[1].c <> :x AND NOT begins_with(#p, :pre) AND n BETWEEN :lo AND :hi",
    "   spaced  =  :v   ",
    "",
    "#free >= AND",  # lexes; the parser refuses it
    "price $ 3",  # the lexer refuses it
]


def _lexed(text: str) -> Any:
    try:
        return [tuple(node) for node in ConditionExpressionParser(text, {}, {})._lex_condition_expression()]
    except ValueError as refused:
        return ("refused", str(refused))


def test_condition_tokens_kept_per_text_are_new_tokens_equal_to_the_lexers() -> None:
    expected = [_lexed(text) for text in LEXED]
    assert ("refused", "Cannot parse condition starting at:$ 3") in expected
    patches = layer.install()
    try:
        patch_condition_lexing(patches)
        assert [_lexed(text) for text in LEXED] == expected
        assert [_lexed(text) for text in LEXED] == expected  # now from the kept tokens
        first = ConditionExpressionParser(LEXED[5], {}, {})._lex_condition_expression()
        again = ConditionExpressionParser(LEXED[5], {}, {})._lex_condition_expression()
        assert all(a is not b and a.children is not b.children for a, b in zip(first, again, strict=True))
        evaluated = _evaluations()
        patch_condition_parses(patches)
        assert _evaluations() == evaluated
    finally:
        patches.undo()
    assert _evaluations() == evaluated


def test_kept_substitutions_answer_as_re_does() -> None:
    kept = KeptSubstitutions()
    texts = ["SET a = b + c", "SET a=b-c", "  REMOVE x ", "SET #a = :v, #b = :w", ""]
    for _ in range(2):  # the second time from the kept answers
        for text in texts:
            assert kept.sub(r"\s*([=\+-])\s*", "\\1", text) == re.sub(r"\s*([=\+-])\s*", "\\1", text)
    assert kept.sub("a", "b", "aaa", count=1) == "baa" and kept.sub("A", "b", "aA", flags=re.I) == "bb"
    assert kept.sub(re.compile("x"), lambda m: "y", "xx") == "yy"
    assert kept.compile is re.compile and kept.escape("+") == "\\+"
