"""Saga progress on moto: steps append where the stream ends, without reading it when nothing raced."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from trainbook import faults, saga_progress
from trainbook.eventstore.store import EventStore
from trainbook.saga_progress import FIRST_ATTEMPT_ORDER, records_progress

pytestmark = pytest.mark.usefixtures("aws")
ASL = Path(__file__).resolve().parents[3] / "stepfunctions" / "booking-saga.asl.json"


def step(name: str, work: Any = None) -> Any:
    @records_progress(lambda _event: name)
    def task(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if work is not None:
            work()
        return {"status": name}

    return task


def progress(booking_id: str) -> list[tuple[int, str, str]]:
    return [
        (e.version, e.type, e.event.step)  # type: ignore[attr-defined]
        for e in EventStore().read(f"saga-{booking_id}")
    ]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read of a saga stream's end, by stream."""
    seen: list[str] = []
    last_version = saga_progress._last_version

    def counted(stream: str) -> int:
        seen.append(stream)
        return last_version(stream)

    monkeypatch.setattr(saga_progress, "_last_version", counted)
    return seen


def test_the_first_attempt_order_is_the_booking_sagas_order_of_tasks() -> None:
    states = json.loads(ASL.read_text())["States"]
    order, name = [], json.loads(ASL.read_text())["StartAt"]
    while states[name]["Type"] == "Task":
        order.append(name)
        name = states[name]["Next"]

    assert tuple(order) == FIRST_ATTEMPT_ORDER


def test_a_saga_run_once_records_every_step_in_order_without_reading_the_stream(reads: list[str]) -> None:
    for name in FIRST_ATTEMPT_ORDER:
        step(name)({"booking_id": "b-1"}, None)

    assert progress("b-1") == [
        (version, kind, name)
        for i, name in enumerate(FIRST_ATTEMPT_ORDER)
        for version, kind in ((2 * i + 1, "SagaStepStarted"), (2 * i + 2, "SagaStepEnded"))
    ]
    assert reads == []


def test_a_retried_step_appends_again_after_its_first_attempt(reads: list[str]) -> None:
    step("QuoteFare")({"booking_id": "b-1"}, None)
    step("QuoteFare")({"booking_id": "b-1"}, None)
    step("HoldSeats")({"booking_id": "b-1"}, None)

    assert progress("b-1") == [
        (1, "SagaStepStarted", "QuoteFare"),
        (2, "SagaStepEnded", "QuoteFare"),
        (3, "SagaStepStarted", "QuoteFare"),
        (4, "SagaStepEnded", "QuoteFare"),
        (5, "SagaStepStarted", "HoldSeats"),
        (6, "SagaStepEnded", "HoldSeats"),
    ]
    assert reads  # the retry and the step after it found the end by reading


def test_two_concurrent_attempts_of_a_step_lose_no_event() -> None:
    # The second attempt runs entirely while the first is inside its work, as a retry racing a slow one.
    second = step("HoldSeats")
    first = step("HoldSeats", work=lambda: second({"booking_id": "b-1"}, None))

    first({"booking_id": "b-1"}, None)

    assert [kind for _, kind, _ in progress("b-1")] == [
        "SagaStepStarted",
        "SagaStepStarted",
        "SagaStepEnded",
        "SagaStepEnded",
    ]
    assert [version for version, _, _ in progress("b-1")] == [1, 2, 3, 4]


def test_a_step_whose_earlier_progress_is_missing_starts_at_the_real_end_leaving_no_gap() -> None:
    step("ConfirmBooking")({"booking_id": "b-1"}, None)  # its first-attempt place is version 7

    assert progress("b-1") == [
        (1, "SagaStepStarted", "ConfirmBooking"),
        (2, "SagaStepEnded", "ConfirmBooking"),
    ]


def test_a_step_outside_the_first_attempt_order_appends_at_the_end() -> None:
    step("QuoteFare")({"booking_id": "b-1"}, None)
    step("ReleaseSeats")({"booking_id": "b-1"}, None)

    assert [v for v, _, _ in progress("b-1")] == [1, 2, 3, 4]


def test_recording_progress_never_fails_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, *args: Any) -> Any:
        raise RuntimeError("events table unreachable")

    monkeypatch.setattr(EventStore, "append", broken)
    monkeypatch.setattr(EventStore, "append_at_guessed_end", broken)

    assert step("HoldSeats")({"booking_id": "b-1"}, None) == {"status": "HoldSeats"}
    assert progress("b-1") == []


def carrying_ended(visible: dict[str, Any], then: Any = None) -> Any:
    """A step's work that writes its Ended in its own transaction, as holding and selling seats do."""

    def work() -> None:
        riders = saga_progress.ended_riders(visible)
        assert riders is not None
        EventStore().append(list(riders.events))
        riders.written = True
        if then is not None:
            then()

    return work


def test_a_step_whose_work_carries_its_ended_records_it_once_in_order() -> None:
    step("HoldSeats", work=carrying_ended({"status": "HoldSeats"}))({"booking_id": "b-1"}, None)

    events = EventStore().read("saga-b-1")
    assert [(e.version, e.type) for e in events] == [(1, "SagaStepStarted"), (2, "SagaStepEnded")]
    assert (events[1].event.outcome, events[1].event.result) == ("succeeded", {"status": "HoldSeats"})  # type: ignore[attr-defined]


