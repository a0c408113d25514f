"""boto3 clients made once per test session: moto intercepts them in every `mock_aws` that follows."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def secretsmanager() -> Any:
    return boto3.client("secretsmanager")


def scan(table: str) -> list[dict[str, Any]]:
    """Every item of a (small) table, as plain strings and numbers."""
    items: list[dict[str, Any]] = dynamodb().scan(TableName=table, ConsistentRead=True)["Items"]
    return [{k: next(iter(v.values())) for k, v in item.items()} for item in items]
