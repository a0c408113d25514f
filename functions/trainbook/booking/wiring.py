"""Builds the booking service on their DynamoDB adapters, once per warm Lambda container."""

from __future__ import annotations

from functools import cache

from trainbook.booking.service import BookingService
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.wiring import sales_window
from trainbook.eventstore.events import utc_now
from trainbook.eventstore.store import EventStore
from trainbook.inventory.store import DynamoInventory


@cache
def booking_service() -> BookingService:
    events = EventStore()
    return BookingService(
        events=events,
        runs=TrainRuns(events),
        inventory=DynamoInventory(events),
        window=sales_window,
        clock=utc_now,
    )
