"""The engine's fast paths answer what moto's own paths answer (JSONPath reuse)."""

from __future__ import annotations

import copy
from typing import Any

from jsonpath_ng.parser import parse as fresh_plain_parse
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.utils import json_path

from localcloud.fastpath.json_paths import patch_json_paths
from localcloud.layer.patching import Patches

DATA: dict[str, Any] = {
    "booking": {"id": "b-1", "seats": [{"car": 3, "seat": 12}, {"car": 3, "seat": 14}]},
    "amount": 125.5,
    "flags": [],
}
PATHS = [
    "$",
    "$.booking.id",
    "$.booking.seats[0]",
    "$.booking.seats[*].seat",
    "$.booking.seats[1:]",
    "$..car",
    "$.booking.seats[?(@.seat > 12)]",
    "$.flags[*]",
]


def _answers() -> list[Any]:
    answers = []
    for path in PATHS:
        try:
            answers.append(json_path.extract_json(path, copy.deepcopy(DATA)))
        except json_path.NoSuchJsonPathError as missing:
            answers.append(("missing", str(missing)))
    return answers


def test_reused_json_paths_answer_as_freshly_parsed_ones_and_are_parsed_once() -> None:
    expected = _answers()
    patches = Patches()
    patch_json_paths(patches)
    try:
        assert _answers() == expected
        assert _answers() == expected  # the second time from the kept expressions
        assert vars(json_path)["parse"]("$.booking.id") is vars(json_path)["parse"]("$.booking.id")
        kept = result_path.parse("$.result")  # type: ignore[attr-defined]
        assert kept is result_path.parse("$.result")  # type: ignore[attr-defined]
        # A ResultPath writes into each execution's own data, never into the kept expression.
        first = kept.update_or_create({"a": 1}, {"ok": 1})
        second = kept.update_or_create({"b": 2}, {"ok": 2})
        fresh = fresh_plain_parse("$.result").update_or_create({"b": 2}, {"ok": 2})
        assert (first, second) == ({"a": 1, "result": {"ok": 1}}, fresh)
    finally:
        patches.undo()
    assert vars(json_path)["parse"]("$.booking.id") is not vars(json_path)["parse"]("$.booking.id")
