"""Requests DynamoDB refuses are refused (HTTP 400 ValidationException), and conditions never answer 500.

moto 5.2.5 answers 500 for a syntax error, an unknown function or a missing `#name`/`:value` in a condition,
for ordering values of different types, and for an UpdateItem without UpdateExpression; it accepts unused
ExpressionAttributeValues, empty or wrongly typed key attributes and duplicate keys in a batch. Checks run
on the request before moto sees it; the messages are DynamoDB's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from moto.dynamodb import comparisons
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.exceptions import KeyIsEmptyStringException, MockValidationException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from localcloud.layer.patching import Patches

_NAME = re.compile(r"#[A-Za-z0-9_]+")
_VALUE = re.compile(r":[A-Za-z0-9_]+")
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_KEYWORDS = {"and", "or", "not", "in", "between", "set", "remove", "add", "delete"}
_CONDITION_FUNCTIONS = {
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
}
FUNCTIONS = {
    "ConditionExpression": _CONDITION_FUNCTIONS,
    "FilterExpression": _CONDITION_FUNCTIONS,
    "KeyConditionExpression": {"begins_with"},
    "UpdateExpression": {"if_not_exists", "list_append"},
    "ProjectionExpression": set(),
}


class ConditionSyntaxError(MockValidationException, ValueError):
    """A ValueError too, so moto's Query/Scan keep answering "Bad Filter Expression: <detail>" for filters."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Invalid ConditionExpression: {detail}")
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


def _invalid(message: str) -> MockValidationException:
    return MockValidationException(message)


def check_expressions(request: dict[str, Any], kinds: Iterable[str]) -> None:
    """Placeholders defined and used, functions known, conditions parseable: DynamoDB's static checks."""
    names: dict[str, Any] = request.get("ExpressionAttributeNames") or {}
    values: dict[str, Any] = request.get("ExpressionAttributeValues") or {}
    if request.get("ExpressionAttributeValues") == {}:
        raise _invalid("ExpressionAttributeValues must not be empty")
    expressions = {kind: request[kind] for kind in kinds if isinstance(request.get(kind), str)}
    names_used: set[str] = set()
    values_used: set[str] = set()
    for kind, expression in expressions.items():
        for name in _NAME.findall(expression):
            if name not in names:
                raise _invalid(
                    f"Invalid {kind}: An expression attribute name used in the document path is not defined;"
                    f" attribute name: {name}"
                )
            names_used.add(name)
        for value in _VALUE.findall(expression):
            if value not in values:
                raise _invalid(
                    f"Invalid {kind}: An expression attribute value used in expression is not defined;"
                    f" attribute value: {value}"
                )
            values_used.add(value)
        for function in _CALL.findall(expression):
            if function.lower() not in _KEYWORDS and function not in FUNCTIONS[kind]:
                raise _invalid(f"Invalid {kind}: Invalid function name; function: {function}")
    if values and not expressions:
        raise _invalid("ExpressionAttributeValues can only be specified when using expressions")
    if names and not expressions:
        raise _invalid("ExpressionAttributeNames can only be specified when using expressions")
    for kind, provided, used in (("Values", values, values_used), ("Names", names, names_used)):
        unused = ", ".join(sorted(set(provided) - used))
        if unused:
            message = f"Value provided in ExpressionAttribute{kind} unused in expressions: keys: {{{unused}}}"
            raise _invalid(message)


def _key_names(table: Table) -> list[str]:
    """The table's own key (moto's `attribute_keys` also lists index keys)."""
    return [name for name in (table.hash_key_attr, table.range_key_attr) if name is not None]


def _declared_types(table: Table) -> dict[str, str]:
    return {a["AttributeName"]: a["AttributeType"] for a in table.attr}


def check_key(table: Table, key: dict[str, Any]) -> None:
    """A `Key` parameter: no empty string or binary, and the types the table declares."""
    declared = _declared_types(table)
    for name in _key_names(table):
        value = key.get(name)
        if value is None:
            continue
        kind, content = next(iter(value.items()))
        if kind in ("S", "B") and content == "":
            raise KeyIsEmptyStringException(name)
        if kind != declared.get(name):
            raise _invalid("The provided key element does not match the schema")


def check_item_keys(table: Table, item: dict[str, Any]) -> None:
    """An item put: its key present with the declared types, index keys (when present) too."""
    declared = _declared_types(table)
    for name in _key_names(table):
        if name not in item:
            raise _invalid(f"One or more parameter values were invalid: Missing the key {name} in the item")
        kind = next(iter(item[name]))
        if kind != declared.get(name):
            raise _invalid(
                f"One or more parameter values were invalid: Type mismatch for key {name}"
                f" expected: {declared.get(name)} actual: {kind}"
            )
    for index in [*table.indexes, *table.global_indexes]:
        for name in index.schema_key_attrs:
            value = item.get(name)
            if value is None:
                continue
            kind = next(iter(value))
            if kind != declared.get(name):
                raise _invalid(
                    f"One or more parameter values were invalid: Type mismatch for Index Key {name}"
                    f" Expected: {declared.get(name)} Actual: {kind} IndexName: {index.name}"
                )


def _key_of_item(table: Table, item: dict[str, Any]) -> str:
    return repr(sorted((name, repr(item.get(name))) for name in _key_names(table)))


def check_batch_write(backend: DynamoDBBackend, request_items: dict[str, Any]) -> None:
    for table_name, requests in request_items.items():
        table = backend.get_table(table_name)
        seen: set[str] = set()
        for request in requests:
            if "PutRequest" in request:
                item = request["PutRequest"]["Item"]
                check_item_keys(table, item)
            else:
                item = request["DeleteRequest"]["Key"]
                check_key(table, item)
            key = _key_of_item(table, item)
            if key in seen:
                raise _invalid("Provided list of item keys contains duplicates")
            seen.add(key)


