"""An UpdateItem of top-level SETs, REMOVEs and number ADDs skips moto's expression machinery.

Trainbook's hottest updates are of this shape: a seat's legs in the hold, sale and release transactions
(`SET #l3 = :new`, `REMOVE #l3`), the sales and analytics counters (`ADD #a :a, #b :b`), a topic's sequence,
a token spent, a session revoked. moto handles each through its whole update path: the validator's walkers
over a deep copy of the parse tree (`Validator.__init__`, ten traversals), a deep copy of the item for the
stream's old image, and the executor's walk. Under the booking bench that path was 8.7 % of the engine's CPU,
nearly all of it inside transactions.

For an expression made of `SET a = :x, ...`, `REMOVE a, ...` and `ADD a :n, ...` clauses (each keyword once,
in capitals; `a` a placeholder or a plain name that is not a reserved word; `:x` a placeholder), whose every
placeholder is defined, whose attributes are distinct and none of them a key attribute of the table or an
index, and whose ADD values are numbers, the result is known without the walk: the item's attributes in their
order, then each action in the expression's order (moto's order for distinct top-level attributes), every
set through the item's `LimitedSizeDict`, so the 400 KB refusal is moto's, turned into the update's own error
as moto turns it; an ADD is moto's own sum (`DynamoType.__add__`) with the attribute's number, or with 0 when
it has none. The condition is evaluated as moto evaluates it, on the item as it is. The new item replaces the
stored one instead of being changed in place, so the old one is the stream record's old image as it stands,
with no copy. Anything else (a nested path, a function, arithmetic, DELETE, a set ADD or an ADD to an
attribute that is not a number, an undefined placeholder, a reserved word, a key attribute, the same
attribute twice, `AttributeUpdates` or `Expected`) goes to moto as before, which refuses what is wrong with
its own message.
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
from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

from localcloud.fastpath.update_expressions import PARSED_EXPRESSIONS
from localcloud.layer.patching import Patches

_NAME = r"(?:#[A-Za-z0-9_]+|[A-Za-z][A-Za-z0-9_]*)"  # a placeholder, or a plain name
_VALUE = r":[A-Za-z0-9_]+"
_CLAUSES = {
    "SET": re.compile(rf"{_NAME}\s*=\s*{_VALUE}(?:\s*,\s*{_NAME}\s*=\s*{_VALUE})*"),
    "REMOVE": re.compile(rf"{_NAME}(?:\s*,\s*{_NAME})*"),
    "ADD": re.compile(rf"{_NAME}\s+{_VALUE}(?:\s*,\s*{_NAME}\s+{_VALUE})*"),
}
_KEYWORD = re.compile(r"(?:^|(?<=\s))(SET|REMOVE|ADD|DELETE)\s+")
_RESERVED = frozenset(ReservedKeywords.get_reserved_keywords())

# (SET, REMOVE or ADD; the attribute's placeholder or plain name; the value's placeholder, None to remove),
# in the expression's order.
Action = tuple[str, str, str | None]
Plan = tuple[Action, ...]
Change = tuple[str, str, Any]  # (SET, REMOVE or ADD; attribute; value)


class _NotPlain(Exception):
    """The item holds what moto's path must decide (an ADD to an attribute that is not a number)."""


@functools.lru_cache(maxsize=PARSED_EXPRESSIONS)
def plain_plan(expression: str) -> Plan | None:
    """The actions of an expression of top-level SET, REMOVE and number ADD clauses (each keyword once, in
    capitals); None for any other expression."""
    parts = _KEYWORD.split(expression)
    if parts[0].strip() or len(parts) < 3:
        return None
    actions: list[Action] = []
    seen: set[str] = set()
    for keyword, body in zip(parts[1::2], parts[2::2], strict=True):
        clause = _CLAUSES.get(keyword)
        if clause is None or keyword in seen or not clause.fullmatch(body.strip()):
            return None
        seen.add(keyword)
        for part in body.split(","):
            if keyword == "SET":
                name, value = part.split("=")
                actions.append((keyword, name.strip(), value.strip()))
            elif keyword == "ADD":
                name, value = part.split()
                actions.append((keyword, name, value))
            else:
                actions.append((keyword, part.strip(), None))
    return tuple(actions)


def _attribute(token: str, names: dict[str, Any]) -> str | None:
    if token.startswith("#"):
        name = names.get(token)
        return name if type(name) is str else None
    return None if token.upper() in _RESERVED else token


def _changes(
    plan: Plan, names: dict[str, Any] | None, values: dict[str, Any] | None, keys: list[str]
) -> list[Change] | None:
    """(action, attribute, value) per action, or None when moto's path must decide."""
    names, values = names or {}, values or {}
    changes: list[Change] = []
    for keyword, token, placeholder in plan:
        name = _attribute(token, names)
        value = None if placeholder is None else values.get(placeholder)
        if name is None or (placeholder is not None and type(value) is not dict):
            return None
        if keyword == "ADD" and not (type(value) is dict and len(value) == 1 and type(value.get("N")) is str):
            return None  # sets, and what moto refuses, go its way
        changes.append((keyword, name, value))
    touched = [name for _, name, _ in changes]
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
    changes: list[Change],
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
        for keyword, name, value in changes:
            if keyword == "REMOVE":
                item.attrs.pop(name, None)
            elif keyword == "SET":
                item.attrs[name] = DynamoType(value)
            else:  # ADD of a number: to the attribute's number, or to 0 when it has none (moto's sum)
                existing = item.attrs.get(name)
                if existing is not None and existing.type != "N":
                    raise _NotPlain
                base = DynamoType({"N": "0"}) if existing is None else existing
                item.attrs[name] = base + DynamoType(value)
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
        def moto_path() -> Item:
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

        if type(update_expression) is not str or attribute_updates or expected:
            return moto_path()
        plan = plain_plan(update_expression)
        if plan is None:
            return moto_path()
        table = self.get_table(table_name)
        keys = _key_values(table, key)
        names, values = expression_attribute_names, expression_attribute_values
        changes = _changes(plan, names, values, table.attribute_keys)
        if keys is None or changes is None:
            return moto_path()
        current = table.get_item(*keys)
        condition = create_condition_expression_parser(condition_expression, names, values).parse()
        if not condition.expr(current):
            if return_values_on_condition_check_failure == "ALL_OLD" and current is not None:
                raise ConditionalCheckFailed(item=current.to_json()["Attributes"])
            raise ConditionalCheckFailed
        try:
            item = _updated(table, current, keys, changes)
        except _NotPlain:
            return moto_path()  # nothing was changed: moto's path finds the item as it was
        hash_value, range_value = keys
        if range_value is not None:
            table.items[hash_value][range_value] = item
        else:
            table.items[hash_value] = item  # type: ignore[assignment]
        if table.stream_shard is not None:
            table.stream_shard.add(current, item)
        return item

    patches.replace(DynamoDBBackend, "update_item", plain_update_item)
