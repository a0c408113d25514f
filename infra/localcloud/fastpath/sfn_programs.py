"""One evaluation program per state machine definition, shared by its executions.

moto builds an execution's program (the ASL `Preprocessor` visit over the parse tree: 3.5-4 % of the
engine's CPU under the booking bench) at every start. The built components are read-only while they
evaluate: everything an execution changes lives in its own `Environment` (stack, heap, context, event
history), and the workers of Map and Parallel are made per evaluation. The one lazily written
attribute, `EvalComponent.heap_key` (the key of a retrier's counters in the execution's heap), is
assigned on every component before the program is shared, so two executions never race to set it.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from localcloud.layer.patching import Patches


def fix_heap_keys(program: Any) -> int:
    """Give every evaluation component of the program its heap key now; returns how many."""
    seen: set[int] = set()
    pending: list[Any] = [program]
    fixed = 0
    while pending:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, list | tuple | set | frozenset):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, Component):
            if isinstance(value, EvalComponent):
                _ = value.heap_key
                fixed += 1
            pending.extend(vars(value).values())
    return fixed


class Programs:
    """Built programs by definition text (a template has a handful)."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}
        self._lock = threading.Lock()

    def program(self, definition: str) -> Any:
        program = self._built.get(definition)
        if program is None:
            with self._lock:
                program = self._built.get(definition)
                if program is None:
                    program = AmazonStateLanguageParser.parse(definition)[0]
                    fix_heap_keys(program)
                    self._built[definition] = program
        return program


def patch_shared_programs(patches: Patches) -> Programs:
    programs = Programs()

    def entrypoint(self: ExecutionWorker) -> Any:
        return programs.program(self._evaluation_details.state_machine_details.definition)

    patches.replace(ExecutionWorker, "_get_evaluation_entrypoint", entrypoint)
    return programs
