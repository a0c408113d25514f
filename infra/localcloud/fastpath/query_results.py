"""A Query's results are the stored items themselves, not deep copies of them; same answers out.

moto's `Table.query` deep-copies every item it found before it projects them for an index, filters them
and applies a projection expression. None of those changes an item (each projection builds a new one, a
filter only reads), and the handler turns the items into its answer at once, under the DynamoDB lock: the
copy protected nothing. It cost 18 % of a search's engine CPU (py-spy), and a copy is a new item, so the
answer kept for the stored item (`item_answers.py`) could not serve it.

Here the copy is skipped inside `Table.query` only (a `Scan`, a backup, a restore still copy): moto's
`copy.deepcopy` of the results list becomes a new list of the same items.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.dynamodb.models import table as table_module
from moto.dynamodb.models.table import Table

from localcloud.layer.patching import Patches

_querying = threading.local()


class _CopyInQuery:
    """`copy` as `table.py` sees it: `deepcopy` of a Query's result list keeps its items."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_querying, "active", False) and type(value) is list:
            return list(value)
        return copy.deepcopy(value, memo)


def patch_query_results(patches: Patches) -> None:
    query = Table.query

    def uncopied_query(self: Table, *args: Any, **kwargs: Any) -> Any:
        _querying.active = True
        try:
            return query(self, *args, **kwargs)
        finally:
            _querying.active = False

    patches.replace(Table, "query", uncopied_query)
    patches.replace(table_module, "copy", _CopyInQuery())
