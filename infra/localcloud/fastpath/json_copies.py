"""The Step Functions interpreter's deep copies of JSON values, made by a walk that knows JSON's types.

moto's interpreter deep-copies a state's input, result and context at nearly every step (`States`
reading `$`, `ResultPath`, `InputPath`'s JSONPath results, history event details, each state's frame):
`copy.deepcopy` was about 3 % of the engine's samples under the booking bench, its per-node dispatch
(`_deepcopy_dict`, `_keep_alive`, the memo) on trees that are plain JSON. `json_deepcopy` copies exact
dicts and lists itself and returns str, int, float, bool and None as they are, with a memo as deepcopy's
(a dict or list met twice is copied once, so shared parts stay shared and a cycle is a cycle); any other
object (a subclass, a tuple, the interpreter's own classes) goes to `copy.deepcopy` with that memo. The
copies are what deepcopy makes: same classes, same keys in the same order, same sharing.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.eval import environment, states
from moto.stepfunctions.parser.asl.eval.event import event_manager

from localcloud.layer.patching import Patches

_ATOMIC = frozenset({str, int, float, bool, type(None)})


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    cls = type(value)
    if cls in _ATOMIC:
        return value
    if cls is dict:
        found = memo.get(id(value))
        if found is not None:
            return found
        result: dict[Any, Any] = {}
        memo[id(value)] = result
        for key, member in value.items():
            result[key if type(key) is str else copy.deepcopy(key, memo)] = _copied(member, memo)
        return result
    if cls is list:
        found = memo.get(id(value))
        if found is not None:
            return found
        members: list[Any] = []
        memo[id(value)] = members
        for member in value:
            members.append(_copied(member, memo))
        return members
    return copy.deepcopy(value, memo)


def json_deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """`copy.deepcopy(value, memo)`, faster for plain JSON values."""
    return _copied(value, {} if memo is None else memo)


# What the interpreter's modules reach as `copy`: the standard module but for `deepcopy`.
INTERPRETER_COPY = SimpleNamespace(**{name: getattr(copy, name) for name in copy.__all__})
INTERPRETER_COPY.deepcopy = json_deepcopy


def patch_interpreter_copies(patches: Patches) -> None:
    for module in (states, environment, event_manager, execute_state, result_path, string_expression):
        assert module.copy is copy  # each imports the module and calls `copy.deepcopy`
        patches.replace(module, "copy", INTERPRETER_COPY)
