"""A booking as of the event a projector was delivered: the one fold the booking read models share.

Folding reads the booking's stream (one Query per delivered event), so each container keeps the booking
as of the last version it folded and folds the next version forward in memory: a booking's state at a
version never changes (events are immutable), so what is kept is exact, never stale. Anything else (a
gap, a late or duplicate event, a container that has not seen the booking) reads the stream as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import ClassVar

from pynamodb.models import Model

from trainbook.booking.domain import Booking, fold_booking, is_booking_stream
from trainbook.eventstore.batch import Plan, Write, apply_events, newest_by, put_if_newer
from trainbook.eventstore.events import EventLog, RecordedEvent

KEPT = 4096  # bookings kept per container, least recently delivered dropped first (a few MB)
_folded: OrderedDict[str, Booking] = OrderedDict()


def booking_as_delivered(events: EventLog, recorded: RecordedEvent) -> Booking | None:
    """The booking whose stream `recorded` belongs to, folded up to its version; None for other streams.

    Without a read when the delivered event opens the stream or is the next version of the booking this
    container folded last; otherwise from the stream, so a view stays right under gaps and redelivery.
    """
    if not is_booking_stream(recorded.stream):
        return None
    known = _folded.get(recorded.stream)
    if recorded.version == 1:
        booking = fold_booking([recorded])
    elif known is not None and known.version == recorded.version - 1:
        booking = fold_booking([recorded], start=known)
    elif known is not None and known.version == recorded.version:
        booking = known
    else:
        booking = fold_booking([e for e in events.read(recorded.stream) if e.version <= recorded.version])
    # A stream's first event starts its fold afresh; otherwise only a newer version replaces what is kept.
    if booking is not None and (known is None or recorded.version == 1 or booking.version > known.version):
        _folded[recorded.stream] = booking
        _folded.move_to_end(recorded.stream)
        while len(_folded) > KEPT:
            _folded.popitem(last=False)
    return booking


def booking_groups(batch: Sequence[RecordedEvent]) -> dict[Hashable, list[int]]:
    """Positions of a batch's booking events by booking stream, each in version order."""
    return newest_by(batch, lambda recorded: recorded.stream if is_booking_stream(recorded.stream) else None)


def folded_as_delivered(
    events: EventLog, batch: Sequence[RecordedEvent], positions: list[int]
) -> Booking | None:
    """The booking as of the newest of its events at `positions`, folded through each in version order
    (so the fold moves forward in memory, without a read, from what the container kept)."""
    booking = None
    for position in positions:
        booking = booking_as_delivered(events, batch[position])
    return booking


class BookingRowProjection:
    """A read model of one row per booking, as of its newest delivered event, written only if newer.

    User bookings and bookings by run differ only in the row they build from the folded booking
    (`row`) and where it lives (`row_key`); the model's `version` attribute is the guard.
    """

    name: ClassVar[str]
    model: ClassVar[type[Model]]

    def __init__(self, events: EventLog) -> None:
        self.events = events

    def apply(self, recorded: RecordedEvent) -> None:
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """One row per booking of the batch, as of its newest event there."""
        plan = Plan()
        for positions in booking_groups(batch).values():
            plan.add(positions, self._writes, batch, positions)
        return plan

    def row(self, booking: Booking) -> Model:
        raise NotImplementedError

    def row_key(self, booking: Booking) -> Hashable:
        """The row's key, unique among every model's writes of a transaction."""
        return (self.name, booking.id)

    def _writes(self, batch: Sequence[RecordedEvent], positions: list[int]) -> list[Write]:
        booking = folded_as_delivered(self.events, batch, positions)
        if booking is None:
            return []
        version = getattr(self.model, "version")  # noqa: B009 - each row model has it; Model does not
        return [put_if_newer(self.row(booking), version, booking.version, positions, self.row_key(booking))]


def forget() -> None:
    """Drop every kept booking (tests that start a new, empty event store in the same process)."""
    _folded.clear()
