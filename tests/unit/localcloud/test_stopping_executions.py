"""A stopping engine freezes its executions: no history event (so no step, Catch or compensation) after it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

from localcloud.layer.patching import Patches, applied
from localcloud.runtime import sfn_bridge


@pytest.fixture
def published() -> Iterator[list[tuple[Any, ...]]]:
    """The history events that reach moto's publisher, with the bridge's patches over a recorder."""
    seen: list[tuple[Any, ...]] = []

    def recorder(self: EventManager, *args: Any, **kwargs: Any) -> None:
        seen.append(args)

    def record(patches: Patches) -> None:
        patches.replace(EventManager, "_publish_history_event", recorder)

    with applied(record, lambda patches: sfn_bridge.patch_step_functions(patches, runtime=None)):  # type: ignore[arg-type]
        yield seen
    sfn_bridge.STOPPING.clear()


def _publish(event: str) -> threading.Thread:
    thread = threading.Thread(
        target=EventManager._publish_history_event, args=(None, "ctx", event), daemon=True
    )
    thread.start()
    return thread


def test_a_running_engine_publishes_every_step(published: list[tuple[Any, ...]]) -> None:
    _publish("TaskStateEntered").join()
    assert published == [("ctx", "TaskStateEntered")]


def test_once_the_engine_stops_an_execution_takes_no_further_step(published: list[tuple[Any, ...]]) -> None:
    _publish("TaskStateEntered").join()
    sfn_bridge.STOPPING.set()
    stuck = _publish("TaskStateExited")  # a Task's end after its worker stopped: its Catch would follow
    stuck.join(timeout=1)
    assert stuck.is_alive()  # held where it is, for the restart to resume the execution
    assert published == [("ctx", "TaskStateEntered")]
