"""Object wiring of the tickets context: the issuer on the event store, Tickets table and signing key."""

from __future__ import annotations

from datetime import UTC, datetime

from trainbook.eventstore.store import EventStore
from trainbook.tickets import keys
from trainbook.tickets.service import TicketIssuer
from trainbook.tickets.store import DynamoTicketStore


def issuer() -> TicketIssuer:
    return TicketIssuer(
        events=EventStore(), store=DynamoTicketStore(), key=keys.signing_key, clock=lambda: datetime.now(UTC)
    )
