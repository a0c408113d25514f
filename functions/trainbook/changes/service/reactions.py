"""What follows a schedule change, for every confirmed booking it touches: a notice, a refund, compensation.

A stream consumer (`handlers.react`) calls `ChangeReactions.react` for each event of the Events stream.
Everything here is exactly once per booking whatever the redelivery or order:
- a notice is `PassengerNotified`, version 1 of a stream named by the change and the booking, so a second
  append of it fails (ConcurrencyConflict) and is skipped;
- a cancellation starts the cancellation saga named `cancel-<booking id>` (StartExecution is idempotent by
  name) with the carrier at fault: full refund, no fee, seats released, reason `train_cancelled`;
- delay compensation is refunded with the idempotency key `<booking id>-delay-compensation` and recorded
  once on the booking's stream (`DelayCompensationPaid`).
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

from trainbook.booking.service import BookingService
from trainbook.catalog.domain import TrainRun
from trainbook.catalog.events import (
    PlatformChanged,
    ScheduleChangeEvent,
    TrainDelayed,
    TrainRunArrived,
    TrainRunCancelled,
    TrainRunRemoved,
)
from trainbook.catalog.runs import fold_run
from trainbook.changes.domain import notification_stream
from trainbook.changes.events import PassengerNotified
from trainbook.changes.notices import Journey, Notice, affects, compensation, compensation_notice, notice
from trainbook.eventstore.events import ConcurrencyConflict, EventLog, Meta, PendingEvent, RecordedEvent

TRAIN_CANCELLED = "train_cancelled"


class Passengers(Protocol):
    def confirmed(self, run_id: str) -> list[Journey]: ...


class Sagas(Protocol):
    def cancel_for_carrier(self, booking_id: str, reason: str) -> None: ...


class Payments(Protocol):
    def refund(self, booking_id: str, amount_grosze: int, idempotency_key: str) -> None: ...


@dataclass
class ChangeReactions:
    events: EventLog
    passengers: Passengers
    sagas: Sagas
    payments: Payments
    bookings: BookingService

    def react(self, recorded: RecordedEvent) -> int:
        """Act on one event; returns how many bookings it touched (0 for events that are no change)."""
        change = recorded.event
        kinds = TrainDelayed | PlatformChanged | TrainRunCancelled | TrainRunRemoved | TrainRunArrived
        if not isinstance(change, kinds):
            return 0
        run = fold_run([e for e in self.events.read(recorded.stream) if e.version <= recorded.version])
        if run is None:
            return 0
        if isinstance(change, TrainRunArrived):
            return self._compensate(recorded, run)
        touched = [j for j in self.passengers.confirmed(run.id) if affects(change, run, j)]
        for journey in touched:
            self._notify(recorded, journey, notice(change, run, journey))
            if isinstance(change, TrainRunCancelled | TrainRunRemoved):
                self.sagas.cancel_for_carrier(journey.booking_id, TRAIN_CANCELLED)
        return len(touched)

    def _compensate(self, recorded: RecordedEvent, run: TrainRun) -> int:
        paid = 0
        for journey in self.passengers.confirmed(run.id):
            late = run.delay_at(journey.destination)
            percent, grosze = compensation(journey.total_grosze, late)
            if grosze == 0:
                continue
            # A redelivery after a partial run skips what is paid already (the refund is idempotent anyway).
            if not self.bookings.load(journey.booking_id).compensation_grosze:
                self.payments.refund(journey.booking_id, grosze, f"{journey.booking_id}-delay-compensation")
                meta = Meta(correlation_id=journey.booking_id, causation_id=_cause(recorded), actor="changes")
                self.bookings.record_compensation(journey.booking_id, grosze, late, percent, meta=meta)
            label = recorded.event.label if isinstance(recorded.event, ScheduleChangeEvent) else run.id
            self._notify(
                recorded, journey, compensation_notice(label, journey.destination, late, percent, grosze)
            )
            paid += 1
        return paid

    def _notify(self, recorded: RecordedEvent, journey: Journey, text: Notice) -> None:
        cause = _cause(recorded)
        notification_id = notification_id_for(recorded, journey.booking_id)
        event = PassengerNotified(
            notification_id=notification_id,
            user_id=journey.user_id,
            booking_id=journey.booking_id,
            run_id=recorded.stream,
            kind=text.kind,
            text_pl=text.pl,
            text_en=text.en,
            cause=cause,
        )
        meta = Meta(correlation_id=journey.booking_id, causation_id=cause, actor="changes")
        with suppress(ConcurrencyConflict):  # notified already: a redelivered or replayed change
            self.events.append([PendingEvent(notification_stream(notification_id), 1, event, meta)])


def notification_id_for(recorded: RecordedEvent, booking_id: str) -> str:
    """Time of the change, then a digest of the change and the booking: unique, stable, sorts by time."""
    digest = hashlib.sha256(f"{_cause(recorded)}|{booking_id}".encode()).hexdigest()[:16]
    return f"{recorded.at:%Y%m%dT%H%M%S%f}-{digest}"


def _cause(recorded: RecordedEvent) -> str:
    return f"{recorded.stream}#{recorded.version}"
