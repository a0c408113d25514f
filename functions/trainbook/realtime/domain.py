"""Live updates, the pure rules: topics, who may subscribe to what, client requests, and event -> pushes.

A client subscribes to topics (`run:<run_id>`, `booking:<booking_id>`, `user`, `changes`, `analytics`)
and receives `{"topic", "type", "data", "at", "seq"}`. This module decides which topics an event
concerns and what each message says; the service looks subscribers up and posts. Every kind of
message is declared once in MESSAGE_KINDS, which the AsyncAPI document is built from.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trainbook.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingRequested,
    DelayCompensationPaid,
)
from trainbook.catalog.domain import WARSAW
from trainbook.catalog.events import (
    PlatformChanged,
    ScheduleChangeEvent,
    TrainDelayed,
    TrainRunAdded,
    TrainRunArrived,
    TrainRunCancelled,
    TrainRunRemoved,
    TrainRunRestored,
)
from trainbook.changes.events import NotificationRead, PassengerNotified
from trainbook.eventstore.events import RecordedEvent
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold
from trainbook.saga_progress import SagaStepEnded, SagaStepStarted

MAX_TOPICS_PER_CONNECTION = 50
MAX_TOPIC_LENGTH = 100
ANONYMOUS = "anonymous"
ADMIN = "admin"


class ProtocolError(Exception):
    """A client message the server answers with `{"type": "error", "error": {"code", "message"}}`."""

    def __init__(self, code: str, message: str, topic: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.topic = topic


@dataclass(frozen=True)
class Viewer:
    """Who holds a connection, as the $connect authorizer found them (anonymous without a token)."""

    user_id: str | None
    role: str = ANONYMOUS

    @property
    def signed_in(self) -> bool:
        return bool(self.user_id)


@dataclass(frozen=True)
class Subscriber:
    connection_id: str
    user_id: str | None  # who subscribed (None: anonymous)


@dataclass(frozen=True)
class FollowedTopic:
    """What the Topics table holds of a topic someone follows, as a batch's first read found it."""

    changes: int  # how many times its subscriptions changed
    seq: int  # the last `seq` number any broadcaster took for it


@dataclass(frozen=True)
class Topic:
    """A topic as the client names it (`name`) and as subscriptions are indexed (`route`)."""

    kind: str  # run, booking, user, changes, analytics
    key: str = ""  # run id, booking id, or the user's id for `user`

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.key}" if self.kind in ("run", "booking") else self.kind

    @property
    def route(self) -> str:
        # Every signed-in user has their own `user` topic: the index needs their id in the key.
        return f"user:{self.key}" if self.kind == "user" else self.name


def parse_topic(text: object, viewer: Viewer) -> Topic:
    """The topic a client asked for; ProtocolError(unknown_topic) when it names none."""
    if not isinstance(text, str) or not text or len(text) > MAX_TOPIC_LENGTH:
        raise ProtocolError("invalid_topic", f"a topic is a string of 1 to {MAX_TOPIC_LENGTH} characters")
    kind, separator, key = text.partition(":")
    if kind in ("run", "booking") and separator and key and key.isprintable() and " " not in key:
        return Topic(kind, key)
    if text in ("changes", "analytics"):
        return Topic(text)
    if text == "user":
        return Topic("user", viewer.user_id or "")
    raise ProtocolError(
        "unknown_topic",
        f"no topic {text!r}: topics are run:<run_id>, booking:<booking_id>, user, changes, analytics",
        text,
    )


def check_subscription(viewer: Viewer, topic: Topic, booking_owner: str | None) -> None:
    """Raise ProtocolError(forbidden) unless the viewer may see the topic.

    `booking_owner` is the owner of the booking a `booking:<id>` topic names, None while there is no
    such booking. A signed-in user may follow a booking before it exists (its id derives from the user
    and the request's Idempotency-Key, so a client knows it before it POSTs and misses no step): the
    broadcaster delivers a booking's messages only to subscribers who are its owner.
    """
    if topic.kind in ("run", "changes"):
        return
    if topic.kind == "user" and not viewer.signed_in:
        raise ProtocolError("forbidden", "sign in to follow your `user` topic (connect with ?token=)", "user")
    if topic.kind == "booking" and (
        not viewer.signed_in or (booking_owner is not None and booking_owner != viewer.user_id)
    ):
        raise ProtocolError("forbidden", "only the booking's owner may follow it", topic.name)
    if topic.kind == "analytics" and viewer.role != ADMIN:
        raise ProtocolError("forbidden", "the analytics topic is for admins", topic.name)


