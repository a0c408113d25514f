"""Object wiring of the changes context: the change reactions on their AWS adapters, once per container."""

from __future__ import annotations

from functools import cache

from trainbook.booking.wiring import booking_service
from trainbook.changes.run_bookings import RunBookingsProjection
from trainbook.changes.service.reactions import ChangeReactions
from trainbook.changes.store import PaymentSimulator, StepFunctionsSagas
from trainbook.eventstore.store import EventStore


@cache
def reactions() -> ChangeReactions:
    events = EventStore()
    return ChangeReactions(
        events=events,
        passengers=RunBookingsProjection(events),
        sagas=StepFunctionsSagas(),
        payments=PaymentSimulator(),
        bookings=booking_service(),
    )
