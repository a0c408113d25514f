"""The interpreter's deep copies of JSON values are `copy.deepcopy`'s: classes, order, sharing."""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

from moto.stepfunctions.parser.asl.eval import states

from localcloud.fastpath.json_copies import INTERPRETER_COPY, json_deepcopy, patch_interpreter_copies
from localcloud.layer.patching import applied


class Opaque:
    def __init__(self, value: Any) -> None:
        self.value = value


def shape(value: Any, seen: dict[int, int] | None = None) -> Any:
    """Classes, keys in order, atoms, and which containers are the same object (numbered by first sight)."""
    seen = {} if seen is None else seen
    if isinstance(value, dict | list | tuple | Opaque):
        if id(value) in seen:
            return ("same as", seen[id(value)])
        seen[id(value)] = len(seen)
        if isinstance(value, dict):
            members: Any = [(shape(k, seen), shape(v, seen)) for k, v in value.items()]
        elif isinstance(value, Opaque):
            members = shape(value.value, seen)
        else:
            members = [shape(member, seen) for member in value]
        return (type(value).__name__, members)
    return (type(value).__name__, value)


def values() -> list[Any]:
    shared = {"seat": "12A", "legs": [1, 2]}
    cycle: list[Any] = [1]
    cycle.append(cycle)
    looped: dict[str, Any] = {"name": "x"}
    looped["self"] = looped
    return [
        None,
        "text",
        12,
        2.5,
        True,
        {},
        [],
        {"bookingId": "b-1", "seats": ["12A", "12B"], "fare": {"amount": 12.5, "currency": "EUR"}, "n": None},
        {"a": shared, "b": [shared, shared["legs"]]},
        cycle,
        looped,
        {"ordered": OrderedDict([("z", [1]), ("a", {"k": "v"})]), "tuple": (1, [2], shared)},
        [Opaque({"inner": shared}), shared],
        {1: "int key", (1, 2): "tuple key"},
    ]


def test_copies_are_what_deepcopy_makes_and_share_nothing_with_the_original() -> None:
    for value, original in zip(values(), values(), strict=True):
        ours, theirs = json_deepcopy(value), copy.deepcopy(original)
        assert shape(ours) == shape(theirs)
        assert shape(value) == shape(original)  # the original is left as it was
        if isinstance(value, dict | list) and value:
            assert ours is not value
            assert not {id(part) for part in _containers(ours)} & {id(part) for part in _containers(value)}


def test_a_memo_given_is_used_as_deepcopy_uses_it() -> None:
    shared = {"k": [1]}
    memo: dict[int, Any] = {}
    first = json_deepcopy({"x": shared}, memo)
    second = json_deepcopy([shared], memo)
    assert second[0] is first["x"]


def test_the_interpreter_s_modules_copy_with_it_and_only_deepcopy_changes() -> None:
    with applied(patch_interpreter_copies):
        used = vars(states)["copy"]
        assert used is INTERPRETER_COPY and used.deepcopy is json_deepcopy
        assert used.copy is copy.copy and used.Error is copy.Error
        assert states.States._extract(None, {"a": [1]}) == {"a": [1]}
    assert vars(states)["copy"] is copy


def _containers(value: Any, found: list[Any] | None = None) -> list[Any]:
    found = [] if found is None else found
    if isinstance(value, dict | list) and not any(value is seen for seen in found):
        found.append(value)
        for member in value.values() if isinstance(value, dict) else value:
            _containers(member, found)
    return found