_CHECKS: dict[str, tuple[str, ...]] = {
    "Put": ("ConditionExpression",),
    "Delete": ("ConditionExpression",),
    "ConditionCheck": ("ConditionExpression",),
    "Update": ("UpdateExpression", "ConditionExpression"),
}


def check_transaction(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    for entry in transact_items:
        for op_type, op in entry.items():
            if op_type not in _CHECKS:
                continue
            table = backend.get_table(op["TableName"])
            check_expressions(op, _CHECKS[op_type])
            if op_type == "Put":
                check_item_keys(table, op["Item"])
            else:
                check_key(table, op["Key"])


def _checked(action: Callable[[DynamoHandler], Any], check: Callable[[DynamoHandler], None]) -> Any:
    @functools.wraps(action)
    def checked_action(self: DynamoHandler) -> Any:
        check(self)
        return action(self)

    return checked_action


def _table(handler: DynamoHandler) -> Table:
    return handler.dynamodb_backend.get_table(handler.body["TableName"])


def _check_put(handler: DynamoHandler) -> None:
    check_expressions(handler.body, ("ConditionExpression",))
    check_item_keys(_table(handler), handler.body["Item"])


def _check_delete(handler: DynamoHandler) -> None:
    check_expressions(handler.body, ("ConditionExpression",))
    check_key(_table(handler), handler.body["Key"])


def _check_update(handler: DynamoHandler) -> None:
    if "AttributeUpdates" not in handler.body and "Expected" not in handler.body:
        check_expressions(handler.body, ("UpdateExpression", "ConditionExpression"))
    check_key(_table(handler), handler.body["Key"])


def _check_query(handler: DynamoHandler) -> None:
    check_expressions(handler.body, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"))


def _check_scan(handler: DynamoHandler) -> None:
    check_expressions(handler.body, ("FilterExpression", "ProjectionExpression"))


def _check_batch_write(handler: DynamoHandler) -> None:
    check_batch_write(handler.dynamodb_backend, handler.body["RequestItems"])


def _check_transaction(handler: DynamoHandler) -> None:
    check_transaction(handler.dynamodb_backend, handler.body["TransactItems"])


_ORDERABLE = (int, Decimal, str, bytes)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any | None], bool]:
    """`<`, `<=`, `>`, `>=` between values of different types (or unorderable ones) are false, not 500."""

    def expr(self: Any, item: Any) -> bool:
        lhs, rhs = self.lhs.expr(item), self.rhs.expr(item)
        return _comparable(lhs, rhs) and compare(lhs, rhs)

    return expr


def _comparable(*values: Any) -> bool:
    if not all(isinstance(value, _ORDERABLE) and not isinstance(value, bool) for value in values):
        return False
    numeric = [isinstance(value, int | Decimal) for value in values]
    if all(numeric):
        return True
    return not any(numeric) and len({type(value) for value in values}) == 1


def _between(self: Any, item: Any) -> bool:
    start, attr, end = self.start.expr(item), self.attr.expr(item), self.end.expr(item)
    return _comparable(start, attr, end) and bool(start <= attr <= end)


def _size(original: Callable[[Any, Any], int]) -> Callable[[Any, Any], int | None]:
    """size() of a missing attribute or of a number has no value: the comparison using it is false."""

    def expr(self: Any, item: Any) -> int | None:
        if self.attr.get_type(item) not in ("S", "SS", "NS", "B", "BS", "L", "M"):
            return None
        return original(self, item)

    return expr


def _parse_or_refuse(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """moto's condition parser fails with ValueError/KeyError on a syntax error: HTTP 500 unless converted."""

    def parse(self: ConditionExpressionParser) -> Any:
        try:
            return original(self)
        except MockValidationException:
            raise
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            near = self.condition_expression
            raise ConditionSyntaxError(f'Syntax error; {error}; near: "{near}"') from None

    return parse


def _update_without_expression(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateItem with neither UpdateExpression nor AttributeUpdates creates the bare key (moto: 500)."""

    def update_item(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("update_expression") and kwargs.get("attribute_updates") is None:
            kwargs["attribute_updates"] = {}
        return original(self, *args, **kwargs)

    return update_item


def patch_validation(patches: Patches) -> None:
    for name, check in (
        ("put_item", _check_put),
        ("delete_item", _check_delete),
        ("update_item", _check_update),
        ("query", _check_query),
        ("scan", _check_scan),
        ("batch_write_item", _check_batch_write),
        ("transact_write_items", _check_transaction),
    ):
        patches.replace(DynamoHandler, name, _checked(getattr(DynamoHandler, name), check))
    for op, compare in (
        (comparisons.OpLessThan, lambda a, b: a < b),
        (comparisons.OpLessThanOrEqual, lambda a, b: a <= b),
        (comparisons.OpGreaterThan, lambda a, b: a > b),
        (comparisons.OpGreaterThanOrEqual, lambda a, b: a >= b),
    ):
        patches.replace(op, "expr", _ordered(compare))
    patches.replace(ConditionExpressionParser, "parse", _parse_or_refuse(ConditionExpressionParser.parse))
    patches.replace(comparisons.FuncBetween, "expr", _between)
    patches.replace(comparisons.FuncSize, "expr", _size(comparisons.FuncSize.expr))
    patches.replace(DynamoDBBackend, "update_item", _update_without_expression(DynamoDBBackend.update_item))
