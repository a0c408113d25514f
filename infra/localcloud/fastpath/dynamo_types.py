"""moto's attribute values (`DynamoType`) built and deep-copied with less work per value, same objects out.

Every item moto stores, reads back, updates or copies is a tree of `DynamoType`s: a write builds one per
attribute and per nested member, and an update, a transaction's undo record and a scan deep-copy them.
Under the booking bench `DynamoType.__init__` was 5.7 % of the engine's own samples (it lists the
one-key dict twice, `list(d)[0]` and `list(d.values())[0]`, and calls two methods to learn its type) and
`DynamoType.__deepcopy__` 2.5 % (each member goes through `copy.deepcopy`'s dispatch before reaching the
same method).

Here a value given as a one-key dict is read with one unpacking, and its members are built the same way
(the same comprehension over the same value, so a malformed one fails as moto's does); anything else
goes to moto's constructor. The deep copy calls itself directly for members that are exactly
`DynamoType`s, with the same memo (a member met twice is copied once) and the same copies: type, then a
new list or dict of copied members, a new list for a set, the value itself otherwise. Any other member
goes through `copy.deepcopy` as before.

`to_regular_json` (an item's members as plain JSON: every `Item.to_json`, for answers and stream records;
1.3 % of the engine's samples under the booking bench) converts the members of a map or list without first
deep-copying them, since each member's conversion is a fresh tree anyway; a value of any other class than
a dict, a list or an atomic one goes to moto's.
"""

from __future__ import annotations

import base64
import copy
from decimal import Decimal
from typing import Any

from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.models import utilities
from moto.dynamodb.models.dynamo_type import DDBType, DynamoType, LimitedSizeDict

from localcloud.fastpath.item_answers import item_answer
from localcloud.layer.patching import Patches

_LIST, _MAP = DDBType.LIST, DDBType.MAP
_SETS = frozenset({DDBType.STRING_SET, DDBType.NUMBER_SET, DDBType.BINARY_SET})
_BINARY = frozenset({DDBType.BINARY, DDBType.BINARY_SET})
_ATOMIC = frozenset({str, bytes, int, float, bool, type(None)})  # values `copy.deepcopy` returns as they are


def patch_dynamo_types(patches: Patches) -> None:
    init = DynamoType.__init__

    def built(self: DynamoType, type_as_dict: Any) -> None:
        if type(type_as_dict) is not dict or len(type_as_dict) != 1:
            init(self, type_as_dict)
            return
        ((kind, value),) = type_as_dict.items()
        self.type = kind
        self.value = value
        if kind == _LIST:
            self.value = [DynamoType(member) for member in value]
        elif kind == _MAP:
            self.value = {key: DynamoType(member) for key, member in value.items()}

    def copied(self: DynamoType, memo: dict[int, Any]) -> DynamoType:
        found = memo.get(id(self))
        if found is not None:
            return found  # type: ignore[no-any-return]
        cls = self.__class__
        result = cls.__new__(cls)
        memo[id(self)] = result
        kind = result.type = self.type
        if kind == _LIST:
            result.value = [
                copied(member, memo) if type(member) is DynamoType else copy.deepcopy(member, memo)
                for member in self.value
            ]
        elif kind == _MAP:
            result.value = {
                key: copied(member, memo) if type(member) is DynamoType else copy.deepcopy(member, memo)
                for key, member in self.value.items()
            }
        elif kind in _SETS:
            result.value = list(self.value)
        else:
            result.value = self.value
        return result

    regular = DynamoType.to_regular_json

    def regular_json(self: DynamoType) -> dict[str, Any]:
        # moto deep-copies the value (every member `DynamoType` too) and then replaces each member by its
        # own `to_regular_json`, which copies it again: the members' converted forms are fresh either
        # way, so they are converted here without the first copy; other members are copied, with one
        # memo as moto's one deep copy has.
        value = self.value
        cls = type(value)
        if cls is dict or cls is list:
            memo: dict[int, Any] = {}

            def plain(member: Any) -> Any:
                if isinstance(member, DynamoType):
                    return member.to_regular_json()
                return copy.deepcopy(member, memo)

            if cls is dict:
                value = {key: plain(member) for key, member in value.items()}
            else:
                value = [plain(member) for member in value]
        elif cls not in _ATOMIC:
            return regular(self)
        if self.is_binary() and isinstance(value, str):
            value = base64.b64decode(value)
        return {self.type: value}

    patches.replace(DynamoType, "__init__", built)
    patches.replace(DynamoType, "__deepcopy__", copied)
    patches.replace(DynamoType, "to_regular_json", regular_json)


# Values `dynamo_to_dict` returns as they are: not a datetime, no `to_json`, not a dict or a list.
_PLAIN = frozenset({str, int, float, bool, type(None), Decimal, bytes})


def patch_result_conversion(patches: Patches) -> None:
    """moto's `dynamo_to_dict` (every answer's items, on their way to the serializer) by exact type.

    moto's version runs an import statement, two `isinstance` checks and a `hasattr` at every node of
    every answer (1.5 % of the engine's CPU under the booking bench). Here a dict, a list, a `DynamoType`
    other than binary, and the plain values are converted as moto converts them, checked by exact class;
    anything else (a datetime, a binary value, an object with `to_json`, a subclass) goes to moto's, whose
    own recursion comes back here. A stored item's attributes (a `LimitedSizeDict`) are converted as moto
    converts a dict, once per version of an item that holds a map or a list (`item_answers.py`)."""
    original = utilities.dynamo_to_dict

    def converted(obj: Any) -> Any:
        cls = type(obj)
        if cls is dict:
            return {key: converted(value) for key, value in obj.items()}
        if cls is LimitedSizeDict:
            return item_answer(obj, converted)
        if cls is list:
            return [converted(member) for member in obj]
        if cls is DynamoType and obj.type not in _BINARY:
            return {obj.type: converted(obj.value)}
        if cls in _PLAIN:
            return obj
        return original(obj)

    patches.replace(utilities, "dynamo_to_dict", converted)
    patches.replace(dynamodb_responses, "dynamo_to_dict", converted)