@dataclass(frozen=True)
class ClientRequest:
    action: str  # subscribe, unsubscribe, ping
    topic: object = None


ACTIONS = ("subscribe", "unsubscribe", "ping")


def parse_request(text: str | None) -> ClientRequest:
    """A client's message; ProtocolError(bad_json | unknown_action) for anything else."""
    try:
        body = json.loads(text or "")
    except ValueError:
        raise ProtocolError("bad_json", 'a message is a JSON object such as {"action": "ping"}') from None
    if not isinstance(body, dict):
        raise ProtocolError("bad_json", 'a message is a JSON object such as {"action": "ping"}')
    action = body.get("action")
    if action not in ACTIONS:
        raise ProtocolError(
            "unknown_action", f"unknown action {str(action)[:40]!r}: use {', '.join(ACTIONS)}"
        )
    return ClientRequest(str(action), body.get("topic"))


# ---- What the server pushes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """What a booking's first event says of it: whose it is and which legs of which run it covers."""

    booking_id: str
    user_id: str
    run_id: str
    origin: str
    destination: str
    first_leg: int
    end_leg: int

    @classmethod
    def of(cls, requested: BookingRequested) -> Journey:
        return cls(
            requested.booking_id,
            requested.user_id,
            requested.run_id,
            requested.origin,
            requested.destination,
            requested.first_leg,
            requested.end_leg,
        )


@dataclass(frozen=True)
class SeatMapReflects:
    """Push only once the seat-map read model shows this booking's entry at this version or later."""

    run_id: str
    booking_id: str
    version: int


@dataclass(frozen=True)
class SalesApplied:
    """Push the day's sales figures once the sales read model has counted this event."""

    stream: str
    version: int
    day: str


@dataclass(frozen=True)
class InboxShows:
    """Push only once the user's inbox read model shows this notification (and, if `read`, read)."""

    user_id: str
    notification_id: str
    read: bool = False


@dataclass(frozen=True)
class AnalyticsApplied:
    """Push the day's dashboard figures (and the run's load) once the analytics model has this event."""

    stream: str
    version: int
    day: str
    run_id: str


Wait = SeatMapReflects | SalesApplied | InboxShows | AnalyticsApplied


@dataclass(frozen=True)
class Push:
    """One message for every subscriber of `topic`, sent once `wait` (if any) holds."""

    topic: Topic
    type: str
    data: dict[str, Any]
    wait: Wait | None = None
    only_user: str | None = None  # deliver only to subscribers signed in as this user (booking topics)


def message(push: Push, at: datetime, seq: int) -> dict[str, Any]:
    return {"topic": push.topic.name, "type": push.type, "data": push.data, "at": iso_utc(at), "seq": seq}


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def needs_journey(recorded: RecordedEvent) -> str | None:
    """The booking whose Journey `pushes_for` needs to map this event, if any."""
    event = recorded.event
    if isinstance(event, SeatsHeld | SeatsSold | SeatsReleased | BookingConfirmed | BookingFailed):
        return event.booking_id
    if isinstance(event, BookingCancelled | DelayCompensationPaid | SagaStepStarted | SagaStepEnded):
        return event.booking_id
    return None


def topics_known_early(recorded: RecordedEvent) -> list[Topic] | None:
    """Every topic an event needing a Journey can go to, when its own fields tell (None: they do not).

    Lets the broadcaster skip the Journey lookup when nobody follows those topics: most saga progress
    and seat events have no watcher.
    """
    event = recorded.event
    if isinstance(event, SeatsHeld | SeatsSold | SeatsReleased):
        return [Topic("run", event.run_id)]
    if isinstance(event, SagaStepStarted | SagaStepEnded):
        return [Topic("booking", event.booking_id)]
    if isinstance(event, PassengerNotified | NotificationRead):
        return [Topic("user", event.user_id)]
    if isinstance(event, BookingRequested):
        return [Topic("user", event.user_id), Topic("analytics")]
    return None


