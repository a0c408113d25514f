"""A confirmed booking on EIP 3500 (Kraków Gł. -> Gdańsk Gł.) with two passengers, for ticket tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.support.builders import DAY, RUN, small_timetable
from tests.unit.fakes import FakeEventStore, FakeInventory
from trainbook.booking.pricing import PassengerRequest
from trainbook.booking.service import BookingService
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.timetable import SalesWindow
from trainbook.eventstore.events import EventLog

SECRET = "unit-test-ticket-signing-secret-0123456789abcdef"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
POLISH_NAME = "Zażółć Gęślą-Jaźń"  # every Polish letter: ą ć ę ł ń ó ś ź ż


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def booked(
    events: EventLog | None = None,
    booking_id: str = "b-2026-0001",
    confirm: bool = True,
    seats: tuple[tuple[int, int], ...] = ((5, 45), (5, 46)),
) -> tuple[EventLog, BookingService]:
    """The event store (a fake unless given) with a booking for up to two passengers (one with 51 % off).

    Seats are held and sold in an in-memory inventory even when the event store is the real one:
    tickets only read the booking's events.
    """
    if events is None:
        events = FakeEventStore()
        TrainRuns(events).publish(small_timetable(), [DAY])
    commands = BookingService(
        events=events,
        runs=TrainRuns(events),
        inventory=FakeInventory(events),  # type: ignore[arg-type]
        window=lambda: SalesWindow(date(2026, 11, 24), 30),
        clock=Clock(),
    )
    passengers = [PassengerRequest("Anna Kowalska"), PassengerRequest(POLISH_NAME, "U51", 22)]
    commands.request(booking_id, "user-1", RUN, "KRK", "GDG", list(seats), passengers[: len(seats)])
    commands.hold_seats(booking_id)
    if confirm:
        commands.confirm(booking_id)
    return events, commands
