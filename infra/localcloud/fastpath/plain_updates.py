"""An UpdateItem that only sets or removes top-level attributes skips moto's expression machinery.

Trainbook's hottest updates are of this shape: a seat's legs in the hold, sale and release transactions
(`SET #l3 = :new`, `REMOVE #l3`), a token spent, a session revoked. moto handles each through its whole
update path: the validator's walkers over a deep copy of the parse tree (`Validator.__init__`, ten
traversals), a deep copy of the item for the stream's old image, and the executor's walk. Under the booking
bench that path was 8.7 % of the engine's CPU, nearly all of it inside transactions.

For an expression that is exactly `SET #a = :x[, #b = :y ...]` or `REMOVE #a[, #b ...]` (placeholders only,
keywords in capitals), whose every placeholder is defined, whose attributes are distinct and none of them a
key attribute of the table or an index, the result is known without the walk: the item's attributes in
their order, each set one assigned in the expression's order (through the item's `LimitedSizeDict`, so the
400 KB refusal is moto's, turned into the update's own error as moto turns it), each removed one dropped.
The condition is evaluated as moto evaluates it, on the item as it is. The new item replaces the stored one
instead of being changed in place, so the old one is the stream record's old image as it stands, with no
copy. Anything else (a nested path, a function, arithmetic, ADD or DELETE, an undefined placeholder, a key
attribute, the same attribute twice, `AttributeUpdates` or `Expected`) goes to moto as before, which refuses
what is wrong with its own message.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from moto.dynamodb.comparisons import create_condition_expression_parser
from moto.dynamodb.exceptions import ConditionalCheckFailed, ItemSizeTooLarge, ItemSizeToUpdateTooLarge
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from localcloud.fastpath.update_expressions import PARSED_EXPRESSIONS
from localcloud.layer.patching import Patches

_NAME = r"#[A-Za-z0-9_]+"
_VALUE = r":[A-Za-z0-9_]+"
_SET = re.compile(rf"\s*SET\s+({_NAME}\s*=\s*{_VALUE}(?:\s*,\s*{_NAME}\s*=\s*{_VALUE})*)\s*")
_REMOVE = re.compile(rf"\s*REMOVE\s+({_NAME}(?:\s*,\s*{_NAME})*)\s*")

# (name placeholder, value placeholder) in the expression's order; no value placeholder: a REMOVE.
Plan = tuple[tuple[str, str | None], ...]


@functools.lru_cache(maxsize=PARSED_EXPRESSIONS)
def plain_plan(expression: str) -> Plan | None:
    """The actions of an expression of plain top-level SETs or REMOVEs; None for any other expression."""
    found = _SET.fullmatch(expression)
    if found is not None:
        pairs = (part.split("=") for part in found.group(1).split(","))
        return tuple((name.strip(), value.strip()) for name, value in pairs)
    found = _REMOVE.fullmatch(expression)
    if found is not None:
        return tuple((name.strip(), None) for name in found.group(1).split(","))
    return None


def _changes(
    plan: Plan, names: dict[str, Any] | None, values: dict[str, Any] | None, keys: list[str]
) -> list[tuple[str, Any]] | None:
    """(attribute, value or None to remove) per action, or None when moto's path must decide."""
    names, values = names or {}, values or {}
    changes: list[tuple[str, Any]] = []
    for name_placeholder, value_placeholder in plan:
        name = names.get(name_placeholder)
        value = None if value_placeholder is None else values.get(value_placeholder)
        if type(name) is not str or (value_placeholder is not None and type(value) is not dict):
            return None
        changes.append((name, value))
    touched = [name for name, _ in changes]
    if len(set(touched)) != len(touched) or not set(touched).isdisjoint(keys):
        return None
    return changes


def _key_values(table: Table, key: Any) -> tuple[DynamoType, DynamoType | None] | None:
    """The key's hash and range values when it is exactly the table's key, with the table's types."""
    range_attr = table.range_key_attr
    if type(key) is not dict or len(key) != (1 if range_attr is None else 2):
        return None
    if table.hash_key_attr not in key or (range_attr is not None and range_attr not in key):
        return None
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = None if range_attr is None else DynamoType(key[range_attr])
    if hash_value.type != table.hash_key_type:
        return None
    if range_value is not None and range_value.type != table.range_key_type:
        return None
    return hash_value, range_value


def _updated(
    table: Table,
    current: Item | None,
    key: tuple[DynamoType, DynamoType | None],
    changes: list[tuple[str, Any]],
) -> Item:
    """A new item: the current one's attributes in their order (or the key's), then each change in turn."""
    hash_value, range_value = key
    item = Item(hash_value, range_value, {})
    if current is not None:
        for name, value in current.attrs.items():
            dict.__setitem__(item.attrs, name, value)
    else:  # moto puts the bare key first, refusing what it would refuse in a PutItem
        bare = {table.hash_key_attr: {hash_value.type: hash_value.value}}
        dict.__setitem__(item.attrs, table.hash_key_attr, hash_value)
        if range_value is not None and table.range_key_attr is not None:
            bare[table.range_key_attr] = {range_value.type: range_value.value}
            dict.__setitem__(item.attrs, table.range_key_attr, range_value)
        table._validate_item_types(bare)
        table._validate_key_sizes(bare)
    try:
        for name, value in changes:
            if value is None:
                item.attrs.pop(name, None)
            else:
                item.attrs[name] = DynamoType(value)
    except ItemSizeTooLarge:
        raise ItemSizeToUpdateTooLarge() from None
    return item


def patch_plain_updates(patches: Patches) -> None:
    update_item = DynamoDBBackend.update_item

    def plain_update_item(
        self: DynamoDBBackend,
        table_name: str,
        key: dict[str, dict[str, Any]],
        update_expression: str,
        expression_attribute_names: dict[str, Any],
        expression_attribute_values: dict[str, Any],
        attribute_updates: dict[str, Any] | None = None,
        expected: dict[str, Any] | None = None,
        condition_expression: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Item:
        plan = None
        if type(update_expression) is str and not attribute_updates and not expected:
            plan = plain_plan(update_expression)
        table = keys = changes = None
        if plan is not None:
            table = self.get_table(table_name)
            keys = _key_values(table, key)
            names, values = expression_attribute_names, expression_attribute_values
            changes = _changes(plan, names, values, table.attribute_keys)
        if table is None or keys is None or changes is None:
            answer: Item = update_item(
                self,
                table_name,
                key,
                update_expression,
                expression_attribute_names,
                expression_attribute_values,
                attribute_updates=attribute_updates,
                expected=expected,
                condition_expression=condition_expression,
                return_values_on_condition_check_failure=return_values_on_condition_check_failure,
            )
            return answer
        current = table.get_item(*keys)
        condition = create_condition_expression_parser(
            condition_expression, expression_attribute_names, expression_attribute_values
        ).parse()
        if not condition.expr(current):
            if return_values_on_condition_check_failure == "ALL_OLD" and current is not None:
                raise ConditionalCheckFailed(item=current.to_json()["Attributes"])
            raise ConditionalCheckFailed
        item = _updated(table, current, keys, changes)
        hash_value, range_value = keys
        if range_value is not None:
            table.items[hash_value][range_value] = item
        else:
            table.items[hash_value] = item  # type: ignore[assignment]
        if table.stream_shard is not None:
            table.stream_shard.add(current, item)
        return item

    patches.replace(DynamoDBBackend, "update_item", plain_update_item)