def pushes_for(recorded: RecordedEvent, journey: Journey | None = None) -> list[Push]:
    """Every message an event makes, in the order they must go out."""
    event = recorded.event
    if isinstance(event, SeatsHeld | SeatsSold | SeatsReleased):
        if journey is None:
            return []
        kind = {SeatsHeld: "seats_held", SeatsSold: "seats_sold", SeatsReleased: "seats_released"}[
            type(event)
        ]
        first, end = (
            (event.first_leg, event.end_leg)
            if not isinstance(event, SeatsReleased)
            else (journey.first_leg, journey.end_leg)
        )
        data = {
            "run_id": event.run_id,
            "seats": list(event.seats),
            "first_leg": first,
            "end_leg": end,
            "from": journey.origin,
            "to": journey.destination,
        }
        wait = SeatMapReflects(event.run_id, event.booking_id, recorded.version)
        return [Push(Topic("run", event.run_id), kind, data, wait)]
    if isinstance(event, BookingRequested):
        return [
            _booking_status(event.user_id, event.booking_id, "REQUESTED", {}),
            _figures(recorded, event.run_id),
        ]
    if isinstance(event, BookingConfirmed | BookingFailed | BookingCancelled):
        if journey is None:
            return []
        pushes = []
        if isinstance(event, BookingConfirmed):
            pushes.append(_booking_status(journey.user_id, event.booking_id, "CONFIRMED", {}))
        elif isinstance(event, BookingFailed):
            pushes.append(
                _booking_status(journey.user_id, event.booking_id, "FAILED", {"reason": event.reason})
            )
        else:
            extra = {"refund_grosze": event.refund_grosze, "reason": event.reason}
            pushes.append(_booking_status(journey.user_id, event.booking_id, "CANCELLED", extra))
        if isinstance(event, BookingConfirmed | BookingCancelled):
            day = recorded.at.astimezone(WARSAW).date().isoformat()
            pushes.append(
                Push(
                    Topic("analytics"),
                    "sales",
                    {"day": day},
                    SalesApplied(recorded.stream, recorded.version, day),
                )
            )
        pushes.append(_figures(recorded, journey.run_id))
        return pushes
    if isinstance(event, DelayCompensationPaid):
        if journey is None:
            return []
        # Compensation leaves the booking CONFIRMED: the status update says what was paid back.
        paid = {
            "compensation_grosze": event.compensation_grosze,
            "delay_minutes": event.delay_minutes,
            "percent": event.percent,
        }
        status = _booking_status(journey.user_id, event.booking_id, "CONFIRMED", paid)
        return [
            status,
            Push(Topic("booking", event.booking_id), "status", status.data, only_user=journey.user_id),
            _figures(recorded, event.run_id),
        ]
    if isinstance(event, PassengerNotified):
        # The data is the inbox's view of the notice, read once the inbox shows it (see the broadcaster).
        shown = InboxShows(event.user_id, event.notification_id)
        return [Push(Topic("user", event.user_id), "notification", {"id": event.notification_id}, shown)]
    if isinstance(event, NotificationRead):
        read = InboxShows(event.user_id, event.notification_id, read=True)
        return [Push(Topic("user", event.user_id), "notification_read", {"id": event.notification_id}, read)]
    if isinstance(event, SagaStepStarted | SagaStepEnded):
        if journey is None:
            return []  # no owner known: nobody may see it
        pushes = (
            [Push(Topic("booking", event.booking_id), "step_started", {"step": event.step})]
            if isinstance(event, SagaStepStarted)
            else _step_ended(event)
        )
        return [dataclasses.replace(push, only_user=journey.user_id) for push in pushes]
    if isinstance(event, ScheduleChangeEvent):
        return _schedule_change(event)
    return []


def _figures(recorded: RecordedEvent, run_id: str) -> Push:
    """The analytics dashboard's figures of the day the event happened (Warsaw), as the model counted it."""
    day = recorded.at.astimezone(WARSAW).date().isoformat()
    wait = AnalyticsApplied(recorded.stream, recorded.version, day, run_id)
    return Push(Topic("analytics"), "figures", {"date": day}, wait)


def _booking_status(user_id: str, booking_id: str, status: str, extra: dict[str, Any]) -> Push:
    return Push(
        Topic("user", user_id), "booking_status", {"booking_id": booking_id, "status": status, **extra}
    )


# A saga ends when one of these steps succeeds: the booking's final status, with what it produced.
FINAL_STEPS = {"IssueTicket": "CONFIRMED", "MarkBookingFailed": "FAILED", "RecordCancellation": "CANCELLED"}


def _step_ended(event: SagaStepEnded) -> list[Push]:
    topic = Topic("booking", event.booking_id)
    data: dict[str, Any] = {"step": event.step, "outcome": event.outcome}
    if event.error:
        data["error"] = event.error
    pushes = [Push(topic, "step_ended", data)]
    if event.outcome == "succeeded" and event.step in FINAL_STEPS:
        final: dict[str, Any] = {"booking_id": event.booking_id, "status": FINAL_STEPS[event.step]}
        for key in ("ticket_number", "reason", "refund_grosze"):
            if key in event.result:
                final[key] = event.result[key]
        pushes.append(Push(topic, "status", final))
    return pushes


