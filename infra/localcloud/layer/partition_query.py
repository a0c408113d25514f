"""Defect 3: a Query on the base table reads only the requested partition, not the whole table."""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from localcloud.layer.patching import Patches

_partition = threading.local()


def patch_partition_query(patches: Patches) -> None:
    original_query = Table.query
    original_all_items = Table.all_items

    def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        # moto filters all_items() by hash key; hand it just that partition (a GSI query still scans).
        _partition.table, _partition.hash_key = self, hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _partition.table = None

    def all_items(self: Table) -> list[Item]:
        if getattr(_partition, "table", None) is not self:
            return original_all_items(self)
        stored = self.items.get(_partition.hash_key)
        if stored is None:
            return []
        return list(stored.values()) if self.range_key_attr else [stored]

    patches.replace(Table, "query", query)
    patches.replace(Table, "all_items", all_items)
