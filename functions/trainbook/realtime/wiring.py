"""Builds the live-update services on their adapters, once per warm Lambda container."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from functools import cache
from typing import Any

from trainbook.accounts.wiring import language_of
from trainbook.analytics import figures as analytics
from trainbook.analytics import sales
from trainbook.booking.requests import booking_request
from trainbook.changes.inbox import InboxProjection
from trainbook.projections import seat_map, seat_map_queries
from trainbook.realtime import store
from trainbook.realtime.domain import Journey
from trainbook.realtime.service import Broadcaster, LiveConnections
from trainbook.realtime.store import ConnectionPoster, DynamoConnections

_JOURNEYS: dict[str, Journey] = {}


def journey(booking_id: str) -> Journey | None:
    """A booking's Journey; kept per warm container (a request never changes; a miss is not kept)."""
    if booking_id not in _JOURNEYS:
        requested = booking_request(booking_id)
        if requested is None:
            return None
        if len(_JOURNEYS) >= 50_000:
            _JOURNEYS.clear()
        _JOURNEYS[booking_id] = Journey.of(requested)
    return _JOURNEYS[booking_id]


def remember_journey(known: Journey) -> None:
    """Keep a Journey learnt from a delivered BookingRequested: the lookup it saves would read that event."""
    if len(_JOURNEYS) >= 50_000:
        _JOURNEYS.clear()
    _JOURNEYS[known.booking_id] = known


class ProjectedReadModels:
    """The read models clients re-read after a push: seat map, sales, inbox, analytics."""

    def seat_map_versions(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        return seat_map.reflected_versions(wanted)

    def sales_counted(self, stream: str, version: int) -> bool:
        return sales.counted(stream, version)

    def sales_figures(self, day: str) -> dict[str, Any]:
        return dataclasses.asdict(sales.SalesProjection().day(day))

    def notification(self, user_id: str, notification_id: str) -> dict[str, Any] | None:
        return InboxProjection().notification(user_id, notification_id, language_of(user_id))

    def unread(self, user_id: str) -> int:
        return InboxProjection().inbox(user_id, "pl", consistent=True).unread

    def analytics_counted(self, stream: str, version: int) -> bool:
        return analytics.counted(stream, version)

    def analytics_figures(self, day: str, run_id: str) -> dict[str, Any]:
        return analytics.day_figures(day, run_id)


@cache
def poster() -> ConnectionPoster:
    return ConnectionPoster(parallel=int(os.environ.get("POST_PARALLELISM", "32")))


@cache
def live_connections() -> LiveConnections:
    return LiveConnections(DynamoConnections(), poster(), journey)


@cache
def broadcaster() -> Broadcaster:
    # With the container, not in the first batch someone follows (docs/benchmarks.md).
    store.connect()
    seat_map_queries.connect()
    return Broadcaster(
        DynamoConnections(),
        poster(),
        journey,
        ProjectedReadModels(),
        wait_seconds=float(os.environ.get("READ_MODEL_WAIT_SECONDS", "5")),
        remember=remember_journey,
    )
