"""The routers the API serves, one per bounded context (each lives in its context's `api` module)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from trainbook.accounts.api import router as accounts
from trainbook.analytics.api import router as analytics
from trainbook.booking.api import router as bookings
from trainbook.catalog.api import router as catalog
from trainbook.changes.api import router as changes
from trainbook.payments.api import router as payments
from trainbook.projections.api import router as read_models
from trainbook.realtime.api import router as realtime
from trainbook.tickets.api import router as tickets

ROUTERS: list[Router] = [
    catalog,
    read_models,
    accounts,
    bookings,
    tickets,
    analytics,
    payments,
    realtime,
    changes,
]
