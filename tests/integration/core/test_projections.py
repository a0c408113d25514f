"""Projections on moto, driven through their Lambda handlers with stream records from the Events table."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.support.builders import DAY, RUN, change_fields, small_timetable
from tests.support.streams import FakeContext, stream_records
from trainbook.analytics.sales import SalesProjection
from trainbook.booking import delivered
from trainbook.booking.domain import booking_stream
from trainbook.booking.events import BookingCancelled, BookingConfirmed, BookingRequested
from trainbook.booking.user_bookings import UserBookingsProjection
from trainbook.catalog.domain import WARSAW, LegSpan
from trainbook.catalog.events import TrainDelayed, TrainRunCancelled
from trainbook.catalog.runs import TrainRuns
from trainbook.eventstore.batch import Write
from trainbook.eventstore.events import PendingEvent, pending_after
from trainbook.eventstore.store import EventStore, transactions
from trainbook.inventory.domain import SeatClaim
from trainbook.inventory.store import DynamoInventory
from trainbook.projections import handlers
from trainbook.projections.search_index import SearchIndexProjection
from trainbook.projections.seat_map import SeatMapProjection, occupied_seats, seat_map_as_of
from trainbook.projections.service import rebuild
from trainbook.projections.wiring import read_models

pytestmark = pytest.mark.usefixtures("aws")

NOW = 1_800_000_000
KRK_TO_GDG = LegSpan(0, 2)
HANDLERS = [
    handlers.search_index,
    handlers.seat_map,
    handlers.user_bookings,
    handlers.sales,
    handlers.changes,
    handlers.analytics,
]


def book(
    store: EventStore, booking: str, seats: tuple[str, ...], user: str = "ala", confirm: bool = True
) -> None:
    """Request, hold and (optionally) sell seats Kraków Gł. -> Gdańsk Gł., as the saga would."""
    passengers = tuple(
        {"name": f"P{i}", "discount": "NORMAL", "price_grosze": 16900} for i in range(len(seats))
    )
    requested = BookingRequested(
        booking_id=booking,
        user_id=user,
        run_id=RUN,
        origin="KRK",
        destination="GDG",
        first_leg=KRK_TO_GDG.start,
        end_leg=KRK_TO_GDG.end,
        seats=seats,
        passengers=passengers,
        total_grosze=16900 * len(seats),
        departs_at=f"{DAY.isoformat()}T05:58:00+01:00",
    )
    store.append([PendingEvent(f"booking-{booking}", 1, requested)])
    inventory = DynamoInventory(store)
    claim = SeatClaim(RUN, booking, seats, KRK_TO_GDG)
    held = inventory.load(RUN, seats).hold(claim, NOW + 600, NOW)
    inventory.save(held.change, pending_after(booking_stream(booking), 1, held.events))
    if confirm:
        sold = inventory.load(RUN, seats).sell(claim, NOW + 1)
        sold = sold.with_event(BookingConfirmed(booking, 16900 * len(seats), len(seats)))
        inventory.save(sold.change, pending_after(booking_stream(booking), 2, sold.events))


def deliver(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    failures = []
    for handler in HANDLERS:
        failures.extend(handler({"Records": records}, FakeContext())["batchItemFailures"])  # type: ignore[arg-type]
    return failures


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        name: sorted((item.serialize() for item in model.model.scan()), key=repr)
        for name, model in read_models(EventStore()).items()
    }


@pytest.fixture
def store() -> EventStore:
    store = EventStore()
    TrainRuns(store).publish(small_timetable(), [DAY])
    return store


def test_search_counts_free_seats_per_class_for_the_segment(store: EventStore) -> None:
    book(store, "b1", ("01-011", "05-045"))  # car 1 is first class on the Pendolino
    deliver(stream_records())

    [departure] = SearchIndexProjection().search("KRK", "GDG", DAY, NOW)
    [beyond] = SearchIndexProjection().search("GDG", "GDW", DAY, NOW)

    assert (departure.free_first_class, departure.free_second_class) == (44, 356)
    assert (beyond.free_first_class, beyond.free_second_class) == (45, 357)
    assert departure.train == "EIP 3500" and departure.duration_minutes == 5 * 60 + 7


def test_a_search_reading_seat_maps_beside_its_index_answers_as_one_reading_them_after(
    store: EventStore,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from trainbook.projections import search_index

    seat_maps = SeatMapProjection()
    read: list[list[str]] = []
    runs = seat_maps.runs
    seat_maps.runs = lambda run_ids: read.append(run_ids) or runs(run_ids)  # type: ignore[method-assign]
    projection = SearchIndexProjection(seat_maps)
    search_index._RUNS_LAST_FOUND.clear()
    deliver(stream_records())  # the run's search rows
    with ThreadPoolExecutor(2) as alongside:
        first = projection.search("KRK", "GDG", DAY, NOW, alongside)  # nothing known yet: one after the other
        book(store, "b1", ("01-011", "05-045"))
        deliver(stream_records())
        second = projection.search("KRK", "GDG", DAY, NOW, alongside)  # the runs known: read beside the index
        search_index._RUNS_LAST_FOUND[search_index.route_key("KRK", "GDG", DAY)] = ["run-gone"]
        third = projection.search("KRK", "GDG", DAY, NOW, alongside)  # guessed wrong: read again after it

    # One read of seat maps each for the first two; the third read the wrong guess beside its index (in
    # whichever order the two threads got there), then the runs the index answered.
    assert read[:2] == [[RUN], [RUN]] and sorted(read[2:]) == [[RUN], ["run-gone"]]
    assert [(d.free_first_class, d.free_second_class) for d in first] == [(45, 357)]
    # The booking made between two searches shows in the second: its seat maps were read at its time.
    assert second == third == SearchIndexProjection().search("KRK", "GDG", DAY, NOW)
    assert [(d.free_first_class, d.free_second_class) for d in second] == [(44, 356)]


def test_duplicate_delivery_is_counted_once(store: EventStore) -> None:
    book(store, "b1", ("05-045", "05-046"))
    records = stream_records()

    deliver(records)
    deliver(records)
    deliver(records[-2:])

    confirmed = next(e for e in store.read("booking-b1") if isinstance(e.event, BookingConfirmed))
    sales = SalesProjection().day(
        confirmed.at.astimezone(WARSAW).date().isoformat()
    )  # the day it was recorded
    assert (sales.bookings_confirmed, sales.seats_sold, sales.revenue_grosze) == (1, 2, 33800)


def test_out_of_order_delivery_ends_in_the_same_read_models(store: EventStore) -> None:
    book(store, "b1", ("05-045",))
    book(store, "b2", ("05-046",), user="ola", confirm=False)
    store.append([PendingEvent("booking-b1", 5, BookingCancelled("b1", 14365, "passenger"))])
    records = stream_records()
    deliver(records)
    in_order = snapshot()

    for model in read_models(store).values():
        rebuild_empty(model)
    shuffled = records[:]
    random.Random(7).shuffle(shuffled)
    deliver(shuffled)

    assert snapshot() == in_order
    rows = {r["booking_id"]: r["status"] for r in UserBookingsProjection(store).for_user("ala")}
    assert rows == {"b1": "CANCELLED"}


def test_replay_rebuilds_every_read_model_identical_to_the_live_one(store: EventStore) -> None:
    book(store, "b1", ("05-045", "05-046"))
    book(store, "b2", ("01-011",), user="ola", confirm=False)
    deliver(stream_records())
    live = snapshot()

    for model in read_models(store).values():
        rebuild(model, store)

    assert snapshot() == live
    assert sum(len(items) for items in live.values()) > 10


def test_as_of_before_a_booking_the_seat_is_free(store: EventStore) -> None:
    book(store, "b1", ("05-045",))
    before = next(e for e in store.read("booking-b1")).at
    events = list(store.all_events())

    later = seat_map_as_of(events, RUN)
    earlier = seat_map_as_of([e for e in events if e.at < before], RUN)

    assert occupied_seats(later, LegSpan(0, 2), NOW) == {"05-045"}
    assert occupied_seats(earlier, LegSpan(0, 2), NOW) == set()
    assert SeatMapProjection().run(RUN).occupants == []  # nothing delivered to the live model yet


def test_a_failing_record_is_reported_with_every_record_after_it_and_the_rest_applied(
    store: EventStore,
) -> None:
    book(store, "b1", ("05-045",))
    records = stream_records()
    broken = {**records[1], "dynamodb": {**records[1]["dynamodb"], "NewImage": {"stream": {"S": "x"}}}}
    batch = [records[0], broken, *records[2:]]

    response = handlers.seat_map({"Records": batch}, FakeContext())  # type: ignore[arg-type]

    assert response["batchItemFailures"] == [
        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in batch[1:]
    ]
    assert [o.booking for o in SeatMapProjection().run(RUN).occupants] == ["b1"]


def test_an_item_whose_write_fails_is_retried_from_its_first_record_and_ends_as_in_order(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    book(store, "b1", ("05-045",))
    book(store, "b2", ("05-046",), user="ola")
    records = stream_records()
    deliver(records)
    in_order = snapshot()
    for model in read_models(store).values():
        rebuild_empty(model)
    delivered.forget()  # a new container
    real = UserBookingsProjection._writes

    def failing_for_b2(self: UserBookingsProjection, batch: Any, positions: list[int]) -> list[Write]:
        writes = real(self, batch, positions)
        if batch[positions[0]].stream != "booking-b2":
            return writes

        def refuse(*_: Any) -> None:
            raise RuntimeError("the table is unavailable")

        return [Write(w.positions, w.keys, together=refuse, alone=refuse) for w in writes]

    monkeypatch.setattr(UserBookingsProjection, "_writes", failing_for_b2)
    response = handlers.user_bookings({"Records": records}, FakeContext())  # type: ignore[arg-type]
    monkeypatch.undo()

    first_b2 = next(i for i, r in enumerate(records) if r["dynamodb"]["Keys"]["stream"]["S"] == "booking-b2")
    failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    assert failed == [r["dynamodb"]["SequenceNumber"] for r in records[first_b2:]]
    assert [row["booking_id"] for row in UserBookingsProjection(store).for_user("ala")] == ["b1"]
    assert UserBookingsProjection(store).for_user("ola") == []

    deliver(records[:first_b2])  # what the other projectors were given; then the poller retries from b2
    deliver(records[first_b2:])
    assert snapshot() == in_order


def test_a_refused_transaction_loses_none_of_the_other_writes(store: EventStore) -> None:
    book(store, "b1", ("05-045",))
    book(store, "b2", ("05-046",), user="ola")
    book(store, "b3", ("01-011",), user="ola", confirm=False)
    records = stream_records()
    expected = snapshot_after(records)
    first_b2 = next(i for i, r in enumerate(records) if r["dynamodb"]["Keys"]["stream"]["S"] == "booking-b2")
    deliver(records[:first_b2])

    deliver(records)  # b1's records again (refused: written already) with b2's and b3's new ones

    assert snapshot() == expected
    assert {r["booking_id"] for r in UserBookingsProjection(store).for_user("ola")} == {"b2", "b3"}


def test_a_batch_writes_each_read_model_item_once(store: EventStore, requests: Counter[str]) -> None:
    book(store, "b1", ("05-045", "05-046"))
    book(store, "b2", ("05-047",), user="ola")
    records = [r for r in stream_records() if r["dynamodb"]["Keys"]["stream"]["S"].startswith("booking-")]
    assert len(records) >= 6

    requests.clear()
    handlers.user_bookings({"Records": records}, FakeContext())  # type: ignore[arg-type]
    assert requests == Counter({"TransactWriteItems": 1})  # two rows, together
    requests.clear()
    handlers.seat_map({"Records": records}, FakeContext())  # type: ignore[arg-type]
    assert sum(requests.values()) <= 3  # one update of the run (after creating its item), not one per event
    assert sorted(o.booking for o in SeatMapProjection().run(RUN).occupants) == ["b1", "b2"]
    requests.clear()
    handlers.analytics({"Records": records}, FakeContext())  # type: ignore[arg-type]
    writes = {
        k: n for k, n in requests.items() if k != "Query"
    }  # a Query: the run's shape, once per container
    assert writes == {"TransactWriteItems": 1}  # four counted events, each item they touch once
    [row] = UserBookingsProjection(store).for_user("ola")
    assert (row["status"], row["version"]) == ("CONFIRMED", 4)


def snapshot_after(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The read models after delivering `records` one at a time, each to a fresh container."""
    for model in read_models(EventStore()).values():
        rebuild_empty(model)
    for record in records:
        delivered.forget()
        deliver([record])
    expected = snapshot()
    for model in read_models(EventStore()).values():
        rebuild_empty(model)
    delivered.forget()
    return expected


