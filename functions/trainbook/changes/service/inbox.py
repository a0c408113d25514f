"""Use case of the inbox: a passenger reads a notice, recorded once on the notice's stream."""

from __future__ import annotations

from contextlib import suppress

from trainbook.changes.domain import notification_stream
from trainbook.changes.events import NotificationRead
from trainbook.eventstore.events import ConcurrencyConflict, EventLog, Meta, PendingEvent


def mark_notification_read(events: EventLog, user_id: str, notification_id: str) -> None:
    """Append `NotificationRead` as the notice's version 2; reading it again changes nothing."""
    event = NotificationRead(notification_id, user_id)
    with suppress(ConcurrencyConflict):  # read already
        events.append(
            [PendingEvent(notification_stream(notification_id), 2, event, Meta(actor=f"user:{user_id}"))]
        )
