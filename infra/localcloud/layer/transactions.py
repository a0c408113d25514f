"""Defect 2: TransactWriteItems rolls back the items it touched instead of deep-copying whole tables."""

from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from localcloud.layer.patching import Patches
from localcloud.layer.stream_log import write_scope

CancelReason = tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]


class ConditionFailed(Exception):
    """A transaction item's condition failed; carries the old item when ALL_OLD was asked for."""

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("The conditional request failed")
        self.item = item


class ItemJournal:
    """Copies of each touched item as it was before the transaction, to put back on cancellation."""

    def __init__(self) -> None:
        self._saved: dict[tuple[str, Any, Any], tuple[Table, Item | None]] = {}

    def remember(self, table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
        slot = (table.name, hash_key, range_key)
        if slot not in self._saved:
            self._saved[slot] = (table, copy.deepcopy(table.get_item(hash_key, range_key)))

    def restore(self) -> None:
        for (_, hash_key, range_key), (table, item) in self._saved.items():
            if range_key is None:
                if item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item  # type: ignore[assignment]
                continue
            partition = table.items[hash_key]
            if item is None:
                partition.pop(range_key, None)
                if not partition:
                    del table.items[hash_key]
            else:
                partition[range_key] = item


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        key: dict[str, Any] = op["Key"]
        return key
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _apply(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], journal: ItemJournal) -> None:
    table_name = op["TableName"]
    table = backend.get_table(table_name)
    key = _key_of(backend, op_type, op)
    condition = op.get("ConditionExpression")
    names: dict[str, Any] = op.get("ExpressionAttributeNames") or {}
    values: dict[str, Any] = op.get("ExpressionAttributeValues") or {}
    current = backend.get_item(table_name, key)
    if condition is not None and not get_filter_expression(condition, names, values).expr(current):
        on_failure = op.get("ReturnValuesOnConditionCheckFailure")
        old = current.to_json()["Attributes"] if on_failure == "ALL_OLD" and current else None
        raise ConditionFailed(old)
    if op_type == "ConditionCheck":
        return
    journal.remember(table, *backend.get_keys_value(table, key))
    # The condition held on `current` just now, and the DynamoDB lock keeps the item as it is: moto's
    # write would parse and evaluate it again on the same item (and pass), so it is not asked to.
    if op_type == "Put":
        backend.put_item(
            table_name,
            op["Item"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    elif op_type == "Delete":
        backend.delete_item(
            table_name,
            key,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    else:
        backend.update_item(
            table_name,
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal = ItemJournal()
    targets: set[tuple[str, str]] = set()
    reasons: list[CancelReason] = []
    try:
        with write_scope():
            for entry in transact_items:
                if len(entry) > 1:
                    raise TransactWriteSingleOpException
                op_type, op = next(iter(entry.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise MockValidationException("Unsupported transaction operation")
                target = (str(op["TableName"]), str(dict(sorted(_key_of(self, op_type, op).items()))))
                if target in targets:
                    raise MultipleTransactionsException()
                targets.add(target)
                try:
                    _apply(self, op_type, op, journal)
                    reasons.append((None, None, None))
                except ConditionFailed as failed:
                    reasons.append(("ConditionalCheckFailed", str(failed), failed.item))
                except ConditionalCheckFailed as failed:
                    reasons.append(("ConditionalCheckFailed", str(failed.message), None))
                except MultipleTransactionsException:
                    raise
                except MockValidationException as invalid:
                    if "part of the key" in invalid.exception_msg:
                        raise  # updating a key attribute is refused whatever the item holds
                    # The request passed validation (layer.validation), so this depends on the item's
                    # data (a wrong operand type, say): DynamoDB cancels with reason ValidationError.
                    reasons.append(("ValidationError", str(invalid.exception_msg), None))
                except Exception as error:  # moto reports any other failure as a cancellation reason
                    reasons.append((type(error).__name__, str(error), None))
            if any(code is not None for code, _, _ in reasons):
                raise TransactionCanceledException(reasons)
    except BaseException:
        journal.restore()
        raise


def update_item_once(original: Any) -> Any:
    """moto's UpdateItem on a new item emits INSERT (bare key) then MODIFY; AWS emits one INSERT."""

    def update_item(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with write_scope():
            return original(self, *args, **kwargs)

    return update_item


def patch_item_level_transactions(patches: Patches) -> None:
    patches.replace(DynamoDBBackend, "transact_write_items", transact_write_items)
    patches.replace(DynamoDBBackend, "update_item", update_item_once(DynamoDBBackend.update_item))