@pytest.fixture
def requests() -> Iterator[Counter[str]]:
    """DynamoDB requests the read models make, by operation (every client they write through)."""
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    clients = {
        transactions().client,
        *(m.model._get_connection().connection.client for m in read_models(EventStore()).values()),
    }
    for client in clients:
        client.meta.events.register("before-call.dynamodb", count)
    yield counts
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb", count)


def rebuild_empty(model: Any) -> None:
    with model.model.batch_write() as batch:
        for item in model.model.scan():
            batch.delete(item)


def test_search_shows_a_cancelled_train_and_the_latest_delay_whatever_the_delivery_order(
    store: EventStore,
) -> None:
    delayed = {**change_fields(change_id="d1"), "station": "KRK", "previous_minutes": 0}
    store.append([PendingEvent(RUN, 2, TrainDelayed(**delayed, minutes=25))])
    store.append([PendingEvent(RUN, 3, TrainDelayed(**{**delayed, "change_id": "d2"}, minutes=40))])
    store.append([PendingEvent(RUN, 4, TrainRunCancelled(**change_fields(change_id="x1")))])
    records = stream_records()

    deliver(list(reversed(records)))
    deliver(records)

    [departure] = SearchIndexProjection().search("KRK", "GDG", DAY, NOW)
    assert departure.cancelled and departure.delay_minutes == 40
    [later] = SearchIndexProjection().search("WAW", "GDG", DAY, NOW)
    assert later.delay_minutes == 40  # late from Kraków on, so late at Warszawa too


