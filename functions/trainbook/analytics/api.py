"""Administrator routes: sales per day (bookings, seats, revenue, cancellations, refunds)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from trainbook.api.identity import identity_of, require_admin
from trainbook.catalog.runs import today_in_poland
from trainbook.projections.sales import SalesProjection

router = Router()


@router.get("/admin/sales", summary="Sales on one day (administrators only)")
def sales(day: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    require_admin(identity_of(router.current_event.raw_event.get("requestContext") or {}))
    return asdict(SalesProjection().day((day or today_in_poland()).isoformat()))
