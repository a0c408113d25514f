"""Saga progress: each saga task records when it starts and ends, on the booking's `saga-<id>` stream.

The steps of a booking are visible live (the `booking:<id>` WebSocket topic) because every task of
the booking and cancellation sagas appends `SagaStepStarted` as its work begins and `SagaStepEnded`
after it, through the `records_progress` decorator. They go to a stream of their own, never the
booking's: the booking's use cases decide on its stream's versions, and a progress event there would
make them conflict. Recording progress never fails a step: the saga's outcome must not depend on
whether someone watches it. A step costs two writes and, when nothing was retried, no read: Started
goes at the step's first-attempt place (checked in the same write), Ended right after Started. Started
is written on a thread of its own while the step reads what it needs; the step waits for it before the
write that carries its Ended (which must follow it) and before it fails on purpose (faults.py), so the
step's reads and Started's write overlap instead of following each other. A step whose work is one
write (seats, a payment's answer, the ticket) puts its Ended in that write (`ended_riders`): one write
for both, and Ended is recorded exactly when the work is. A step whose work writes nothing
(`RECORDED_TOGETHER`: QuoteFare reads the booking, QuoteRefund prices a refund) records its Started and
its Ended together once it has run, in one write: before it ran there is nothing a watcher could see it
do, and a crash in it leaves no trace until the retry records its own attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any, TypeVar

from aws_lambda_powertools import Logger

from trainbook.eventstore import store
from trainbook.eventstore.events import ConcurrencyConflict, Event, Meta, PendingEvent, Riders, event_type
from trainbook.eventstore.store import EventRecord, EventStore

logger = Logger(service="saga-progress")
Handler = TypeVar("Handler", bound=Callable[..., dict[str, Any]])

# What a step's result may show to the booking's owner live; nothing else leaves the task this way
# (a payment answer carries ids and amounts a watcher has no use for).
VISIBLE_RESULT = ("ticket_number", "status", "reason", "refund_grosze", "seats_released")


@event_type("SagaStepStarted")
@dataclass(frozen=True)
class SagaStepStarted(Event):
    booking_id: str
    step: str


@event_type("SagaStepEnded")
@dataclass(frozen=True)
class SagaStepEnded(Event):
    booking_id: str
    step: str
    outcome: str  # "succeeded" or "failed"
    error: str | None  # the error's class name, as Step Functions sees it
    result: dict[str, Any]  # the VISIBLE_RESULT part of the step's answer


def progress_stream(booking_id: str) -> str:
    """The name of a booking's saga progress stream: the one place it is spelled."""
    return f"saga-{booking_id}"


# The booking saga's steps in the order its first attempt runs them (stepfunctions/booking-saga.asl.json):
# when nothing was retried, step i (from 0) starts at version 2i + 1 of the saga stream. A step's
# SagaStepStarted is appended there without reading the stream's end first; the guess is checked in the
# same write, and a wrong one (a retry, a compensation) costs one refused write, then a read.
FIRST_ATTEMPT_ORDER = (
    "QuoteFare",
    "HoldSeats",
    "AuthorizePayment",
    "ConfirmBooking",
    "CapturePayment",
    "IssueTicket",
)
_GUESSED_END = {step: 2 * i for i, step in enumerate(FIRST_ATTEMPT_ORDER)}
ATTEMPTS = 5
# Steps whose work writes nothing: their Started is written with their Ended, after the work (see above).
RECORDED_TOGETHER = frozenset({"QuoteFare", "QuoteRefund"})


class ProgressLog:
    """Appends progress events at the end of a booking's saga stream (a retried step appends again)."""

    def __init__(self, events: EventStore | None = None) -> None:
        self.events = events or EventStore()

    def record(
        self, event: SagaStepStarted | SagaStepEnded, after: int | None = None, guessed: bool = False
    ) -> int | None:
        """Append `event` at the stream's end; the version it got (None: five writers in a row were first).

        `after` is where the caller believes the stream ends: the version its own SagaStepStarted got
        (`guessed=False`: that version exists, so only a taken next version can refuse the write), or
        the first-attempt position (`guessed=True`: the write also checks that `after` exists). A refused
        write reads the end and appends there, so a concurrent attempt's event is never overwritten.
        """
        return self.record_all((event,), after, guessed)

    def record_all(
        self,
        events: tuple[SagaStepStarted | SagaStepEnded, ...],
        after: int | None = None,
        guessed: bool = False,
    ) -> int | None:
        """Append `events` (one step's) in one write at the end, as `record` does; the last version."""
        first = events[0]
        stream = progress_stream(first.booking_id)
        meta = Meta(correlation_id=first.booking_id, causation_id=first.step, actor="booking-saga")
        end = after
        for _ in range(ATTEMPTS):
            try:
                if end is None:
                    end = _last_version(stream)
                    self.events.append(stream, end, events, meta)
                elif guessed:
                    self.events.append_at_guessed_end(stream, end, events, meta)
                else:
                    self.events.append(stream, end, events, meta)
                return end + len(events)
            except ConcurrencyConflict:
                end = None  # a retried step's earlier attempt is still writing: read the end
        logger.warning("saga progress not recorded: the stream kept moving", extra={"step": first.step})
        return None


