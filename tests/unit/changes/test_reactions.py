"""Change reactions on in-memory fakes: who is told, refunded and compensated, and only once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.builders import DAY, RUN, change_fields, small_timetable
from tests.unit.fakes import FakeEventStore, FakeInventory
from trainbook.booking.domain import BookingStatus, fold_booking
from trainbook.booking.events import DelayCompensationPaid
from trainbook.booking.pricing import PassengerRequest
from trainbook.booking.service import BookingService
from trainbook.catalog.errors import NotServed, UnknownTrainRun
from trainbook.catalog.events import TrainRunRemoved
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.timetable import SalesWindow
from trainbook.changes.events import PassengerNotified
from trainbook.changes.notices import Journey, compensation
from trainbook.changes.service.admin import (
    ChangeRequest,
    InvalidChange,
    RunArrived,
    record_arrival,
    record_operator_change,
)
from trainbook.changes.service.reactions import ChangeReactions
from trainbook.eventstore.events import PendingEvent, RecordedEvent

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class Clock:
    def __call__(self) -> datetime:
        return NOW


class Passengers:
    """The run-bookings read model, folded straight from the fake store."""

    def __init__(self, events: FakeEventStore) -> None:
        self.events = events

    def confirmed(self, run_id: str) -> list[Journey]:
        journeys = []
        for stream, history in sorted(self.events.streams.items()):
            booking = fold_booking(history) if stream.startswith("booking-") else None
            if booking and booking.run_id == run_id and booking.status is BookingStatus.CONFIRMED:
                journeys.append(
                    Journey(
                        booking.id,
                        booking.user_id,
                        booking.origin,
                        booking.destination,
                        booking.first_leg,
                        booking.end_leg,
                        booking.total_grosze,
                    )
                )
        return journeys


class Sagas:
    def __init__(self) -> None:
        self.started: dict[
            str, str
        ] = {}  # execution name -> reason; a name starts once, as in Step Functions

    def cancel_for_carrier(self, booking_id: str, reason: str) -> None:
        self.started.setdefault(f"cancel-{booking_id}", reason)


class Payments:
    def __init__(self) -> None:
        self.refunds: dict[str, tuple[str, int]] = {}  # idempotency key -> (booking, grosze)

    def refund(self, booking_id: str, amount_grosze: int, idempotency_key: str) -> None:
        self.refunds.setdefault(idempotency_key, (booking_id, amount_grosze))


@pytest.fixture
def events() -> FakeEventStore:
    events = FakeEventStore(NOW)
    TrainRuns(events).publish(small_timetable(), [DAY])
    return events


@pytest.fixture
def commands(events: FakeEventStore) -> BookingService:
    return BookingService(
        events=events,
        runs=TrainRuns(events),
        inventory=FakeInventory(events),
        window=lambda: SalesWindow(date(2026, 11, 24), 30),
        clock=Clock(),
    )


@pytest.fixture
def payments() -> Payments:
    return Payments()


@pytest.fixture
def sagas() -> Sagas:
    return Sagas()


@pytest.fixture
def reactions(
    events: FakeEventStore, commands: BookingService, sagas: Sagas, payments: Payments
) -> ChangeReactions:
    return ChangeReactions(events, Passengers(events), sagas, payments, commands)


def book(commands: BookingService, booking: str, user: str, origin: str, destination: str, seat: int) -> None:
    commands.request(booking, user, RUN, origin, destination, [(5, seat)], [PassengerRequest("Ala")])
    commands.hold_seats(booking)
    commands.confirm(booking)


@pytest.fixture
def three_journeys(commands: BookingService) -> None:
    """EIP 3500 Kraków -> Gdynia: ala Kraków-Warszawa, jan Kraków-Gdańsk, ewa Warszawa-Gdynia."""
    book(commands, "a", "ala", "KRK", "WAW", 45)
    book(commands, "b", "jan", "KRK", "GDG", 46)
    book(commands, "c", "ewa", "WAW", "GDY", 47)


def operator(events: FakeEventStore, **fields: object) -> RecordedEvent:
    return record_operator_change(events, RUN, ChangeRequest(**fields), NOW, actor="admin:test")  # type: ignore[arg-type]


def notices(events: FakeEventStore) -> list[PassengerNotified]:
    return [
        e.event
        for stream, history in sorted(events.streams.items())
        if stream.startswith("notification-")
        for e in history
        if isinstance(e.event, PassengerNotified)
    ]


@pytest.mark.usefixtures("three_journeys")
def test_a_delay_tells_each_passenger_travelling_through_it_once_and_not_one_whose_journey_ended_before(
    events: FakeEventStore, reactions: ChangeReactions
) -> None:
    delay = operator(events, kind="delay", station="GDG", minutes=75, reason="signal failure")

    reactions.react(delay)
    reactions.react(delay)  # redelivered

    told = {n.user_id: n for n in notices(events)}
    assert sorted(told) == ["ewa", "jan"]
    assert len(notices(events)) == 2
    assert told["jan"].text_en == (
        "EIP 3500 to Gdynia Główna is 75 min late from Gdańsk Główny; your new arrival is 12:20"
    )
    assert told["ewa"].text_en.endswith("your new arrival is 12:48")
    assert told["jan"].text_pl.startswith("EIP 3500 do stacji Gdynia Główna ma 75 min opóźnienia od stacji")


@pytest.mark.usefixtures("three_journeys")
def test_a_cancellation_cancels_every_touched_booking_once_with_the_carrier_at_fault(
    events: FakeEventStore, reactions: ChangeReactions, sagas: Sagas
) -> None:
    delay = operator(events, kind="delay", station="WAW", minutes=20)
    cancel = operator(events, kind="cancel", from_station="WAW", reason="rolling stock")

    # out of order and twice
    for recorded in (cancel, delay, cancel, delay):
        reactions.react(recorded)

    # ala's journey ends at Warszawa: the cancellation from there takes none of her legs
    assert sagas.started == {"cancel-b": "train_cancelled", "cancel-c": "train_cancelled"}
    kinds = sorted((n.user_id, n.kind) for n in notices(events))
    assert kinds == [
        ("ala", "delay"),
        ("ewa", "cancel"),
        ("ewa", "delay"),
        ("jan", "cancel"),
        ("jan", "delay"),
    ]


@pytest.mark.usefixtures("three_journeys")
def test_arrival_pays_compensation_by_the_delay_at_each_destination_once(
    events: FakeEventStore, reactions: ChangeReactions, payments: Payments, commands: BookingService
) -> None:
    operator(events, kind="delay", station="WAW", minutes=30)
    operator(events, kind="delay", station="GDG", minutes=130)
    arrived = record_arrival(events, RUN, NOW, actor="admin:test")
    assert arrived is not None

    reactions.react(arrived)
    reactions.react(arrived)

    jan, ewa, ala = commands.load("b"), commands.load("c"), commands.load("a")
    assert jan.compensation_grosze == (jan.total_grosze * 50 + 50) // 100
    assert ewa.compensation_grosze == (ewa.total_grosze * 50 + 50) // 100
    assert ala.compensation_grosze == 0  # 30 min late at Warszawa: nothing owed
    assert sorted(payments.refunds) == ["b-delay-compensation", "c-delay-compensation"]
    paid = [e for e in events.read("booking-b") if isinstance(e.event, DelayCompensationPaid)]
    assert len(paid) == 1
    assert sorted(n.user_id for n in notices(events) if n.kind == "compensation") == ["ewa", "jan"]


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, (0, 0)), (59, (0, 0)), (60, (25, 2500)), (119, (25, 2500)), (120, (50, 5000))],
)
def test_compensation_follows_article_19(minutes: int, expected: tuple[int, int]) -> None:
    assert compensation(10_000, minutes) == expected


def test_compensation_rounds_half_a_grosz_up() -> None:
    assert compensation(10_002, 60) == (25, 2501)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "delay", "station": "POZ", "minutes": 10}, NotServed),
        ({"kind": "delay", "station": "WAW", "minutes": -5}, InvalidChange),
        ({"kind": "delay", "minutes": 5}, InvalidChange),
        ({"kind": "platform", "station": "WAW"}, InvalidChange),
        ({"kind": "cancel", "from_station": "GDY"}, InvalidChange),
        ({"kind": "restore"}, Exception),
    ],
)
def test_a_bad_change_is_refused_and_records_nothing(
    events: FakeEventStore, fields: dict[str, object], error: type[Exception]
) -> None:
    before = events.written()

    with pytest.raises(error):
        operator(events, **fields)

    assert events.written() == before


def test_a_change_to_an_unknown_or_arrived_run_is_refused(events: FakeEventStore) -> None:
    with pytest.raises(UnknownTrainRun):
        record_operator_change(events, "run-9999-2026-11-25", ChangeRequest("delay", "WAW", 5), NOW, "admin")
    record_arrival(events, RUN, NOW, actor="admin")
    before = events.written()

    with pytest.raises(RunArrived):
        operator(events, kind="delay", station="WAW", minutes=5)

    assert events.written() == before


def test_a_cancellation_is_undone_by_restore_and_the_run_is_on_sale_again(
    events: FakeEventStore, commands: BookingService
) -> None:
    operator(events, kind="cancel")
    operator(events, kind="restore")

    book(commands, "d", "ola", "KRK", "WAW", 51)

    assert commands.load("d").status is BookingStatus.CONFIRMED


@pytest.mark.usefixtures("three_journeys")
def test_a_run_removed_from_the_timetable_is_refunded_like_a_cancelled_one(
    events: FakeEventStore, reactions: ChangeReactions, sagas: Sagas
) -> None:
    version = events.read(RUN)[-1].version + 1
    [removed] = events.append([PendingEvent(RUN, version, TrainRunRemoved(**change_fields()))])

    reactions.react(removed)

    assert sagas.started == {f"cancel-{b}": "train_cancelled" for b in ("a", "b", "c")}
    assert sorted(n.kind for n in notices(events)) == ["cancel"] * 3