CHANGE_KINDS: dict[type[ScheduleChangeEvent], tuple[str, str | None]] = {
    TrainDelayed: ("delay", "train_delayed"),
    PlatformChanged: ("platform_change", "platform_changed"),
    TrainRunCancelled: ("cancellation", "run_cancelled"),
    TrainRunAdded: ("new_service", None),
    TrainRunRemoved: ("removed_service", "run_cancelled"),
    TrainRunRestored: ("restore", "run_restored"),
    TrainRunArrived: ("arrival", "run_arrived"),
}


def _schedule_change(event: ScheduleChangeEvent) -> list[Push]:
    kind, run_type = CHANGE_KINDS.get(type(event), ("change", None))
    fields = {k: v for k, v in dataclasses.asdict(event).items() if k not in ("source", "change_id")}
    pushes = []
    if run_type is not None:
        pushes.append(Push(Topic("run", event.run_id), run_type, fields))
    pushes.append(Push(Topic("changes"), "schedule_change", {"kind": kind, **fields}))
    return pushes


# ---- The contract, for the AsyncAPI document and the tests ----------------------------------------

TOPICS: dict[str, str] = {
    "run:{run_id}": "A train run, public: seats held, sold and released (with their legs), delays, "
    "platform changes, cancellation, restoration and arrival.",
    "booking:{booking_id}": "One booking, its owner only: each saga step as it starts and ends, "
    "then the final status.",
    "user": "The signed-in user: the status of every one of their bookings (compensation paid included), "
    "each new notification as `GET /me/notifications` shows it, and the unread count.",
    "changes": "Public: every schedule change as it is recorded.",
    "analytics": "Admins only: the dashboard's figures as they change (the day's sales, and the day's "
    "figures and the run's load as `GET /admin/analytics?from=D&to=D` gives them).",
}

_SEATS = {
    "run_id": {"type": "string"},
    "seats": {"type": "array", "items": {"type": "string", "examples": ["05-021"]}},
    "first_leg": {"type": "integer", "description": "index of the first leg of the run the seats cover"},
    "end_leg": {"type": "integer", "description": "index of the leg after the last one (exclusive)"},
    "from": {"type": "string", "description": "station code where the journey starts"},
    "to": {"type": "string", "description": "station code where the journey ends"},
}
_CHANGE = {
    "run_id": {"type": "string"},
    "train": {"type": "string"},
    "day": {"type": "string", "format": "date"},
    "label": {"type": "string"},
    "observed_at": {"type": "string"},
    "station": {"type": "string"},
    "minutes": {"type": "integer"},
    "previous_minutes": {"type": "integer"},
    "platform": {"type": "string"},
    "track": {"type": ["string", "null"]},
    "previous_platform": {"type": ["string", "null"]},
    "previous_track": {"type": ["string", "null"]},
    "from_station": {"type": ["string", "null"], "description": "a cancellation from this station on"},
    "reason": {"type": "string", "description": "what the operator said"},
}
_STATUS = {
    "booking_id": {"type": "string"},
    "status": {"type": "string", "enum": ["REQUESTED", "CONFIRMED", "FAILED", "CANCELLED"]},
    "reason": {"type": "string"},
    "ticket_number": {"type": "string"},
    "refund_grosze": {"type": "integer"},
    "compensation_grosze": {"type": "integer", "description": "paid back for a late arrival"},
    "delay_minutes": {"type": "integer", "description": "the arrival delay compensated"},
    "percent": {"type": "integer", "enum": [25, 50]},
}
_NOTIFICATION = {
    "id": {"type": "string"},
    "kind": {"type": "string", "enum": ["delay", "platform", "cancel", "compensation"]},
    "booking_id": {"type": "string"},
    "run_id": {"type": "string"},
    "text": {"type": "string", "description": "in the account's language"},
    "texts": {
        "type": "object",
        "properties": {"pl": {"type": "string"}, "en": {"type": "string"}},
        "required": ["pl", "en"],
    },
    "at": {"type": "string", "format": "date-time"},
    "read": {"type": "boolean"},
}
_UNREAD = {"type": "integer", "minimum": 0, "description": "the user's unread notifications now"}
_MONEY = {
    name: {"type": "integer"}
    for name in ("gross_grosze", "refunds_grosze", "compensation_grosze", "net_grosze")
}
_FIGURES = {
    "date": {"type": "string", "format": "date"},
    **{name: {"type": "integer"} for name in ("requested", "confirmed", "failed", "cancelled", "seats_sold")},
    "revenue": {"type": "object", "properties": _MONEY, "required": list(_MONEY)},
    "passenger_km": {"type": "number"},
    "failure_reasons": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"reason": {"type": "string"}, "count": {"type": "integer"}},
            "required": ["reason", "count"],
        },
    },
    "run": {
        "type": "object",
        "description": "the load of the booking's run, as in `load_factors.runs`",
        "properties": {
            "run_id": {"type": "string"},
            "train": {"type": ["string", "null"]},
            "date": {"type": "string", "format": "date"},
            "passenger_km": {"type": "number"},
            "seat_km": {"type": "number"},
            "load_factor": {"type": "number"},
        },
        "required": ["run_id", "passenger_km", "seat_km", "load_factor"],
    },
}

