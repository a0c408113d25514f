"""A stored item's part of an answer is made once, not on every read that returns it; same bytes out.

A search reads the seat maps of a day's runs (BatchGetItem) and the seat map screen reads one (GetItem):
items of 20 KB and more, one entry per booking, read far more often than they change. For each item in
each answer moto converts its tree of `DynamoType`s to plain dicts, the serializer walks that tree
against the output shape, `json.dumps` writes it, and BatchGetItem and Query size it twice: 75 % of a
search's engine CPU (9.7 ms a search after 200 bookings, py-spy), nearly all of it for items that had not
changed since the last read.

Here an item's attributes (its `LimitedSizeDict`) keep, once asked, the item's size and, for an item that
holds a map or a list, their converted form (`ItemAnswer`, a plain dict any reader can use) and the JSON
text of the serializer's walk of it. A kept answer takes about twice the item's size in memory, and the
cost of an answer grows with the values in its tree: an item of flat attributes (an event: its data is one
string) is cheap to convert and is converted on each read instead, so what is kept grows with the read
models read (seat maps, booking rows), not with the event store.

The serializer writes an answer's other parts as before and puts each item's text in its place: the text
is what `json.dumps` writes for that part of the answer, since `json.dumps` of a dict writes each value
as it writes it alone. Whatever changes an item drops what it kept: every in-place change of moto's
(an update expression's executor, `AttributeUpdates`) and every change of the attributes dict itself; a
put, a plain update (`plain_updates.py`) and a transaction's undo store a new item, which keeps nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import Item, LimitedSizeDict
from moto.dynamodb.parsing.executors import UpdateExpressionExecutor

from localcloud.layer.patching import Patches

# Where an item's answer goes in an answer: `AttributeMap` (GetItem's `Item`, the members of Query's,
# Scan's and BatchGetItem's item lists, TransactGetItems').
ITEM_SHAPE = "AttributeMap"
_ANSWER, _SIZE = "_answer", "_size"
# Items holding one of these keep their answer.
_TREES = frozenset({"M", "L"})
# A mark no answer holds otherwise: a private-use character, this process's random id, then a number.
_MARK = f"\ue000{uuid.uuid4().hex}:"
_MARKED = re.compile(re.escape(json.dumps(_MARK)[:-1]) + r'(\d+)\\ue000"')


class ItemAnswer(dict[str, Any]):
    """An item's attributes as moto converts them for an answer, and the JSON of their serialized form."""

    __slots__ = ("text",)

    def __init__(self, converted: dict[str, Any]) -> None:
        super().__init__(converted)
        self.text: str | None = None


def item_answer(attrs: LimitedSizeDict, convert: Callable[[Any], Any]) -> dict[str, Any]:
    """What `dynamo_to_dict` gives for these attributes (`convert`: it, for each value); an `ItemAnswer`
    made once for an item that holds a map or a list."""
    kept: dict[str, Any] | None = attrs.__dict__.get(_ANSWER)
    if kept is None:
        converted = {key: convert(value) for key, value in attrs.items()}
        if not _is_tree(attrs):
            return converted
        kept = attrs.__dict__[_ANSWER] = ItemAnswer(converted)
    return kept


def _is_tree(attrs: LimitedSizeDict) -> bool:
    return any(value.type in _TREES for value in attrs.values())


def forget(attrs: LimitedSizeDict) -> None:
    """The item is about to change: drop what was made from it."""
    kept = attrs.__dict__
    if kept:
        kept.pop(_ANSWER, None)
        kept.pop(_SIZE, None)


class Splices:
    """An answer's items: each written as a mark (`mark`), then replaced by its text (`spliced`)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        self.texts.append(text)
        return f"{_MARK}{len(self.texts) - 1}\ue000"

    def spliced(self, body: str) -> str:
        if not self.texts:
            return body
        texts = self.texts
        return _MARKED.sub(lambda found: texts[int(found.group(1))], body)


def patch_item_answers(patches: Patches) -> None:
    """Item sizes kept, and every change of an item's attributes dropping what was kept (the answers' part
    is in `dynamo_types.patch_result_conversion` and `json_serializer.FastJSONSerializer`)."""

    size = Item.size

    def kept_size(self: Item) -> int:
        """moto's `Item.size`, kept for an item with a tree."""
        attrs = self.attrs
        found: int | None = attrs.__dict__.get(_SIZE)
        if found is None:
            found = size(self)
            if _is_tree(attrs):
                attrs.__dict__[_SIZE] = found
        return found

    patches.replace(Item, "size", kept_size)

    execute = UpdateExpressionExecutor.execute

    def executed(self: UpdateExpressionExecutor, node: Any = None) -> None:
        forget(self.item.attrs)
        execute(self, node)

    patches.replace(UpdateExpressionExecutor, "execute", executed)

    updates = Item.update_with_attribute_updates

    def updated(self: Item, attribute_updates: dict[str, Any]) -> None:
        forget(self.attrs)
        updates(self, attribute_updates)

    patches.replace(Item, "update_with_attribute_updates", updated)

    for name in ("__setitem__", "__delitem__", "pop", "popitem", "clear", "update", "setdefault"):
        patches.replace(LimitedSizeDict, name, _forgetting(getattr(LimitedSizeDict, name)))


def _forgetting(change: Callable[..., Any]) -> Callable[..., Any]:
    def changed(self: LimitedSizeDict, *args: Any, **kwargs: Any) -> Any:
        forget(self)
        return change(self, *args, **kwargs)

    return changed
