"""The table the fast-path tests write and read: `pk` (S) and `sk` (N), indexes on `g` (S)."""

from __future__ import annotations

from typing import Any

ALL = {"by-g": {"ProjectionType": "ALL"}}


def create_range_table(
    client: Any, name: str, indexes: dict[str, dict[str, Any]] = ALL, **extra: Any
) -> None:
    """Create it, one index on `g` per entry of `indexes` (name: projection); `extra` goes to CreateTable."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": projection,
            }
            for index, projection in indexes.items()
        ],
        **extra,
    )
