"""The booking use cases against in-memory fakes: validation, the seat lifecycle, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.builders import DAY, RUN, change_fields, small_timetable
from tests.unit.fakes import FakeEventStore, FakeInventory
from trainbook.booking.domain import BookingClosed, BookingStatus
from trainbook.booking.pricing import InvalidPassengers, PassengerRequest
from trainbook.booking.service import BookingService, TrainCancelled, TrainDeparted
from trainbook.catalog.errors import (
    DateOutsideSalesWindow,
    NotServed,
    UnknownSeat,
    UnknownStation,
    UnknownTrainRun,
)
from trainbook.catalog.events import PlatformChanged, TrainDelayed, TrainRunCancelled
from trainbook.catalog.fares import InvalidFareRequest
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.timetable import SalesWindow
from trainbook.errors import Conflict, DomainError
from trainbook.eventstore.events import PendingEvent, Riders
from trainbook.inventory.domain import HoldExpired, LegState, SeatTaken
from trainbook.saga_progress import SagaStepEnded, SagaStepStarted

TODAY = date(2026, 11, 24)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def events() -> FakeEventStore:
    events = FakeEventStore()
    TrainRuns(events).publish(small_timetable(), [DAY, date(2027, 3, 1)])
    return events


@pytest.fixture
def commands(events: FakeEventStore, clock: Clock) -> BookingService:
    return BookingService(
        events=events,
        runs=TrainRuns(events),
        inventory=FakeInventory(events),
        window=lambda: SalesWindow(TODAY, 30),
        clock=clock,
    )


def request(
    commands: BookingService,
    booking: str = "b1",
    seats: list[tuple[int, int]] | None = None,
    **changes: object,
) -> BookingStatus:
    seats = seats or [(5, 45), (5, 46)]
    args: dict[str, object] = {
        "booking_id": booking,
        "user_id": "ala",
        "run_id": RUN,
        "origin": "KRK",
        "destination": "GDG",
        "seats": seats,
        "passengers": [PassengerRequest("Ala Kowalska", "U51"), PassengerRequest("Jan Kowalski")][
            : len(seats)
        ],
    }
    args.update(changes)
    return commands.request(**args).status  # type: ignore[arg-type]


def test_a_booking_is_requested_priced_held_and_confirmed(commands: BookingService) -> None:
    request(commands)
    commands.hold_seats("b1")
    booking = commands.confirm("b1")

    assert booking.status is BookingStatus.CONFIRMED
    assert booking.seats == ("05-045", "05-046")
    student, adult = booking.passengers
    assert student["discount"] == "U51" and adult["discount"] == "NORMAL"
    assert student["price_grosze"] == round(adult["price_grosze"] * 0.49)
    assert booking.total_grosze == student["price_grosze"] + adult["price_grosze"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"origin": "XXX"}, UnknownStation),
        ({"destination": "POZ"}, NotServed),
        ({"origin": "GDG", "destination": "KRK"}, NotServed),
        ({"run_id": "run-3500-2027-03-01"}, DateOutsideSalesWindow),
        ({"run_id": "run-9999-2026-11-25"}, UnknownTrainRun),
        ({"run_id": ""}, UnknownTrainRun),
        ({"run_id": "run-3500-25.11.2026"}, UnknownTrainRun),
        ({"seats": [(5, 49)]}, UnknownSeat),
        ({"seats": [(12, 11)]}, UnknownSeat),
        ({"passengers": []}, InvalidPassengers),
        ({"passengers": [PassengerRequest("Ala", "U12"), PassengerRequest("Jan")]}, InvalidFareRequest),
        ({"passengers": [PassengerRequest("Ala", age=-1), PassengerRequest("Jan")]}, InvalidFareRequest),
        ({"booking_id": ""}, DomainError),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(
    commands: BookingService, events: FakeEventStore, changes: dict[str, object], error: type[Exception]
) -> None:
    written = events.written()

    with pytest.raises(error) as raised:
        request(commands, **changes)

    assert str(raised.value)
    assert events.written() == written


def test_repeating_a_request_returns_the_first_booking(
    commands: BookingService, events: FakeEventStore
) -> None:
    request(commands)
    written = events.written()

    assert request(commands) is BookingStatus.REQUESTED
    assert events.written() == written
    with pytest.raises(Conflict):
        request(commands, seats=[(5, 51)], passengers=[PassengerRequest("Ola")])


def test_a_repeated_request_with_other_travellers_is_a_conflict_and_writes_nothing(
    commands: BookingService, events: FakeEventStore
) -> None:
    request(commands)
    written = events.written()
    other_discount = [PassengerRequest("Ala Kowalska"), PassengerRequest("Jan Kowalski")]

    with pytest.raises(Conflict):
        request(commands, passengers=other_discount)
    assert events.written() == written


def test_holding_twice_holds_once(commands: BookingService, events: FakeEventStore) -> None:
    request(commands)
    commands.hold_seats("b1")
    written = events.written()

    commands.hold_seats("b1")

    assert events.written() == written


def ended(booking: str, step: str, version: int) -> Riders:
    event = SagaStepEnded(booking, step, "succeeded", None, {})
    return Riders((PendingEvent(f"saga-{booking}", version, event),))


def test_riders_are_written_with_the_seat_change_and_only_when_it_writes(
    commands: BookingService, events: FakeEventStore
) -> None:
    request(commands)
    riders = ended("b1", "HoldSeats", 1)
    commands.hold_seats("b1", riders=riders)

    assert riders.written
    assert [(e.version, e.type) for e in events.read("saga-b1")] == [(1, "SagaStepEnded")]

    again = ended("b1", "HoldSeats", 2)
    commands.hold_seats("b1", riders=again)  # already held: nothing to write, the caller appends them
    assert not again.written
    assert len(events.read("saga-b1")) == 1

    confirmed = ended("b1", "ConfirmBooking", 2)
    assert commands.confirm("b1", riders=confirmed).status is BookingStatus.CONFIRMED
    assert confirmed.written and len(events.read("saga-b1")) == 2


def test_a_rider_whose_version_was_taken_is_left_out_and_the_seats_are_still_held(
    commands: BookingService, events: FakeEventStore
) -> None:
    request(commands)
    events.append("saga-b1", 0, [SagaStepStarted("b1", "HoldSeats")])  # a concurrent attempt got there
    riders = ended("b1", "HoldSeats", 1)

    assert commands.hold_seats("b1", riders=riders).status is BookingStatus.HELD
    assert not riders.written
    assert [e.type for e in events.read("saga-b1")] == ["SagaStepStarted"]


def test_a_refused_seat_change_writes_no_rider(commands: BookingService, events: FakeEventStore) -> None:
    request(commands, "b1")
    commands.hold_seats("b1")
    request(commands, "b2", seats=[(5, 46)], passengers=[PassengerRequest("Ola")])
    riders = ended("b2", "HoldSeats", 1)

    with pytest.raises(SeatTaken):
        commands.hold_seats("b2", riders=riders)
    assert not riders.written and events.read("saga-b2") == []


def test_a_second_booking_of_a_held_seat_is_refused(commands: BookingService) -> None:
    request(commands, "b1")
    commands.hold_seats("b1")
    request(commands, "b2", seats=[(5, 46)], passengers=[PassengerRequest("Ola")])

    with pytest.raises(SeatTaken):
        commands.hold_seats("b2")


def test_a_hold_and_its_sale_read_no_seats_when_nothing_took_them(
    commands: BookingService, events: FakeEventStore
) -> None:
    inventory = commands.inventory
    assert isinstance(inventory, FakeInventory)
    request(commands)

    commands.hold_seats("b1")
    assert commands.confirm("b1").status is BookingStatus.CONFIRMED

    assert inventory.loads == 0
    sold = inventory.seats(RUN, ["05-045", "05-046"])
    assert [{(o.booking, o.state) for o in seat.legs.values()} for seat in sold] == [
        {("b1", LegState.SOLD)}
    ] * 2


def test_a_hold_refused_by_another_booking_reads_the_seats_and_writes_nothing(
    commands: BookingService, events: FakeEventStore
) -> None:
    inventory = commands.inventory
    assert isinstance(inventory, FakeInventory)
    request(commands, "b1")
    commands.hold_seats("b1")
    request(commands, "b2", seats=[(5, 47), (5, 46)])
    written = events.written()

    with pytest.raises(SeatTaken, match="05-046"):
        commands.hold_seats("b2")

    assert inventory.loads == 1  # after the refused write, to decide on the seats as they are
    assert events.written() == written
    assert inventory.seat(RUN, "05-047").legs == {}


def test_a_seat_whose_hold_lapsed_is_held_by_the_next_booking_without_a_read(
    commands: BookingService, clock: Clock
) -> None:
    inventory = commands.inventory
    assert isinstance(inventory, FakeInventory)
    request(commands, "b1")
    commands.hold_seats("b1")
    clock.now += timedelta(minutes=10)
    request(commands, "b2", seats=[(5, 46)], passengers=[PassengerRequest("Ola")])

    assert commands.hold_seats("b2").status is BookingStatus.HELD
    assert inventory.loads == 0
    with pytest.raises(HoldExpired):
        commands.confirm("b1")
    assert inventory.loads == 1  # b1's own record says its hold lapsed: the seats as read decide


def test_an_abandoned_hold_expires_and_cannot_be_confirmed(commands: BookingService, clock: Clock) -> None:
    request(commands)
    commands.hold_seats("b1")
    clock.now += timedelta(minutes=10)

    with pytest.raises(HoldExpired):
        commands.confirm("b1")


def test_a_failed_booking_releases_its_seats_for_others(commands: BookingService) -> None:
    request(commands, "b1")
    commands.hold_seats("b1")
    commands.release_seats("b1", "payment_declined")
    commands.fail("b1", "payment_declined")
    request(commands, "b2", seats=[(5, 45)], passengers=[PassengerRequest("Ola")])

    assert commands.hold_seats("b2").status is BookingStatus.HELD
    assert commands.load("b1").status is BookingStatus.FAILED
    with pytest.raises(BookingClosed):
        commands.hold_seats("b1")


def test_cancelling_refunds_within_the_price_and_frees_the_seats(commands: BookingService) -> None:
    request(commands)
    commands.hold_seats("b1")
    booking = commands.confirm("b1")
    refund = booking.total_grosze * 85 // 100

    commands.release_seats("b1", "cancelled")
    cancelled = commands.cancel("b1", refund, "passenger")

    assert cancelled.status is BookingStatus.CANCELLED and cancelled.seats_released
    with pytest.raises(DomainError):
        commands.cancel("b2", 0, "x")


def test_a_train_that_has_left_cannot_be_booked(
    commands: BookingService, clock: Clock, events: FakeEventStore
) -> None:
    clock.now = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 06:00 in Warsaw: EIP 3500 left Kraków at 05:58
    written = events.written()

    with pytest.raises(TrainDeparted, match="left KRK"):
        request(commands)

    assert events.written() == written


def test_a_cancelled_train_cannot_be_booked(commands: BookingService, events: FakeEventStore) -> None:
    events.append([PendingEvent(RUN, 2, TrainRunCancelled(**change_fields()))])
    written = events.written()

    with pytest.raises(TrainCancelled, match="cancelled"):
        request(commands)

    assert events.written() == written


def test_a_run_reflects_its_reported_delay_and_platform_change(
    commands: BookingService, events: FakeEventStore
) -> None:
    events.append(
        [
            PendingEvent(
                RUN,
                2,
                TrainDelayed(**change_fields(change_id="d1"), station="WAW", minutes=12, previous_minutes=0),
            ),
            PendingEvent(
                RUN,
                3,
                PlatformChanged(
                    **change_fields(change_id="p1"),
                    station="GDG",
                    platform="IV",
                    track="7",
                    previous_platform="II",
                    previous_track="1",
                ),
            ),
        ]
    )

    run = commands.runs.get(RUN)

    assert run.delay_at("WAW") == 12 and run.delay_at("KRK") == 0 and not run.cancelled
    assert run.service.stops[run.service.stop_index("GDG")].platform == "IV"
