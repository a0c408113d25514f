"""moto's attribute values are built and deep-copied by the fast path as moto builds and copies them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from localcloud.fastpath.dynamo_types import patch_dynamo_types, patch_result_conversion
from localcloud.layer.patching import applied

VALUES: list[Any] = [
    {"S": "żółć"},
    {"N": "-12.50"},
    {"B": b"\x00\xff"},
    {"BOOL": True},
    {"NULL": True},
    {"SS": ["a", "b"]},
    {"NS": ["1", "2.5"]},
    {"BS": [b"x"]},
    {"L": []},
    {"M": {}},
    {"L": [{"S": "a"}, {"L": [{"N": "1"}, {"M": {"k": {"SS": ["z"]}}}]}]},
    {"M": {"3": {"M": {"12": {"M": {"booking": {"S": "b-1"}, "legs": {"L": [{"N": "0"}]}}}}}}},
    {"S": "two", "N": "keys"},  # not one key: moto's constructor
]
REFUSED: list[Any] = [{"L": 5}, {"M": [1]}, {}, {"M": {"k": "not a value"}}, {"L": "ab"}]


def shape(value: Any) -> Any:
    """Everything a value is made of: classes, attributes in order, members."""
    if isinstance(value, DynamoType):
        return (type(value).__name__, [(name, shape(member)) for name, member in vars(value).items()])
    if isinstance(value, list):
        return ("list", [shape(member) for member in value])
    if isinstance(value, dict):
        return ("dict", [(key, shape(member)) for key, member in value.items()])
    return (type(value).__name__, value)


def _outcomes() -> list[Any]:
    outcomes: list[Any] = []
    for raw in VALUES:
        value = DynamoType(raw)
        twin = DynamoType(value)  # from a DynamoType: moto's own path
        copied = copy.deepcopy(value)
        outcomes.append((shape(value), shape(twin), shape(copied), copied is not value))
    for raw in REFUSED:
        with pytest.raises(Exception) as refused:
            DynamoType(raw)
        outcomes.append(type(refused.value).__name__)
    return outcomes


@pytest.fixture
def fast() -> Iterator[None]:
    with applied(patch_dynamo_types):
        yield


def test_values_are_built_and_copied_as_moto_builds_and_copies_them() -> None:
    expected = _outcomes()
    with applied(patch_dynamo_types):
        assert _outcomes() == expected


def _regular() -> list[Any]:
    raws = [*VALUES[:-1], {"B": "AP8="}, {"BS": ["AP8=", b"\x01"]}, {"L": [{"B": "AP8="}, {"NULL": True}]}]
    values = [DynamoType(raw) for raw in raws]
    odd = DynamoType({"M": {}})
    odd.value = {"raw": ["not", "a", "value"], "again": None, "pair": ("a", "b")}
    odd.value["again"] = odd.value["raw"]  # shared: copied once with one memo
    listed = DynamoType({"L": []})
    listed.value = [DynamoType({"S": "x"}), {"plain": 1}]
    values += [odd, listed]
    item = Item(DynamoType({"S": "pk"}), None, {"tree": raws[11], "bin": {"B": b"\x00"}, "n": {"N": "1"}})
    outcomes: list[Any] = []
    for value in values:
        regular = value.to_regular_json()
        outcomes.append((shape(regular), regular == value.to_regular_json()))
    converted = odd.to_regular_json()["M"]
    outcomes.append(converted["raw"] is converted["again"] and converted["raw"] is not odd.value["raw"])
    outcomes.append(shape(item.to_json()))
    outcomes.append(shape(item.to_regular_json()))
    return outcomes


def test_values_are_converted_to_plain_json_as_moto_converts_them() -> None:
    expected = _regular()
    with applied(patch_dynamo_types):
        assert _regular() == expected


def test_a_copy_shares_nothing_with_its_original_but_what_it_shared_itself(fast: None) -> None:
    shared = DynamoType({"M": {"x": {"S": "y"}}})
    value = DynamoType({"L": [{"S": "a"}, {"SS": ["s"]}]})
    value.value.extend([shared, shared])
    item = Item(DynamoType({"S": "pk"}), None, {"v": {"N": "1"}})
    item.attrs["tree"] = value
    copied = copy.deepcopy(item)
    tree = copied.attrs["tree"]
    assert shape(tree) == shape(value) and tree is not value and tree.value is not value.value
    assert tree.value[1].value is not value.value[1].value  # a set's list is a new list
    assert tree.value[2] is tree.value[3] and tree.value[2] is not shared  # shared once, copied once
    assert tree.value[2].value is not shared.value


class _Described:
    def to_json(self) -> dict[str, Any]:
        return {"Nested": DynamoType({"S": "inside"}), "When": datetime(2026, 1, 2, tzinfo=UTC)}


RESULTS: list[Any] = [
    {"Attributes": {"pk": DynamoType({"S": "a"}), "n": DynamoType({"N": "1.5"})}},
    {"Items": [{"m": DynamoType(raw)} for raw in VALUES[:-1]], "Count": 13, "ScannedCount": 13},
    {"b": DynamoType({"B": "AP8="}), "bs": DynamoType({"BS": ["AP8=", b"\x01"]}), "raw": b"\x02"},
    {"when": datetime(2026, 1, 2, tzinfo=UTC), "described": _Described(), "ratio": Decimal("0.5")},
    [None, True, 1, 2.5, "text", [DynamoType({"L": [{"B": b"\x03"}]})]],
    DynamoType({"M": {"k": {"BS": [b"a"]}}}),
]


def _converted() -> list[Any]:
    from moto.dynamodb.responses import DynamoResult

    return [shape(DynamoResult(result).result) for result in RESULTS]


def test_answers_are_converted_for_the_serializer_as_moto_converts_them() -> None:
    expected = _converted()
    with applied(patch_result_conversion):
        assert _converted() == expected