def test_analytics_count_each_event_once_under_duplicate_and_shuffled_delivery(store: EventStore) -> None:
    from trainbook.analytics.api import dashboard

    book(store, "b1", ("05-045", "05-046"))
    book(store, "b2", ("05-047",), user="ola")
    store.append([PendingEvent("booking-b2", 5, BookingCancelled("b2", 16900, "train_cancelled"))])
    records = stream_records()
    shuffled = records * 2
    random.Random(3).shuffle(shuffled)

    deliver(shuffled)
    deliver(records[-3:])

    day = store.read("booking-b1")[0].at.astimezone(WARSAW).date()
    figures = dashboard(min(day, DAY), max(day, DAY))  # booked today, travelling on DAY
    assert {k: figures["totals"][k] for k in ("requested", "confirmed", "cancelled", "seats_sold")} == {
        "requested": 2,
        "confirmed": 2,
        "cancelled": 1,
        "seats_sold": 3,
    }
    assert figures["totals"]["revenue"] == {
        "gross_grosze": 3 * 16900,
        "refunds_grosze": 16900,
        "compensation_grosze": 0,
        "net_grosze": 2 * 16900,
    }
    [run] = [r for r in figures["load_factors"]["runs"] if r["run_id"] == RUN]
    assert run["passenger_km"] == 2 * 616.0  # two seats Kraków -> Gdańsk; the cancelled one left
    assert run["load_factor"] == round(2 * 616.0 / run["seat_km"], 6)


