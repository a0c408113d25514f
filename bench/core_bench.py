"""Core engine benchmark: DynamoDB requests per operation and operations per second, on moto in-process.

Requests are counted with botocore `before-call` event hooks on every client the engine uses, so
the figures are what a Lambda would send to DynamoDB. Prints a table; asserts nothing.
Run: `.venv/bin/python -m bench.core_bench [--bookings 200]`.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.template_tables import TABLE_VARIABLES, create_tables

# Before any trainbook import: PynamoDB models read their table names from the environment.
for name, value in {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-central-1",
}.items():
    os.environ.setdefault(name, value)
for variable, logical_id in TABLE_VARIABLES.items():
    os.environ.setdefault(variable, f"bench-{logical_id}")

from moto import mock_aws  # noqa: E402

from timetable_file import location, reading  # noqa: E402
from trainbook.analytics.api import dashboard  # noqa: E402
from trainbook.analytics.store import SearchCount  # noqa: E402
from trainbook.booking.domain import is_booking_stream  # noqa: E402
from trainbook.booking.pricing import PassengerRequest  # noqa: E402
from trainbook.booking.service import BookingService  # noqa: E402
from trainbook.catalog.runs import TrainRuns, today_in_poland  # noqa: E402
from trainbook.catalog.timetable import SalesWindow  # noqa: E402
from trainbook.eventstore.store import EventRecord, EventStore, transactions  # noqa: E402
from trainbook.inventory.store import DynamoInventory  # noqa: E402
from trainbook.projections.search_index import SearchIndexProjection  # noqa: E402
from trainbook.projections.wiring import read_models  # noqa: E402

DAY = today_in_poland() + timedelta(days=1)


class RequestCounter:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.counts[model.name] += 1

    def measure(self, action: Callable[[], object]) -> Counter[str]:
        self.counts.clear()
        action()
        return Counter(self.counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()
    with mock_aws():
        create_tables({logical: os.environ[v] for v, logical in TABLE_VARIABLES.items()})
        run(args.bookings)


def run(bookings: int) -> None:
    store = EventStore()
    inventory = DynamoInventory(store)
    runs = TrainRuns(store)
    timetable = reading.read(location.shipped_timetable_path())
    started = time.perf_counter()
    opened = runs.publish(timetable, [DAY])
    publish_seconds = time.perf_counter() - started
    models = read_models(store)
    for recorded in store.all_events():
        for model in models.values():
            model.apply(recorded)

    counter = RequestCounter()
    counter.attach(inventory.client)
    counter.attach(transactions().client)
    for model in (EventRecord, SearchCount, *(m.model for m in models.values())):
        counter.attach(model._get_connection().connection.client)

    commands = BookingService(
        store, runs, inventory, lambda: SalesWindow(today_in_poland()), lambda: datetime.now(UTC)
    )
    run_id = next(r.id for r in timetable.runs_between("KRK", "GDG", DAY) if r.composition.code == "ED250")
    run = runs.get(run_id)
    seats = [(ref.car, ref.seat) for ref in run.composition.seats() if ref.travel_class == 2]
    passengers = [PassengerRequest("Ala Kowalska", "U51"), PassengerRequest("Jan Kowalski")]

    rows: list[tuple[str, Counter[str], float]] = []

    def timed(label: str, action: Callable[[int], object], n: int) -> None:
        requests: Counter[str] = Counter()
        begin = time.perf_counter()
        for i in range(n):
            requests += counter.measure(lambda i=i: action(i))  # type: ignore[misc]
        elapsed = time.perf_counter() - begin
        rows.append((label, Counter({k: v / n for k, v in requests.items()}), n / elapsed))

    pairs = [seats[2 * i : 2 * i + 2] for i in range(bookings)]
    timed(
        "request booking",
        lambda i: commands.request(f"b{i}", "ala", run_id, "KRK", "GDG", pairs[i], passengers),
        bookings,
    )
    timed("hold 2 seats", lambda i: commands.hold_seats(f"b{i}"), bookings)
    timed("confirm (sell + BookingConfirmed)", lambda i: commands.confirm(f"b{i}"), bookings // 2)
    timed("release", lambda i: commands.release_seats(f"b{bookings // 2 + i}", "bench"), bookings // 2)
    booking_events = [e for e in store.all_events() if is_booking_stream(e.stream)]
    for name, model in models.items():
        # Every event of every booking goes through every projector; shown per booking.
        requests = counter.measure(lambda m=model: [m.apply(e) for e in booking_events])
        rows.append(
            (
                f"project a booking's events: {name}",
                Counter({k: v / bookings for k, v in requests.items()}),
                0.0,
            )
        )
    search = SearchIndexProjection()
    now = int(time.time())
    timed("search KRK -> GDG (one day)", lambda i: search.search("KRK", "GDG", DAY, now), 100)
    timed("analytics dashboard, 31 days", lambda i: dashboard(DAY - timedelta(days=30), DAY), 20)

    print(f"timetable: {opened} runs opened for {DAY} in {publish_seconds:.2f} s")
    print(f"{'operation':44} {'DynamoDB requests per operation':52} {'ops/s':>8}")
    for label, requests, rate in rows:
        detail = ", ".join(f"{k} {v:g}" for k, v in sorted(requests.items())) or "-"
        print(f"{label:44} {detail:52} {rate:8.1f}" if rate else f"{label:44} {detail:52} {'':>8}")


if __name__ == "__main__":
    main()
