"""The protocol's pure rules: topics, who may follow them, client requests, and what each event pushes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trainbook.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingRequested,
    DelayCompensationPaid,
)
from trainbook.catalog.events import PlatformChanged, TrainDelayed, TrainRunArrived, TrainRunRestored
from trainbook.changes.events import NotificationRead, PassengerNotified
from trainbook.eventstore.events import Event, RecordedEvent
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold
from trainbook.realtime.domain import (
    CHANGE_KINDS,
    MESSAGE_KINDS,
    AnalyticsApplied,
    InboxShows,
    Journey,
    ProtocolError,
    SeatMapReflects,
    Viewer,
    check_subscription,
    message,
    parse_request,
    parse_topic,
    pushes_for,
)
from trainbook.saga_progress import SagaStepEnded, SagaStepStarted

AT = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
ALA = Viewer("user-ala", "passenger")
ADMIN = Viewer("user-admin", "admin")
NOBODY = Viewer(None)
JOURNEY = Journey("b-1", "user-ala", "EIP-5300-2026-12-02", "GDG", "KRK", 0, 5)
CHANGE = {
    "change_id": "c1",
    "run_id": "EIP-5300-2026-12-02",
    "train": "5300",
    "day": "2026-12-02",
    "label": "EIP 5300",
    "source": "scrape",
    "observed_at": "2026-12-01T10:00:00Z",
}


def recorded(event: Event, stream: str = "booking-b-1", version: int = 3) -> RecordedEvent:
    return RecordedEvent(stream, version, event, AT)


def test_topics_are_parsed_and_the_user_topic_is_routed_by_the_viewer() -> None:
    assert parse_topic("run:EIP-5300-2026-12-02", NOBODY).route == "run:EIP-5300-2026-12-02"
    assert parse_topic("booking:b-1", ALA).name == "booking:b-1"
    user = parse_topic("user", ALA)
    assert (user.name, user.route) == ("user", "user:user-ala")
    for bad in ("run:", "lorry:1", "", 7, "x" * 101, "run:a b"):
        with pytest.raises(ProtocolError):
            parse_topic(bad, ALA)


def test_anonymous_viewers_follow_only_public_topics() -> None:
    check_subscription(NOBODY, parse_topic("run:r1", NOBODY), None)
    check_subscription(NOBODY, parse_topic("changes", NOBODY), None)
    for name in ("user", "booking:b-1", "analytics"):
        with pytest.raises(ProtocolError) as refused:
            check_subscription(NOBODY, parse_topic(name, NOBODY), "user-ala")
        assert refused.value.code == "forbidden"


def test_only_the_owner_follows_a_booking_and_only_admins_follow_analytics() -> None:
    check_subscription(ALA, parse_topic("booking:b-1", ALA), "user-ala")
    with pytest.raises(ProtocolError):
        check_subscription(Viewer("user-ola", "passenger"), parse_topic("booking:b-1", ALA), "user-ala")
    check_subscription(ALA, parse_topic("booking:soon", ALA), None)  # before it exists: delivery checks
    with pytest.raises(ProtocolError):
        check_subscription(ALA, parse_topic("analytics", ALA), None)
    check_subscription(ADMIN, parse_topic("analytics", ADMIN), None)


@pytest.mark.parametrize(
    ("text", "code"),
    [("{", "bad_json"), ("[1]", "bad_json"), ('{"action": "dance"}', "unknown_action"), ("", "bad_json")],
)
def test_bad_requests_are_named_by_an_error_code(text: str, code: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_request(text)
    assert refused.value.code == code


def test_a_held_seat_goes_to_its_run_with_its_legs_once_the_seat_map_shows_it() -> None:
    held = SeatsHeld("b-1", JOURNEY.run_id, ("05-021",), 0, 5, 1_900_000_000)
    [push] = pushes_for(recorded(held, version=2), JOURNEY)
    assert push.topic.name == f"run:{JOURNEY.run_id}"
    assert push.type == "seats_held"
    assert push.data == {
        "run_id": JOURNEY.run_id,
        "seats": ["05-021"],
        "first_leg": 0,
        "end_leg": 5,
        "from": "GDG",
        "to": "KRK",
    }
    assert push.wait == SeatMapReflects(JOURNEY.run_id, "b-1", 2)
    assert "b-1" not in str(push.data)  # a public topic never names the booking


def test_a_release_carries_the_legs_of_the_journey_it_frees() -> None:
    [push] = pushes_for(
        recorded(SeatsReleased("b-1", JOURNEY.run_id, ("05-021",), "payment_failed")), JOURNEY
    )
    assert (push.type, push.data["first_leg"], push.data["end_leg"]) == ("seats_released", 0, 5)


def test_saga_steps_and_the_final_status_go_to_the_booking_topic_for_its_owner_only() -> None:
    started = pushes_for(recorded(SagaStepStarted("b-1", "HoldSeats"), "saga-b-1"), JOURNEY)
    ticket = {"ticket_number": "TB-1"}
    ended = pushes_for(recorded(SagaStepEnded("b-1", "IssueTicket", "succeeded", None, ticket)), JOURNEY)
    reason = {"reason": "PaymentDeclined"}
    failed = pushes_for(
        recorded(SagaStepEnded("b-1", "MarkBookingFailed", "succeeded", None, reason)), JOURNEY
    )
    assert {p.only_user for p in started + ended + failed} == {"user-ala"}
    assert pushes_for(recorded(SagaStepStarted("b-1", "HoldSeats"), "saga-b-1"), None) == []
    assert [(p.topic.name, p.type, p.data) for p in started] == [
        ("booking:b-1", "step_started", {"step": "HoldSeats"})
    ]
    assert [p.type for p in ended] == ["step_ended", "status"]
    assert ended[1].data == {"booking_id": "b-1", "status": "CONFIRMED", "ticket_number": "TB-1"}
    assert failed[1].data == {"booking_id": "b-1", "status": "FAILED", "reason": "PaymentDeclined"}


def test_booking_status_goes_to_its_owner_and_sales_to_admins() -> None:
    requested = BookingRequested("b-1", "user-ala", "r", "GDG", "KRK", 0, 5, ("05-021",), (), 100, "x")
    [status, figures] = pushes_for(recorded(requested, version=1))
    assert (status.topic.route, status.data["status"]) == ("user:user-ala", "REQUESTED")
    assert (figures.topic.route, figures.type) == ("analytics", "figures")
    confirmed = pushes_for(recorded(BookingConfirmed("b-1", 100, 1)), JOURNEY)
    assert [(p.topic.route, p.type) for p in confirmed] == [
        ("user:user-ala", "booking_status"),
        ("analytics", "sales"),
        ("analytics", "figures"),
    ]
    assert pushes_for(recorded(BookingFailed("b-1", "SeatTaken")), JOURNEY)[0].data["reason"] == "SeatTaken"
    assert (
        pushes_for(recorded(BookingCancelled("b-1", 90, "passenger")), JOURNEY)[0].data["status"]
        == "CANCELLED"
    )


def test_a_delay_goes_to_the_run_and_to_the_changes_topic() -> None:
    delay = TrainDelayed(**CHANGE, station="WAW", minutes=25, previous_minutes=0)
    pushes = pushes_for(recorded(delay, "run-5300-2026-12-02"))
    assert [(p.topic.name, p.type) for p in pushes] == [
        ("run:EIP-5300-2026-12-02", "train_delayed"),
        ("changes", "schedule_change"),
    ]
    assert pushes[1].data["kind"] == "delay"
    platform = PlatformChanged(
        **CHANGE, station="KRK", platform="3", track="5", previous_platform="1", previous_track=None
    )
    assert [p.type for p in pushes_for(recorded(platform))] == ["platform_changed", "schedule_change"]


def test_every_pushed_kind_is_declared_in_the_contract() -> None:
    events: list[tuple[Event, Journey | None]] = [
        (SeatsHeld("b-1", "r", ("05-021",), 0, 5, 1), JOURNEY),
        (SeatsSold("b-1", "r", ("05-021",), 0, 5), JOURNEY),
        (SeatsReleased("b-1", "r", ("05-021",), "x"), JOURNEY),
        (SagaStepStarted("b-1", "QuoteFare"), JOURNEY),
        (SagaStepEnded("b-1", "RecordCancellation", "succeeded", None, {"refund_grosze": 1}), JOURNEY),
        (BookingConfirmed("b-1", 100, 1), JOURNEY),
        (DelayCompensationPaid("b-1", 2500, 80, 25, "EIP-5300-2026-12-02"), JOURNEY),
        (PassengerNotified("n-1", "user-ala", "b-1", "r", "delay", "pl", "en", "run-r#2"), None),
        (NotificationRead("n-1", "user-ala"), None),
        (TrainDelayed(**CHANGE, station="WAW", minutes=5, previous_minutes=0), None),
        *((kind(**CHANGE), None) for kind in CHANGE_KINDS if kind not in (TrainDelayed, PlatformChanged)),
    ]
    for event, journey in events:
        for push in pushes_for(recorded(event), journey):
            assert push.type in MESSAGE_KINDS[push.topic.kind], push
            if push.type == "schedule_change":
                assert push.data["kind"] in MESSAGE_KINDS["changes"]["schedule_change"][1]["kind"]["enum"]


def test_a_message_has_the_contract_shape() -> None:
    [push] = pushes_for(recorded(SagaStepStarted("b-1", "QuoteFare")), JOURNEY)
    assert message(push, AT, 7) == {
        "topic": "booking:b-1",
        "type": "step_started",
        "data": {"step": "QuoteFare"},
        "at": "2026-12-01T10:30:00.000Z",
        "seq": 7,
    }


def test_a_notice_goes_to_its_user_once_the_inbox_shows_it() -> None:
    notice = PassengerNotified("n-1", "user-ala", "b-1", "r", "delay", "Opóźnienie", "Delay", "run-r#2")
    [push] = pushes_for(recorded(notice, "notification-n-1", 1))
    assert (push.topic.route, push.type) == ("user:user-ala", "notification")
    assert push.wait == InboxShows("user-ala", "n-1", read=False)
    [read] = pushes_for(recorded(NotificationRead("n-1", "user-ala"), "notification-n-1", 2))
    assert (read.topic.route, read.type, read.wait) == (
        "user:user-ala",
        "notification_read",
        InboxShows("user-ala", "n-1", read=True),
    )


def test_compensation_reaches_the_owner_on_user_and_booking_topics_and_admins_on_analytics() -> None:
    paid = DelayCompensationPaid("b-1", 2500, 80, 25, "EIP-5300-2026-12-02")
    pushes = pushes_for(recorded(paid, version=9), JOURNEY)
    assert [(p.topic.route, p.type, p.only_user) for p in pushes] == [
        ("user:user-ala", "booking_status", None),
        ("booking:b-1", "status", "user-ala"),
        ("analytics", "figures", None),
    ]
    expected = {
        "booking_id": "b-1",
        "status": "CONFIRMED",
        "compensation_grosze": 2500,
        "delay_minutes": 80,
        "percent": 25,
    }
    assert pushes[0].data == pushes[1].data == expected
    assert pushes[2].wait == AnalyticsApplied("booking-b-1", 9, "2026-12-01", "EIP-5300-2026-12-02")
    assert pushes_for(recorded(paid), None) == []  # no owner known: nobody may see it


def test_a_carrier_fault_cancellation_carries_refund_and_reason_on_both_topics() -> None:
    cancelled = pushes_for(recorded(BookingCancelled("b-1", 12000, "train_cancelled")), JOURNEY)
    assert cancelled[0].data == {
        "booking_id": "b-1",
        "status": "CANCELLED",
        "refund_grosze": 12000,
        "reason": "train_cancelled",
    }
    result = {"status": "CANCELLED", "refund_grosze": 12000, "reason": "train_cancelled"}
    ended = SagaStepEnded("b-1", "RecordCancellation", "succeeded", None, result)
    [_, status] = pushes_for(recorded(ended, "saga-b-1"), JOURNEY)
    assert (status.topic.name, status.only_user) == ("booking:b-1", "user-ala")
    assert status.data == {**cancelled[0].data}


def test_every_booking_event_pushes_the_days_figures_dated_in_warsaw() -> None:
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Warsaw
    failed = RecordedEvent("booking-b-1", 4, BookingFailed("b-1", "SeatTaken"), late)
    [_, figures] = pushes_for(failed, JOURNEY)
    assert (figures.topic.name, figures.type) == ("analytics", "figures")
    assert figures.wait == AnalyticsApplied("booking-b-1", 4, "2026-12-02", JOURNEY.run_id)


def test_a_restored_or_arrived_run_goes_to_the_run_and_to_the_changes_topic() -> None:
    restored = pushes_for(recorded(TrainRunRestored(**CHANGE), "run-5300-2026-12-02"))
    arrived = pushes_for(recorded(TrainRunArrived(**CHANGE), "run-5300-2026-12-02"))
    assert [(p.topic.name, p.type, p.data.get("kind")) for p in restored + arrived] == [
        ("run:EIP-5300-2026-12-02", "run_restored", None),
        ("changes", "schedule_change", "restore"),
        ("run:EIP-5300-2026-12-02", "run_arrived", None),
        ("changes", "schedule_change", "arrival"),
    ]
    for push in restored + arrived:
        assert push.type in MESSAGE_KINDS[push.topic.kind]
