"""Routes of the changes context: operators record schedule changes; everyone reads them; passengers read
their notices.

`POST /admin/runs/{run_id}/changes` (admins) records one change and answers 201 with it; bad input is a 4xx
that records nothing. `POST /admin/runs/{run_id}/arrival` and `POST /admin/days/{date}/close` record arrivals,
which settle delay compensation. `GET /changes?date=` is public. `GET /me/notifications` and
`POST /me/notifications/{id}/read` are the caller's inbox.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from trainbook.accounts.wiring import language_of
from trainbook.catalog.runs import today_in_poland
from trainbook.changes.change_log import ChangeLogProjection, change_view
from trainbook.changes.inbox import InboxProjection, mark_read
from trainbook.changes.run_bookings import RunBookingsProjection
from trainbook.changes.service.admin import ChangeRequest, record_arrival, record_operator_change
from trainbook.changes.service.inbox import mark_notification_read
from trainbook.errors import Conflict, NotFound
from trainbook.eventstore.events import format_instant, utc_now
from trainbook.eventstore.store import EventStore
from trainbook.web.identity import Identity, identity_of, require_admin

router = Router()

Station = Annotated[str, Field(min_length=2, max_length=5, examples=["WAW"])]
Reason = Annotated[str, Field(max_length=200)]


class ChangeIn(BaseModel):
    """One change: `delay` (station, minutes; 0 clears), `platform` (station, platform, track), `cancel`
    (from_station null for the whole run), `restore` (undo a cancellation before departure)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["delay", "platform", "cancel", "restore"]
    station: Station | None = None
    minutes: int | None = Field(default=None, ge=0, le=1440)
    platform: str | None = Field(default=None, min_length=1, max_length=8, examples=["IV"])
    track: str | None = Field(default=None, min_length=1, max_length=8, examples=["2"])
    from_station: Station | None = None
    reason: Reason = ""


class NotificationsView(BaseModel):
    unread: int
    notifications: list[dict[str, Any]]


def _caller() -> Identity:
    return identity_of(router.current_event.raw_event.get("requestContext") or {})


def _created(body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@router.post(
    "/admin/runs/<run_id>/changes",
    status_code=201,
    summary="Record a schedule change of a run (administrators)",
)
def record_change(run_id: Annotated[str, Path(max_length=40)], body: ChangeIn) -> Response[dict[str, Any]]:
    admin = require_admin(_caller())
    request = ChangeRequest(
        kind=body.kind,
        station=body.station,
        minutes=body.minutes,
        platform=body.platform,
        track=body.track,
        from_station=body.from_station,
        reason=body.reason,
    )
    recorded = record_operator_change(
        EventStore(), run_id, request, utc_now(), actor=f"admin:{admin.user_id}"
    )
    return _created(change_view(recorded))


@router.post(
    "/admin/runs/<run_id>/arrival",
    status_code=201,
    summary="Record that a run reached its terminus (administrators)",
)
def record_run_arrival(run_id: Annotated[str, Path(max_length=40)]) -> Response[dict[str, Any]]:
    admin = require_admin(_caller())
    recorded = record_arrival(EventStore(), run_id, utc_now(), actor=f"admin:{admin.user_id}")
    if recorded is None:
        raise Conflict(f"{run_id} has arrived already or is cancelled")
    return _created(change_view(recorded))


@router.post("/admin/days/<day>/close", summary="Close a day: every run of it with bookings has arrived")
def close_day(day: Annotated[date, Path()]) -> dict[str, Any]:
    admin = require_admin(_caller())
    if day > today_in_poland():
        raise Conflict(f"{day.isoformat()} has not come yet: only a past or current day can be closed")
    events = EventStore()
    arrived = []
    for run_id in RunBookingsProjection(events).runs_on(day.isoformat()):
        if record_arrival(events, run_id, utc_now(), actor=f"admin:{admin.user_id}") is not None:
            arrived.append(run_id)
    return {"date": day.isoformat(), "arrived": arrived}


@router.get("/changes", summary="Schedule changes of a day's runs, newest first")
def list_changes(day: Annotated[date, Query(alias="date")]) -> list[dict[str, Any]]:
    return ChangeLogProjection().on(day.isoformat())


@router.get("/me/notifications", summary="The caller's notifications, newest first, with the unread count")
def notifications() -> NotificationsView:
    caller = _caller()
    inbox = InboxProjection().inbox(caller.user_id, language_of(caller.user_id))
    return NotificationsView(unread=inbox.unread, notifications=inbox.notifications)


@router.post(
    "/me/notifications/<notification_id>/read", summary="Mark one of the caller's notifications read"
)
def read_notification(notification_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    caller = _caller()
    if not InboxProjection().find(caller.user_id, notification_id):
        raise NotFound(f"no notification {notification_id}")
    mark_notification_read(EventStore(), caller.user_id, notification_id)
    mark_read(
        caller.user_id, notification_id
    )  # the projector does the same; written here to read it back now
    return {"id": notification_id, "read": True, "at": format_instant(utc_now())}
