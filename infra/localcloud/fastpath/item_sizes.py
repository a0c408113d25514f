"""An item's size is computed once per write, in one walk, not once per attribute with copies.

moto keeps an item's attributes in a `LimitedSizeDict`, whose every `__setitem__` sums the size of ALL the
item's attributes so far (to refuse an item over 400 KB): building an item of k attributes sizes k(k+1)/2
attributes, and `DynamoType.size` builds a new `DynamoType` (a recursive copy) of every map member it
sizes. Under the fresh start's read-model writes that was 8-10 % of the engine's CPU.

Here `DynamoType.size` walks the value as it is (the same sums, member by member: numbers by their text,
strings and binaries by their UTF-8 bytes, booleans and nulls 1, sets, lists and maps by their members,
map keys by their bytes), `LimitedSizeDict.__setitem__` sums the same way without building lists, and
`Item.__init__` checks the limit once, after the last attribute: sizes are never negative, so the last
check is the only one that can fail, and it raises the same `ItemSizeTooLarge` before the item is used.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

from localcloud.layer.patching import Patches

ITEM_SIZE_LIMIT = 405000  # moto's (between DynamoDB's measured 409 and 410 KB)
_SETS = frozenset({"SS", "NS", "BS"})


def _bytes(value: Any) -> int:
    return len(value if isinstance(value, bytes) else value.encode("utf-8"))


def value_size(value: DynamoType) -> int:
    """`DynamoType.size` as moto computes it, without copying map members."""
    kind, data = value.type, value.value
    if kind == "N":
        return len(str(data))
    if kind in _SETS:
        if kind == "NS":
            return sum(len(str(member)) for member in data)
        return sum(1 if isinstance(member, bool) else _bytes(member) for member in data)
    if kind == "L":
        return sum(value_size(member) for member in data)
    if kind == "M":
        return sum(
            _bytes(key) + value_size(member if type(member) is DynamoType else DynamoType(member))
            for key, member in data.items()
        )
    if isinstance(data, bool):
        return 1
    return _bytes(data)


def _entry_size(entry: Any) -> int:
    # LimitedSizeDict sizes keys and values alike: a DynamoType by its size, anything else by its text.
    return value_size(entry) if type(entry) is DynamoType else _bytes(str(entry))


def _attributes_size(attrs: dict[str, Any]) -> int:
    return sum(_entry_size(key) + _entry_size(value) for key, value in attrs.items())


def patch_item_sizes(patches: Patches) -> None:
    def size(self: DynamoType) -> int:
        return value_size(self)

    def set_item(self: LimitedSizeDict, key: str, value: Any) -> None:
        if _attributes_size(self) + _entry_size(key) + _entry_size(value) > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(self, key, value)

    def item_init(
        self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]
    ) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        for key, value in attrs.items():
            dict.__setitem__(self.attrs, key, DynamoType(value))
        if _attributes_size(self.attrs) > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge

    patches.replace(DynamoType, "size", size)
    patches.replace(LimitedSizeDict, "__setitem__", set_item)
    patches.replace(Item, "__init__", item_init)