def test_a_run_scheduled_after_its_bookings_were_counted_keeps_their_counts(store: EventStore) -> None:
    """A run's item is put in a transaction only while it does not exist; bookings counted first (or the
    run delivered again) leave it to the update, which keeps the passenger-km already there."""
    from trainbook.analytics.figures import AnalyticsItem

    TrainRuns(store).publish(small_timetable(), [DAY + timedelta(days=1)])
    book(store, "b1", ("05-045", "05-046"))
    records = stream_records()
    scheduled = [r for r in records if r["dynamodb"]["NewImage"]["type"]["S"] == "TrainRunScheduled"]
    assert len(scheduled) == 2 and len(scheduled) < len(records)

    counted_first = [r for r in records if r not in scheduled]
    assert handlers.analytics({"Records": counted_first}, FakeContext()) == {"batchItemFailures": []}
    # Two runs: one transaction, refused by the booked run's item, then each write alone.
    assert handlers.analytics({"Records": scheduled}, FakeContext()) == {"batchItemFailures": []}
    assert handlers.analytics({"Records": scheduled}, FakeContext()) == {"batchItemFailures": []}

    items = {item.key.split("#", 1)[1]: item for item in AnalyticsItem.query("run")}
    assert len(items) == 2
    booked = items[RUN]
    assert booked.passenger_km_tenths == 2 * 6160 and booked.label and booked.seat_km_tenths
    [other] = [item for run_id, item in items.items() if run_id != RUN]
    assert other.seat_km_tenths == booked.seat_km_tenths and other.passenger_km_tenths is None


