"""A Query without moto's deep copy of its results (fastpath/query_results.py) answers as moto answers and
leaves the stored items as they were: index projections, projection expressions and filters build new
items or only read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from localcloud import layer
from localcloud.fastpath.query_results import _querying, patch_query_results
from localcloud.layer.patching import Patches
from tests.integration.localcloud.range_table import create_range_table

REGION = "eu-central-1"
NESTED = {"M": {"a": {"S": "x"}, "b": {"L": [{"N": "1"}, {"M": {"c": {"S": "y"}}}]}}}


def _queries() -> list[dict[str, Any]]:
    run = {":p": {"S": "run"}}
    return [
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": run},
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": run,
            "ScanIndexForward": False,
            "Limit": 2,
        },
        {
            "KeyConditionExpression": "pk = :p",
            "ProjectionExpression": "nested.b[1].c, sk",
            "ExpressionAttributeValues": run,
        },
        {
            "KeyConditionExpression": "pk = :p AND sk > :one",
            "FilterExpression": "nested.a = :x",
            "ExpressionAttributeValues": {**run, ":one": {"N": "1"}, ":x": {"S": "x"}},
        },
        {
            "IndexName": "keys",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "day"}},
        },
        {
            "IndexName": "some",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "day"}},
        },
        {
            "IndexName": "all",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "day"}},
        },
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": run, "Select": "COUNT"},
    ]


def _outcomes() -> tuple[list[Any], str]:
    """Every query's answer, then the table's items as stored."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)

        projections = {
            "keys": {"ProjectionType": "KEYS_ONLY"},
            "some": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["nested"]},
            "all": {"ProjectionType": "ALL"},
        }
        create_range_table(client, "t", projections, BillingMode="PAY_PER_REQUEST")
        for sk in range(1, 5):
            item = {
                "pk": {"S": "run"},
                "sk": {"N": str(sk)},
                "g": {"S": "day"},
                "nested": NESTED,
                "n": {"N": str(sk)},
            }
            client.put_item(TableName="t", Item=item)
        answers = []
        for query in _queries():
            answer = client.query(TableName="t", **query)
            answer.pop("ResponseMetadata")
            answers.append(answer)
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["t"]
        stored = json.dumps([item.to_json() for item in table.all_items()], sort_keys=True)
    return answers, stored


def _with(*installs: Callable[[Patches], None]) -> tuple[list[Any], str]:
    patches = layer.install()
    try:
        for install in installs:
            install(patches)
        return _outcomes()
    finally:
        patches.undo()


def test_queries_without_copies_answer_as_moto_and_leave_the_items_as_they_were() -> None:
    assert _with(patch_query_results) == _with()


def test_the_results_are_the_stored_items_only_inside_a_query() -> None:
    patches = layer.install()
    patch_query_results(patches)
    try:
        from moto.dynamodb.models import table as table_module

        items = [object()]
        assert table_module.copy.deepcopy(items)[0] is not items[0]  # outside a Query: a real copy
        _querying.active = True
        try:
            kept = table_module.copy.deepcopy(items)
            assert kept == items and kept is not items
        finally:
            _querying.active = False
    finally:
        patches.undo()
