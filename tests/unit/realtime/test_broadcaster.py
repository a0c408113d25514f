"""The broadcaster and the connection use cases on in-memory fakes: who gets what, Gone, waits."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest

from trainbook.booking.events import BookingConfirmed, BookingRequested
from trainbook.changes.events import NotificationRead, PassengerNotified
from trainbook.eventstore.events import RecordedEvent
from trainbook.inventory.events import SeatsHeld
from trainbook.realtime.domain import FollowedTopic, Journey, ProtocolError, Subscriber, Viewer
from trainbook.realtime.service import SEQ_BLOCK, Broadcaster, LiveConnections, ReadModelBehind
from trainbook.saga_progress import SagaStepStarted

JOURNEY = Journey("b-1", "user-ala", "run-1", "GDG", "KRK", 0, 5)
AT = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


class FakeRegistry:
    def __init__(self) -> None:
        self.topics: dict[str, set[str]] = {}  # connection -> routes
        self.users: dict[str, str | None] = {}
        self.seq: dict[str, int] = {}
        self.reservations: list[tuple[str, int]] = []
        self.changes: dict[str, int] = {}  # route -> how many times its subscriptions changed

    def _changed(self, *routes: str) -> None:
        for route in routes:
            self.changes[route] = self.changes.get(route, 0) + 1

    def connect(self, connection_id: str, viewer: Viewer) -> None:
        self.topics[connection_id] = set()
        self.users[connection_id] = viewer.user_id

    def subscribe(self, connection_id: str, viewer: Viewer, route: str, limit: int) -> None:
        if len(self.topics[connection_id] | {route}) > limit:
            raise ProtocolError("too_many_topics", "too many")
        self.topics[connection_id].add(route)
        self._changed(route)

    def unsubscribe(self, connection_id: str, route: str) -> None:
        self.topics[connection_id].discard(route)
        self._changed(route)

    def disconnect(self, connection_id: str) -> None:
        self._changed(*self.topics.pop(connection_id, set()))

    def subscribers(self, route: str) -> list[Subscriber]:
        return [Subscriber(c, self.users[c]) for c, routes in sorted(self.topics.items()) if route in routes]

    def followed(self, routes: Iterable[str]) -> dict[str, FollowedTopic]:
        followed = {route for route in routes if any(route in f for f in self.topics.values())}
        return {
            route: FollowedTopic(self.changes.get(route, 0), self.seq.get(route, 0)) for route in followed
        }

    def reserve_seq(self, route: str, count: int) -> int:
        self.reservations.append((route, count))
        self.seq[route] = self.seq.get(route, 0) + count
        return self.seq[route]


class FakePoster:
    def __init__(self, gone: Iterable[str] = ()) -> None:
        self.gone = set(gone)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def post(self, connection_id: str, body: dict[str, Any]) -> str:
        if connection_id in self.gone:
            return "gone"
        self.sent.append((connection_id, body))
        return "sent"

    def post_all(self, connection_ids: Iterable[str], body: dict[str, Any]) -> dict[str, str]:
        return {c: self.post(c, body) for c in connection_ids}


class FakeReadModels:
    def __init__(self, seat_map_version: int = 99) -> None:
        self.version = seat_map_version
        self.seat_map_reads: list[set[tuple[str, str]]] = []
        self.inbox: dict[str, dict[str, Any]] = {}  # notification id -> as the inbox shows it
        self.applied: set[tuple[str, int]] = set()  # events the analytics model has applied

    def seat_map_versions(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        self.seat_map_reads.append(set(wanted))
        return dict.fromkeys(self.seat_map_reads[-1], self.version)

    def sales_counted(self, stream: str, version: int) -> bool:
        return True

    def sales_figures(self, day: str) -> dict[str, Any]:
        return {"day": day, "bookings_confirmed": 1}

    def notification(self, user_id: str, notification_id: str) -> dict[str, Any] | None:
        return self.inbox.get(notification_id)

    def unread(self, user_id: str) -> int:
        return sum(not n["read"] for n in self.inbox.values())

    def analytics_counted(self, stream: str, version: int) -> bool:
        return (stream, version) in self.applied

    def analytics_figures(self, day: str, run_id: str) -> dict[str, Any]:
        return {"date": day, "confirmed": len(self.applied), "run": {"run_id": run_id}}


def held(version: int = 2) -> RecordedEvent:
    return RecordedEvent("booking-b-1", version, SeatsHeld("b-1", "run-1", ("05-021",), 0, 5, 1), AT)


def world(
    gone: Iterable[str] = (), seat_map_version: int = 99
) -> tuple[FakeRegistry, FakePoster, Broadcaster]:
    registry, poster = FakeRegistry(), FakePoster(gone)
    broadcaster = Broadcaster(
        registry,
        poster,
        lambda _: JOURNEY,
        FakeReadModels(seat_map_version),
        wait_seconds=0.05,
        sleep=lambda _: None,
    )
    return registry, poster, broadcaster


def test_a_connection_that_answers_gone_is_deleted_and_nobody_else_is() -> None:
    registry, poster, broadcaster = world(gone={"stale"})
    for connection in ("a", "stale", "b"):
        registry.connect(connection, Viewer(None))
        registry.subscribe(connection, Viewer(None), "run:run-1", 50)
    delivery = broadcaster.publish(held())
    assert delivery.gone == ["stale"]
    assert set(registry.topics) == {"a", "b"}
    assert [c for c, _ in poster.sent] == ["a", "b"]


def test_seq_increases_per_topic_and_only_subscribed_topics_use_it() -> None:
    registry, poster, broadcaster = world()
    registry.connect("a", Viewer(None))
    registry.subscribe("a", Viewer(None), "run:run-1", 50)
    broadcaster.publish(held(2))
    broadcaster.publish(held(3))
    broadcaster.publish(
        RecordedEvent("saga-b-1", 1, SagaStepStarted("b-1", "QuoteFare"), AT)
    )  # nobody listens
    assert [body["seq"] for _, body in poster.sent] == [1, 2]
    assert registry.seq == {"run:run-1": SEQ_BLOCK}  # one block taken, numbers 3 on still unused


def test_a_seat_push_waits_for_the_seat_map_and_fails_the_record_if_it_never_catches_up() -> None:
    registry, poster, broadcaster = world(seat_map_version=1)
    registry.connect("a", Viewer(None))
    registry.subscribe("a", Viewer(None), "run:run-1", 50)
    with pytest.raises(ReadModelBehind):
        broadcaster.publish(held(2))
    assert poster.sent == []


def test_client_requests_are_answered_and_a_bad_one_gets_an_error() -> None:
    registry, poster = FakeRegistry(), FakePoster()
    live = LiveConnections(registry, poster, lambda booking: JOURNEY if booking == "b-1" else None)
    ala, ola = Viewer("user-ala", "passenger"), Viewer("user-ola", "passenger")
    for connection in ("c-ala", "c-ola"):
        live.connect(connection, ala)
    replies = [
        live.receive("c-ala", ala, '{"action": "subscribe", "topic": "booking:b-1"}'),
        live.receive("c-ola", ola, '{"action": "subscribe", "topic": "booking:b-1"}'),
        live.receive("c-ala", ala, '{"action": "ping"}'),
        live.receive("c-ala", ala, "not json"),
        live.receive("c-ala", ala, '{"action": "unsubscribe", "topic": "booking:b-1"}'),
    ]
    assert [r["type"] for r in replies] == ["subscribed", "error", "pong", "error", "unsubscribed"]
    assert replies[1]["error"]["code"] == "forbidden"
    assert replies[3]["error"]["code"] == "bad_json"
    assert registry.topics == {"c-ala": set(), "c-ola": set()}
    assert [c for c, _ in poster.sent] == ["c-ala", "c-ola", "c-ala", "c-ala", "c-ala"]


def test_a_booking_followed_before_it_existed_reaches_only_its_owner() -> None:
    registry, poster, broadcaster = world()
    for connection, user in (("c-ala", "user-ala"), ("c-ola", "user-ola")):
        registry.connect(connection, Viewer(user, "passenger"))
        registry.subscribe(connection, Viewer(user, "passenger"), "booking:b-1", 50)
    broadcaster.publish(RecordedEvent("saga-b-1", 1, SagaStepStarted("b-1", "QuoteFare"), AT))
    assert [(c, body["type"]) for c, body in poster.sent] == [("c-ala", "step_started")]


def test_a_batch_learns_once_which_topics_are_followed_and_skips_the_rest() -> None:
    registry, poster, broadcaster = world()
    registry.connect("a", Viewer(None))
    registry.subscribe("a", Viewer(None), "run:run-1", 50)
    unfollowed = RecordedEvent("saga-b-9", 1, SagaStepStarted("b-9", "QuoteFare"), AT)
    broadcaster.expect([held(2), unfollowed])
    looked_up: list[str] = []
    broadcaster.journeys = lambda booking: looked_up.append(booking) or JOURNEY  # type: ignore[func-returns-value]
    broadcaster.publish(unfollowed)
    broadcaster.publish(held(2))
    assert looked_up == ["b-1"]  # the unfollowed saga event cost no lookup
    assert [body["type"] for _, body in poster.sent] == ["seats_held"]


NOTICE = {"id": "n-1", "kind": "delay", "text": "Delay", "read": False}


def notified() -> RecordedEvent:
    event = PassengerNotified("n-1", "user-ala", "b-1", "run-1", "delay", "Opóźnienie", "Delay", "run-1#2")
    return RecordedEvent("notification-n-1", 1, event, AT)


def follower_of(registry: FakeRegistry, route: str, user: str | None = "user-ala") -> None:
    viewer = Viewer(user, "admin" if route == "analytics" else "passenger")
    registry.connect("a", viewer)
    registry.subscribe("a", viewer, route, 50)


def test_a_notice_is_pushed_as_the_inbox_shows_it_with_the_unread_count() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "user:user-ala")
    broadcaster.read_models.inbox = {"n-1": NOTICE, "n-0": {**NOTICE, "id": "n-0"}}  # type: ignore[attr-defined]
    broadcaster.publish(notified())
    [(_, body)] = poster.sent
    assert (body["topic"], body["type"]) == ("user", "notification")
    assert body["data"] == {"notification": NOTICE, "unread": 2}


def test_a_notice_the_inbox_does_not_show_yet_is_not_pushed_and_the_record_fails() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "user:user-ala")
    broadcaster.read_models.inbox = {}  # type: ignore[attr-defined]
    with pytest.raises(ReadModelBehind):
        broadcaster.publish(notified())
    assert poster.sent == []


def test_marking_read_pushes_the_new_unread_count_once_the_inbox_has_it() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "user:user-ala")
    read = RecordedEvent("notification-n-1", 2, NotificationRead("n-1", "user-ala"), AT)
    broadcaster.read_models.inbox = {"n-1": NOTICE}  # type: ignore[attr-defined]
    with pytest.raises(ReadModelBehind):
        broadcaster.publish(read)  # the inbox still shows it unread
    broadcaster.read_models.inbox = {"n-1": {**NOTICE, "read": True}}  # type: ignore[attr-defined]
    broadcaster.publish(read)
    assert [(body["type"], body["data"]) for _, body in poster.sent] == [
        ("notification_read", {"id": "n-1", "unread": 0})
    ]


def test_a_notice_for_a_user_nobody_follows_costs_no_read() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "user:user-ola", "user-ola")
    broadcaster.read_models.inbox = {}  # type: ignore[attr-defined]  (a read would fail the record)
    broadcaster.expect([notified()])
    assert broadcaster.publish(notified()).messages == 0
    assert poster.sent == []


def test_analytics_gets_the_days_figures_once_the_model_applied_the_event() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "analytics")
    event = BookingRequested("b-1", "user-ala", "run-1", "GDG", "KRK", 0, 5, ("05-021",), (), 100, "x")
    requested = RecordedEvent("booking-b-1", 1, event, AT)
    broadcaster.read_models.applied = set()  # type: ignore[attr-defined]
    with pytest.raises(ReadModelBehind):
        broadcaster.publish(requested)
    broadcaster.read_models.applied = {("booking-b-1", 1)}  # type: ignore[attr-defined]
    broadcaster.publish(requested)
    assert [(body["topic"], body["type"], body["data"]) for _, body in poster.sent] == [
        ("analytics", "figures", {"date": "2026-12-01", "confirmed": 1, "run": {"run_id": "run-1"}})
    ]


def requested() -> RecordedEvent:
    event = BookingRequested(
        booking_id="b-1",
        user_id="user-ala",
        run_id="run-1",
        origin="GDG",
        destination="KRK",
        first_leg=0,
        end_leg=5,
        seats=("05-021",),
        passengers=({"name": "Ala"},),
        total_grosze=16900,
        departs_at="2026-12-02T06:00:00+01:00",
    )
    return RecordedEvent("booking-b-1", 1, event, AT)


def confirmed() -> RecordedEvent:
    return RecordedEvent("booking-b-1", 4, BookingConfirmed("b-1", 16900, 1), AT)


def test_a_booking_nobody_follows_costs_no_journey_lookup_and_no_subscriber_lookup() -> None:
    registry, poster, broadcaster = world()
    remembered: dict[str, Journey] = {}
    broadcaster.remember = lambda journey: remembered.update({journey.booking_id: journey})
    broadcaster.journeys = remembered.get  # only what the batch taught
    batch = [requested(), held(2), confirmed()]
    broadcaster.expect(batch)
    lookups: list[str] = []
    subscribers = registry.subscribers
    registry.subscribers = lambda route: lookups.append(route) or subscribers(route)  # type: ignore[method-assign,func-returns-value]
    for recorded in batch:
        broadcaster.publish(recorded)

    assert remembered == {"b-1": JOURNEY}
    assert lookups == []
    assert poster.sent == []


def test_a_followed_topic_known_only_from_the_journey_still_gets_its_message() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "user:user-ala")

    broadcaster.expect([confirmed()])
    broadcaster.publish(confirmed())

    assert [(body["topic"], body["type"], body["data"]["status"]) for _, body in poster.sent] == [
        ("user", "booking_status", "CONFIRMED")
    ]


def held_by(booking: str, version: int = 2) -> RecordedEvent:
    event = SeatsHeld(booking, "run-1", ("05-021",), 0, 5, 1)
    return RecordedEvent(f"booking-{booking}", version, event, AT)


def test_a_batch_asks_per_topic_not_per_message_and_numbers_them_in_the_order_sent() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "run:run-1")
    batch = [held_by("b-1"), held_by("b-2"), held_by("b-3")]
    lookups: list[str] = []
    subscribers = registry.subscribers
    registry.subscribers = lambda route: lookups.append(route) or subscribers(route)  # type: ignore[method-assign,func-returns-value]

    broadcaster.expect(batch)
    for recorded in batch:
        broadcaster.publish(recorded)

    assert [body["seq"] for _, body in poster.sent] == [1, 2, 3]
    assert registry.reservations == [("run:run-1", SEQ_BLOCK)]
    assert lookups == ["run:run-1"]
    reads = broadcaster.read_models.seat_map_reads  # type: ignore[attr-defined]
    assert reads == [{("run-1", "b-1"), ("run-1", "b-2"), ("run-1", "b-3")}]


def test_a_record_failing_mid_batch_is_numbered_when_redelivered_right_after_those_sent() -> None:
    registry, poster, broadcaster = world(seat_map_version=3)
    follower_of(registry, "run:run-1")
    batch = [held(2), held(3), held(4)]
    broadcaster.expect(batch)
    broadcaster.publish(batch[0])
    broadcaster.publish(batch[1])
    with pytest.raises(ReadModelBehind):
        broadcaster.publish(batch[2])  # the seat map does not show version 4 yet

    broadcaster.read_models.version = 4  # type: ignore[attr-defined]
    broadcaster.expect(batch[2:])  # the stream redelivers from the failed record
    broadcaster.publish(batch[2])

    assert [body["seq"] for _, body in poster.sent] == [1, 2, 3]  # no message missed: no gap


def send(broadcaster: Broadcaster, *events: RecordedEvent) -> None:
    broadcaster.expect(events)
    for recorded in events:
        broadcaster.publish(recorded)


def test_the_batches_after_the_first_use_its_block_of_numbers_without_a_write() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "run:run-1")
    for booking in ("b-1", "b-2", "b-3"):
        send(broadcaster, held_by(booking))

    assert [body["seq"] for _, body in poster.sent] == [1, 2, 3]
    assert registry.reservations == [("run:run-1", SEQ_BLOCK)]


def test_numbers_another_container_took_since_send_this_one_above_theirs_never_back() -> None:
    registry, poster, first = world()
    follower_of(registry, "run:run-1")
    second = Broadcaster(registry, poster, lambda _: JOURNEY, FakeReadModels(), sleep=lambda _: None)
    send(first, held_by("b-1"))
    send(second, held_by("b-2"))  # a new container: its own block, after the first's
    send(first, held_by("b-3"))  # the counter moved on: the rest of its block is left behind
    send(first, held_by("b-4"))

    seqs = [body["seq"] for _, body in poster.sent]
    assert seqs == [1, SEQ_BLOCK + 1, 2 * SEQ_BLOCK + 1, 2 * SEQ_BLOCK + 2]  # jumps: the client re-reads
    assert registry.reservations == [("run:run-1", SEQ_BLOCK)] * 3


def test_a_batch_larger_than_a_block_takes_what_it_needs_and_the_next_block_follows_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("trainbook.realtime.service.SEQ_BLOCK", 2)
    registry, poster, broadcaster = world()
    follower_of(registry, "run:run-1")
    send(broadcaster, *(held_by(f"b-{n}") for n in range(5)))
    send(broadcaster, held_by("b-5"), held_by("b-6"))

    assert [body["seq"] for _, body in poster.sent] == [1, 2, 3, 4, 5, 6, 7]
    assert registry.reservations == [("run:run-1", 5), ("run:run-1", 2)]


def test_the_seat_map_of_a_run_followed_at_an_earlier_batch_is_read_beside_the_counts() -> None:
    registry, poster, broadcaster = world()
    follower_of(registry, "run:run-1")
    models = broadcaster.read_models
    started = threading.Event()
    read_seat_map = models.seat_map_versions
    models.seat_map_versions = lambda wanted: started.set() or read_seat_map(wanted)  # type: ignore[method-assign,func-returns-value]
    beside: list[bool] = []
    read_counts = registry.followed

    def counts(routes: Iterable[str]) -> dict[str, FollowedTopic]:
        beside.append(started.wait(0.3))  # the seat map read has begun while the counts are read
        return read_counts(routes)

    registry.followed = counts  # type: ignore[method-assign]
    send(broadcaster, held_by("b-1"))  # run-1 not known followed yet: its seat map is read after
    started.clear()
    send(broadcaster, held_by("b-2"))

    assert beside == [False, True]
    assert models.seat_map_reads == [{("run-1", "b-1")}, {("run-1", "b-2")}]  # type: ignore[attr-defined]
    assert [body["seq"] for _, body in poster.sent] == [1, 2]


def test_several_topics_take_their_numbers_once_a_batch_without_gaps() -> None:
    registry, poster, broadcaster = world()
    admin = Viewer("user-ala", "admin")
    registry.connect("a", admin)
    for route in ("analytics", "user:user-ala"):
        registry.subscribe("a", admin, route, 50)
    broadcaster.read_models.applied = {("booking-b-1", 1), ("booking-b-1", 4)}  # type: ignore[attr-defined]
    batch = [requested(), confirmed()]

    broadcaster.expect(batch)
    for recorded in batch:
        broadcaster.publish(recorded)

    numbered = [(body["topic"], body["type"], body["seq"]) for _, body in poster.sent]
    assert numbered == [
        ("user", "booking_status", 1),
        ("analytics", "figures", 1),
        ("user", "booking_status", 2),
        ("analytics", "sales", 2),
        ("analytics", "figures", 3),
    ]
    assert sorted(registry.reservations) == [("analytics", SEQ_BLOCK), ("user:user-ala", SEQ_BLOCK)]


def test_a_topics_subscribers_are_read_again_only_once_its_subscriptions_changed() -> None:
    registry, poster, broadcaster = world()
    now = [100.0]
    broadcaster.clock = lambda: now[0]
    follower_of(registry, "run:run-1")
    lookups: list[str] = []
    subscribers = registry.subscribers
    registry.subscribers = lambda route: lookups.append(route) or subscribers(route)  # type: ignore[method-assign,func-returns-value]

    def batch(*events: RecordedEvent) -> None:
        broadcaster.expect(events)
        for recorded in events:
            broadcaster.publish(recorded)

    batch(held_by("b-1"))
    now[0] += 0.5
    batch(held_by("b-2"))  # nobody subscribed or left since: the list read for b-1 serves
    registry.connect("b", Viewer(None))
    registry.subscribe("b", Viewer(None), "run:run-1", 50)
    batch(held_by("b-3"))  # a change: read again, and the new subscriber gets it
    now[0] += 1.0
    batch(held_by("b-4"))  # kept for at most a second, whatever the count says

    assert lookups == ["run:run-1"] * 3
    assert [(c, body["seq"]) for c, body in poster.sent] == [
        ("a", 1),
        ("a", 2),
        ("a", 3),
        ("b", 3),
        ("a", 4),
        ("b", 4),
    ]