def test_a_step_that_fails_after_its_work_and_ended_were_recorded_adds_no_second_ended() -> None:
    def fail() -> None:
        raise RuntimeError("lost after the commit")

    with pytest.raises(RuntimeError):
        step("HoldSeats", work=carrying_ended({}, then=fail))({"booking_id": "b-1"}, None)

    assert [kind for _, kind, _ in progress("b-1")] == ["SagaStepStarted", "SagaStepEnded"]


def test_a_step_reads_while_its_started_is_written_and_writes_its_ended_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    working = threading.Event()
    seen_working: list[bool] = []
    guessed = EventStore.append_at_guessed_end

    def slow_started(self: EventStore, *args: Any) -> Any:
        seen_working.append(working.wait(5))  # the work began while Started was still being written
        return guessed(self, *args)

    monkeypatch.setattr(EventStore, "append_at_guessed_end", slow_started)
    step("QuoteFare")({"booking_id": "b-1"}, None)

    def work() -> None:
        working.set()
        carrying_ended({"status": "HoldSeats"})()

    step("HoldSeats", work=work)({"booking_id": "b-1"}, None)

    assert seen_working[-1] is True
    assert progress("b-1")[2:] == [(3, "SagaStepStarted", "HoldSeats"), (4, "SagaStepEnded", "HoldSeats")]


class Crashed(BaseException):
    """Stands for the worker's death (os._exit) in a test: nothing after it may write."""


def test_a_step_crashing_on_purpose_crashes_once_its_started_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guessed = EventStore.append_at_guessed_end
    at_crash: list[list[tuple[int, str, str]]] = []

    def slow_started(self: EventStore, *args: Any) -> Any:
        threading.Event().wait(0.3)  # slower than the crash: it must still be written before it
        return guessed(self, *args)

    def crash(code: int) -> None:
        at_crash.append(progress("b-1"))
        raise Crashed(code)

    monkeypatch.setattr(EventStore, "append_at_guessed_end", slow_started)
    monkeypatch.setattr(faults.os, "_exit", crash)
    step("QuoteFare")({"booking_id": "b-1"}, None)

    def work() -> None:
        with faults.around_work({"step": "HoldSeats", "mode": "crash", "when": "before"}):
            pass

    with pytest.raises(Crashed):
        step("HoldSeats", work=work)({"booking_id": "b-1"}, None)

    assert at_crash == [[*progress("b-1")[:2], (3, "SagaStepStarted", "HoldSeats")]]


def test_a_step_whose_ended_is_kept_apart_writes_it_after_the_work() -> None:
    offered: list[object] = []

    def work() -> None:
        saga_progress.keep_ended_apart()
        offered.append(saga_progress.ended_riders({}))

    step("HoldSeats", work=work)({"booking_id": "b-1"}, None)

    assert offered == [None]
    assert [kind for _, kind, _ in progress("b-1")] == ["SagaStepStarted", "SagaStepEnded"]
    assert saga_progress.ended_riders({}) is None  # outside a step: nothing to carry


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The events of every progress write, one list per request."""
    seen: list[list[str]] = []
    append, guessed = EventStore.append, EventStore.append_at_guessed_end

    def counted_append(self: EventStore, stream: Any, *args: Any) -> Any:
        if isinstance(stream, str) and args:
            seen.append([e.TYPE for e in args[1]])
        return append(self, stream, *args)

    def counted_guessed(self: EventStore, stream: str, expected: int, events: Any, *rest: Any) -> Any:
        if expected >= 1:  # below 1 it is a plain append, counted there
            seen.append([e.TYPE for e in events])
        return guessed(self, stream, expected, events, *rest)

    monkeypatch.setattr(EventStore, "append", counted_append)
    monkeypatch.setattr(EventStore, "append_at_guessed_end", counted_guessed)
    return seen


def test_a_step_that_writes_nothing_records_its_start_and_end_in_one_write(
    writes: list[list[str]], reads: list[str]
) -> None:
    step("QuoteFare")({"booking_id": "b-1"}, None)
    step("HoldSeats")({"booking_id": "b-1"}, None)

    assert progress("b-1")[:2] == [(1, "SagaStepStarted", "QuoteFare"), (2, "SagaStepEnded", "QuoteFare")]
    assert writes == [
        ["SagaStepStarted", "SagaStepEnded"],
        ["SagaStepStarted"],  # HoldSeats' Started beside its work, then its Ended
        ["SagaStepEnded"],
    ]
    assert reads == []


def test_a_failed_step_that_writes_nothing_records_its_start_and_failure_together() -> None:
    def refuse() -> None:
        raise LookupError("no such booking")

    with pytest.raises(LookupError):
        step("QuoteFare", work=refuse)({"booking_id": "b-1"}, None)

    recorded = EventStore().read("saga-b-1")
    assert [(e.version, e.type) for e in recorded] == [(1, "SagaStepStarted"), (2, "SagaStepEnded")]
    assert recorded[1].event.outcome == "failed" and recorded[1].event.error == "LookupError"  # type: ignore[attr-defined]
    assert recorded[0].at == recorded[1].at