# topic kind -> message type -> (summary, properties of `data`, required properties)
MESSAGE_KINDS: dict[str, dict[str, tuple[str, dict[str, Any], list[str]]]] = {
    "run": {
        "seats_held": ("Seats were held for a journey (taken until sold or released).", _SEATS, list(_SEATS)),
        "seats_sold": ("Held seats were sold.", _SEATS, list(_SEATS)),
        "seats_released": ("Seats were released (payment failed, booking cancelled).", _SEATS, list(_SEATS)),
        "train_delayed": ("The run is late at a station.", _CHANGE, ["run_id", "station", "minutes"]),
        "platform_changed": (
            "The run's platform changed at a station.",
            _CHANGE,
            ["run_id", "station", "platform"],
        ),
        "run_cancelled": ("The run was cancelled or removed from the timetable.", _CHANGE, ["run_id"]),
        "run_restored": ("A cancellation was undone: the run is on sale again.", _CHANGE, ["run_id"]),
        "run_arrived": ("The run reached its terminus (delay compensation follows).", _CHANGE, ["run_id"]),
    },
    "booking": {
        "step_started": ("A saga step started.", {"step": {"type": "string"}}, ["step"]),
        "step_ended": (
            "A saga step ended.",
            {
                "step": {"type": "string"},
                "outcome": {"type": "string", "enum": ["succeeded", "failed"]},
                "error": {"type": "string"},
            },
            ["step", "outcome"],
        ),
        "status": (
            "The saga ended: the booking's final status; or compensation for a late arrival was paid.",
            _STATUS,
            ["booking_id", "status"],
        ),
    },
    "user": {
        "booking_status": (
            "One of the user's bookings changed status, or was compensated for a late arrival.",
            _STATUS,
            ["booking_id", "status"],
        ),
        "notification": (
            "A new notification, once `GET /me/notifications` shows it.",
            {
                "notification": {
                    "type": "object",
                    "properties": _NOTIFICATION,
                    "required": list(_NOTIFICATION),
                },
                "unread": _UNREAD,
            },
            ["notification", "unread"],
        ),
        "notification_read": (
            "A notification was marked read.",
            {"id": {"type": "string"}, "unread": _UNREAD},
            ["id", "unread"],
        ),
    },
    "changes": {
        "schedule_change": (
            "A schedule change was recorded.",
            {"kind": {"type": "string", "enum": sorted({k for k, _ in CHANGE_KINDS.values()})}, **_CHANGE},
            ["kind", "run_id"],
        ),
    },
    "analytics": {
        "sales": (
            "A day's sales figures changed.",
            {
                "day": {"type": "string", "format": "date"},
                "bookings_confirmed": {"type": "integer"},
                "seats_sold": {"type": "integer"},
                "revenue_grosze": {"type": "integer"},
                "bookings_cancelled": {"type": "integer"},
                "refunds_grosze": {"type": "integer"},
            },
            ["day", "bookings_confirmed", "seats_sold", "revenue_grosze"],
        ),
        "figures": (
            "A figure of the dashboard changed: the day's figures (the `days` entry of "
            "`GET /admin/analytics?from=D&to=D`), its failure reasons, and the run's load.",
            _FIGURES,
            [
                "date",
                "requested",
                "confirmed",
                "failed",
                "cancelled",
                "seats_sold",
                "revenue",
                "passenger_km",
            ],
        ),
    },
}

REPLY_KINDS = ("subscribed", "unsubscribed", "pong", "error")
ERROR_CODES = ("bad_json", "unknown_action", "invalid_topic", "unknown_topic", "forbidden", "too_many_topics")