@dataclass
class _Step:
    """The step this invocation runs, while its handler runs: what `ended_riders` builds its Ended from."""

    booking_id: str
    step: str
    recording: Future[int | None]  # the write of its SagaStepStarted: the version it got (None: not written)
    apart: bool = False  # Ended must be its own write (a fault planned after the work)
    riders: Riders | None = None
    visible: dict[str, Any] = field(default_factory=dict)

    def started(self) -> int | None:
        """The version its SagaStepStarted got, once written (None: not recorded)."""
        return self.recording.result()


_running: ContextVar[_Step | None] = ContextVar("saga_step", default=None)


@cache
def _recorder() -> ThreadPoolExecutor:
    """The thread that writes a step's Started while the step reads (one step at a time per container)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="saga-progress")


def ended_riders(visible: dict[str, Any]) -> Riders | None:
    """The running step's SagaStepEnded ("succeeded", with `visible` as its result), for the step's own
    transaction to carry; None when it cannot (no step running, Ended kept apart), no events when its
    Started was not recorded. `visible` must be what the step's answer will show (`VISIBLE_RESULT`); the
    wrapper checks. The events are made when the transaction is: it waits for Started there, not here."""
    running = _running.get()
    if running is None or running.apart:
        return None
    step = running

    def after_started() -> tuple[PendingEvent, ...]:
        started = step.started()
        if started is None:
            return ()
        ended = SagaStepEnded(step.booking_id, step.step, "succeeded", None, visible)
        meta = Meta(correlation_id=step.booking_id, causation_id=step.step, actor="booking-saga")
        return (PendingEvent(progress_stream(step.booking_id), started + 1, ended, meta),)

    running.riders = Riders(after_started)
    running.visible = visible
    return running.riders


def keep_ended_apart() -> None:
    """The running step's Ended is written on its own, after the work (a fault is planned after it)."""
    running = _running.get()
    if running is not None:
        running.apart = True


def started_recorded() -> None:
    """Wait until the running step's Started is written (or failed to be): before a fault fails the step,
    so its Started is there as it would be for a step failing on its own."""
    running = _running.get()
    if running is not None:
        running.started()


def _last_version(stream: str) -> int:
    latest = list(EventRecord.query(stream, scan_index_forward=False, limit=1, consistent_read=True))
    return int(latest[0].version) if latest else 0


def records_progress(step_of: Callable[[dict[str, Any]], str | None]) -> Callable[[Handler], Handler]:
    """Wrap a saga task's Lambda handler so it records its start and end; `step_of` names the step."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        def recorded(event: dict[str, Any], context: Any) -> dict[str, Any]:
            booking_id = event.get("booking_id") if isinstance(event, dict) else None
            step = step_of(event) if isinstance(booking_id, str) and booking_id else None
            if step is None or not isinstance(booking_id, str):
                return handler(event, context)
            if step in RECORDED_TOGETHER:
                return _recorded_together(handler, event, context, booking_id, step)
            # Ended goes right after Started, whose version this process knows: no read on either.
            store.connect()
            recording = _recorder().submit(
                _safely, SagaStepStarted(booking_id, step), _GUESSED_END.get(step), True
            )
            running = _Step(booking_id, step, recording)
            token = _running.set(running)
            try:
                result = handler(event, context)
            except Exception as error:
                if running.riders is not None and running.riders.written:
                    # The work and its Ended were committed together; what failed came after them. A
                    # second Ended would contradict the first: the saga's retry records its own attempt.
                    logger.warning("step failed after its work was recorded", extra={"step": step})
                else:
                    ended = SagaStepEnded(booking_id, step, "failed", type(error).__name__, {})
                    _safely(ended, running.started())
                raise
            finally:
                _running.reset(token)
                running.started()  # never leave it writing once the invocation returns
            visible = {k: result[k] for k in VISIBLE_RESULT if isinstance(result, dict) and k in result}
            if running.riders is not None and running.riders.written:
                if visible != running.visible:
                    logger.warning("step answered otherwise than its Ended shows", extra={"step": step})
                return result
            _safely(SagaStepEnded(booking_id, step, "succeeded", None, visible), running.started())
            return result

        return recorded  # type: ignore[return-value]

    return wrap


def _recorded_together(
    handler: Callable[..., dict[str, Any]], event: dict[str, Any], context: Any, booking_id: str, step: str
) -> dict[str, Any]:
    """Run a step that writes nothing, then record its Started and its Ended in one write."""
    started = SagaStepStarted(booking_id, step)
    try:
        result = handler(event, context)
    except Exception as error:
        _safely(
            started,
            _GUESSED_END.get(step),
            True,
            SagaStepEnded(booking_id, step, "failed", type(error).__name__, {}),
        )
        raise
    visible = {k: result[k] for k in VISIBLE_RESULT if isinstance(result, dict) and k in result}
    _safely(
        started, _GUESSED_END.get(step), True, SagaStepEnded(booking_id, step, "succeeded", None, visible)
    )
    return result


def _safely(
    event: SagaStepStarted | SagaStepEnded,
    after: int | None = None,
    guessed: bool = False,
    ended: SagaStepEnded | None = None,
) -> int | None:
    """Record `event` (with `ended` after it in the same write, if given); never raises."""
    try:
        return ProgressLog().record_all((event,) if ended is None else (event, ended), after, guessed)
    except Exception:  # progress is for watchers: losing one must never fail the booking
        logger.exception("saga progress not recorded", extra={"step": event.step})
        return None
