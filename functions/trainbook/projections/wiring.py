"""Every read model by name: what the stream handlers run and `trainbook replay` rebuilds."""

from __future__ import annotations

from trainbook.analytics.figures import AnalyticsProjection
from trainbook.analytics.sales import SalesProjection
from trainbook.booking.user_bookings import UserBookingsProjection
from trainbook.changes.change_log import ChangeLogProjection
from trainbook.changes.inbox import InboxProjection
from trainbook.changes.run_bookings import RunBookingsProjection
from trainbook.eventstore.events import EventLog
from trainbook.projections.domain import Projection
from trainbook.projections.search_index import SearchIndexProjection
from trainbook.projections.seat_map import SeatMapProjection


def read_models(events: EventLog) -> dict[str, Projection]:
    seat_map = SeatMapProjection()
    models: list[Projection] = [
        SearchIndexProjection(seat_map),
        seat_map,
        UserBookingsProjection(events),
        SalesProjection(),
        RunBookingsProjection(events),
        ChangeLogProjection(),
        InboxProjection(),
        AnalyticsProjection(events),
    ]
    return {m.name: m for m in models}
