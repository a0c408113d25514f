"""The engine's item sizes equal moto's: every attribute type, nested values, and the 400 KB refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

from localcloud.fastpath.item_sizes import patch_item_sizes
from localcloud.layer.patching import applied

ITEMS: list[dict[str, Any]] = [
    {"pk": {"S": "run-1500-2026-12-02"}, "version": {"N": "1"}},
    {"pk": {"S": "żółć ✓"}, "n": {"N": "-12.500"}, "big": {"N": "123456789012345678901234567890"}},
    {"pk": {"S": "b"}, "blob": {"B": b"\x00\x01\xff"}, "text_blob": {"B": "AAEC"}},
    {"pk": {"S": "flags"}, "yes": {"BOOL": True}, "no": {"BOOL": False}, "nothing": {"NULL": True}},
    {
        "pk": {"S": "sets"},
        "ss": {"SS": ["a", "żż", ""]},
        "ns": {"NS": ["1", "2.50", "-3"]},
        "bs": {"BS": [b"x", b"yz"]},
    },
    {
        "pk": {"S": "seat-map"},
        "cars": {
            "M": {
                "3": {"M": {"12": {"M": {"held": {"S": "b-1"}, "legs": {"L": [{"N": "0"}, {"N": "1"}]}}}}},
                "4": {"M": {}},
                "ü": {"L": [{"M": {"x": {"NULL": True}}}, {"SS": ["q"]}, {"L": []}]},
            }
        },
        "empty_list": {"L": []},
        "empty_map": {"M": {}},
    },
]


@pytest.fixture
def fast() -> Iterator[None]:
    with applied(patch_item_sizes):
        yield


def _moto_sizes(raw: dict[str, Any]) -> tuple[int, list[int]]:
    item = Item(DynamoType(raw["pk"]), None, raw)
    return item.size(), [DynamoType(value).size() for value in raw.values()]


@pytest.mark.parametrize("raw", ITEMS, ids=[str(raw["pk"]["S"]) for raw in ITEMS])
def test_an_items_size_and_each_attributes_size_are_moto_s(raw: dict[str, Any]) -> None:
    expected = _moto_sizes(raw)
    with applied(patch_item_sizes):
        assert _moto_sizes(raw) == expected


def test_an_attribute_set_later_is_sized_with_the_rest_as_moto_sizes_it(fast: None) -> None:
    item = Item(DynamoType({"S": "k"}), None, {"pk": {"S": "k"}})
    item.attrs["cars"] = DynamoType(ITEMS[5]["cars"])
    item.attrs["n"] = DynamoType({"N": "7"})
    assert isinstance(item.attrs, LimitedSizeDict)
    assert item.size() == sum(len(key) + value.size() for key, value in item.attrs.items())


def _item_of(total_bytes: int) -> dict[str, Any]:
    # "pk" (2) + "k" (1) + "data" (4) + the text: exactly `total_bytes`.
    return {"pk": {"S": "k"}, "data": {"S": "x" * (total_bytes - 7)}}


@pytest.mark.parametrize("total", [405000, 405001])
def test_an_item_over_the_limit_is_refused_exactly_where_moto_refuses_it(total: int) -> None:
    def outcome() -> str:
        try:
            Item(DynamoType({"S": "k"}), None, _item_of(total))
        except ItemSizeTooLarge:
            return "refused"
        return "kept"

    expected = outcome()
    with applied(patch_item_sizes):
        assert outcome() == expected
    assert expected == ("kept" if total <= 405000 else "refused")


def test_an_attribute_that_would_pass_the_limit_is_refused_and_not_set(fast: None) -> None:
    item = Item(DynamoType({"S": "k"}), None, _item_of(404000))
    with pytest.raises(ItemSizeTooLarge):
        item.attrs["more"] = DynamoType({"S": "y" * 2000})
    assert "more" not in item.attrs
