"""The read models' hot reads (search rows, seat-map items): their items as DynamoDB's JSON sends them.

A search reads its rows and its runs' seat-map items on every call. botocore walks each answer along
the service model, one function call per attribute value, to build the same nested dicts `json.loads`
builds from the body, and PynamoDB then copies them again into models: together about half the query
function's own CPU time per search, growing with the bookings a seat-map item holds. Here a successful
Query or BatchGetItem answer is read with `json.loads` alone; the readers pick the few attributes they
need (`attribute_number`). For every type but binary, which these tables do not hold, the items are
exactly what botocore would hand back. Errors, retries, checksums and timeouts are botocore's, with
PynamoDB's settings, as the models' own calls have them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from pynamodb.connection import Connection

from trainbook import tables

Item = dict[str, dict[str, Any]]  # attribute name -> DynamoDB JSON value ({"S": ...}, {"N": ...}, ...)

# DynamoDB takes at most 100 keys per BatchGetItem.
KEYS_PER_BATCH_GET = 100


def query_items(table: str, key_name: str, key: str) -> Iterator[Item]:
    """Every item under one partition key, in sort-key order, page after page (as `Model.query`)."""
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#k = :k",
        "ExpressionAttributeNames": {"#k": key_name},
        "ExpressionAttributeValues": {":k": {"S": key}},
    }
    while True:
        answer = _client().query(**request)
        yield from answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def batch_get_items(table: str, key_name: str, keys: list[str]) -> Iterator[Item]:
    """The items of these partition keys that exist, unprocessed keys asked again (as `Model.batch_get`)."""
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), KEYS_PER_BATCH_GET):
        page: list[Item] = [{key_name: {"S": k}} for k in wanted[start : start + KEYS_PER_BATCH_GET]]
        while page:
            answer = _client().batch_get_item(RequestItems={table: {"Keys": page}})
            yield from answer.get("Responses", {}).get(table, [])
            page = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])


def attribute_number(value: dict[str, str]) -> int | float:
    """A number attribute as PynamoDB's NumberAttribute reads it (JSON: an int, else a float), cheaply."""
    text = value["N"]
    try:
        return int(text)
    except ValueError:
        return float(text)


def _plain_json(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    """botocore's `before-parse` hook: a success's body goes to the result as parsed, its parser sees `{}`."""
    if response_dict["status_code"] < 300 and response_dict["body"]:
        customized_response_dict.update(json.loads(response_dict["body"]))
        response_dict["body"] = b"{}"


@cache
def _client() -> Any:
    """One client per container, made as PynamoDB makes its own (timeouts, retries, pool size)."""
    client = Connection(region=tables.region(), host=tables.host()).client
    for operation in ("Query", "BatchGetItem"):
        client.meta.events.register(f"before-parse.dynamodb.{operation}", _plain_json)
    return client
