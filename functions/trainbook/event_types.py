"""Every module that defines events: importing this registers every event type the system writes.

The event store imports it before it gives up on a type name, so any reader (a projector, replay, the
API) can decode every event, whichever context wrote it. A new events module is added here.
"""

from __future__ import annotations

import trainbook.accounts.events
import trainbook.booking.events
import trainbook.booking.progress
import trainbook.catalog.events
import trainbook.changes.events
import trainbook.inventory.events  # noqa: F401