def test_the_live_reads_give_what_the_dashboard_and_the_inbox_show(store: EventStore) -> None:
    from trainbook.analytics.api import dashboard
    from trainbook.analytics.figures import counted, day_figures
    from trainbook.booking.events import BookingFailed
    from trainbook.changes.events import NotificationRead, PassengerNotified
    from trainbook.changes.inbox import InboxProjection

    book(store, "b1", ("05-045", "05-046"))
    book(store, "b2", ("05-047",), user="ola", confirm=False)
    store.append([PendingEvent("booking-b2", 5, BookingFailed("b2", "PaymentDeclined"))])
    notice = PassengerNotified("2026-n1", "ala", "b1", RUN, "delay", "Opóźnienie", "Delay", f"{RUN}#9")
    store.append([PendingEvent("notification-2026-n1", 1, notice)])
    assert not counted("booking-b1", 1)
    deliver(stream_records())

    day = store.read("booking-b1")[0].at.astimezone(WARSAW).date()
    shown = dashboard(day, day)
    pushed = day_figures(day.isoformat(), RUN)
    assert counted("booking-b1", 1)
    assert {k: v for k, v in pushed.items() if k not in ("run", "failure_reasons")} == shown["days"][0]
    assert (
        pushed["failure_reasons"] == shown["failure_reasons"] == [{"reason": "PaymentDeclined", "count": 1}]
    )
    assert pushed["run"]["passenger_km"] == 2 * 616.0 and pushed["run"]["seat_km"] > 0

    inbox = InboxProjection()
    listed = inbox.inbox("ala", "en", consistent=True)
    assert inbox.notification("ala", "2026-n1", "en") == listed.notifications[0]
    assert (listed.unread, listed.notifications[0]["text"]) == (1, "Delay")
    store.append([PendingEvent("notification-2026-n1", 2, NotificationRead("2026-n1", "ala"))])
    deliver(stream_records())
    assert inbox.notification("ala", "2026-n1", "pl") == {
        **listed.notifications[0],
        "read": True,
        "text": "Opóźnienie",
    }
    assert inbox.inbox("ala", "pl", consistent=True).unread == 0
