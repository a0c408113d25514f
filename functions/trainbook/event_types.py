"""Where event types are defined, by import path: the leaf registry the event store resolves names through.

It imports nothing. A reader that meets a type name it has not registered yet imports these modules by
path (as pyeventsourcing resolves a topic) and looks again, so a projector that never imported the
changes context still decodes a change event, and no context package depends on another through here.
A new module that defines events is added here (a test fails if one is missing).
"""

from __future__ import annotations

EVENT_MODULES: tuple[str, ...] = (
    "trainbook.accounts.events",
    "trainbook.booking.events",
    "trainbook.catalog.events",
    "trainbook.changes.events",
    "trainbook.inventory.events",
    "trainbook.saga_progress",
)
