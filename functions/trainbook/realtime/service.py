"""Live updates, the use cases: a connection's life and requests, and broadcasting an event to its topics."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from trainbook.booking.events import BookingRequested
from trainbook.eventstore.events import RecordedEvent
from trainbook.realtime.domain import (
    MAX_TOPICS_PER_CONNECTION,
    AnalyticsApplied,
    InboxShows,
    Journey,
    ProtocolError,
    Push,
    SalesApplied,
    SeatMapReflects,
    Subscriber,
    Viewer,
    check_subscription,
    message,
    needs_journey,
    parse_request,
    parse_topic,
    pushes_for,
    topics_known_early,
)

GONE = "gone"


class ConnectionRegistry(Protocol):
    def connect(self, connection_id: str, viewer: Viewer) -> None: ...
    def subscribe(self, connection_id: str, viewer: Viewer, route: str, limit: int) -> None: ...
    def unsubscribe(self, connection_id: str, route: str) -> None: ...
    def disconnect(self, connection_id: str) -> None: ...
    def subscribers(self, route: str) -> list[Subscriber]: ...
    def followed(self, routes: Iterable[str]) -> set[str]: ...
    def next_seq(self, route: str) -> int: ...


class Poster(Protocol):
    def post(self, connection_id: str, body: dict[str, Any]) -> str: ...
    def post_all(self, connection_ids: Iterable[str], body: dict[str, Any]) -> dict[str, str]: ...


class ReadModels(Protocol):
    """What the broadcaster asks the read models before it tells clients something they will re-read."""

    def seat_map_version(self, run_id: str, booking_id: str) -> int: ...
    def sales_counted(self, stream: str, version: int) -> bool: ...
    def sales_figures(self, day: str) -> dict[str, Any]: ...
    def notification(self, user_id: str, notification_id: str) -> dict[str, Any] | None: ...
    def unread(self, user_id: str) -> int: ...
    def analytics_counted(self, stream: str, version: int) -> bool: ...
    def analytics_figures(self, day: str, run_id: str) -> dict[str, Any]: ...


class ReadModelBehind(Exception):
    """A read model has not caught up within the wait: the record fails and the stream redelivers it."""


class LiveConnections:
    """$connect, $disconnect and the client's messages (subscribe, unsubscribe, ping)."""

    def __init__(
        self, registry: ConnectionRegistry, poster: Poster, journeys: Callable[[str], Journey | None]
    ) -> None:
        self.registry = registry
        self.poster = poster
        self.journeys = journeys

    def connect(self, connection_id: str, viewer: Viewer) -> None:
        self.registry.connect(connection_id, viewer)

    def disconnect(self, connection_id: str) -> None:
        self.registry.disconnect(connection_id)

    def receive(self, connection_id: str, viewer: Viewer, text: str | None) -> dict[str, Any]:
        """Answer one client message on its connection; a bad one gets an error, never a close."""
        try:
            reply = self._answer(connection_id, viewer, text)
        except ProtocolError as error:
            reply = {"type": "error", "error": {"code": error.code, "message": error.message}}
            if error.topic is not None:
                reply["topic"] = error.topic
        self.poster.post(connection_id, reply)
        return reply

    def _answer(self, connection_id: str, viewer: Viewer, text: str | None) -> dict[str, Any]:
        request = parse_request(text)
        if request.action == "ping":
            return {"type": "pong"}
        topic = parse_topic(request.topic, viewer)
        if request.action == "unsubscribe":
            self.registry.unsubscribe(connection_id, topic.route)
            return {"type": "unsubscribed", "topic": topic.name}
        owner = None
        if topic.kind == "booking" and viewer.signed_in:
            journey = self.journeys(topic.key)
            owner = journey.user_id if journey else None
        check_subscription(viewer, topic, owner)
        self.registry.subscribe(connection_id, viewer, topic.route, MAX_TOPICS_PER_CONNECTION)
        return {"type": "subscribed", "topic": topic.name}


@dataclass
class Delivery:
    """What one event's broadcast did, for logs and tests."""

    messages: int = 0
    sent: int = 0
    gone: list[str] = field(default_factory=list)
    failed: int = 0


class Broadcaster:
    """Maps an event to its topics' messages and posts each to the topic's subscribers."""

    def __init__(
        self,
        registry: ConnectionRegistry,
        poster: Poster,
        journeys: Callable[[str], Journey | None],
        read_models: ReadModels,
        wait_seconds: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        remember: Callable[[Journey], None] = lambda _journey: None,
    ) -> None:
        self.registry = registry
        self.poster = poster
        self.journeys = journeys
        self.remember = remember
        self.read_models = read_models
        self.wait_seconds = wait_seconds
        self.sleep = sleep
        self.clock = clock
        self._unfollowed: set[str] = set()

    def expect(self, batch: Iterable[RecordedEvent]) -> None:
        """Learn, with one read, which topics this batch's events go to have followers at all.

        Most events (saga progress, seats and bookings nobody watches) then cost no further request. A
        booking's request teaches its Journey (a request never changes), so the events after it that
        need the Journey to name their topics cost no lookup either.
        """
        events = list(batch)
        for recorded in events:
            if isinstance(recorded.event, BookingRequested):
                self.remember(Journey.of(recorded.event))
        routes = {route for recorded in events for route in self._routes(recorded)}
        self._unfollowed = routes - self.registry.followed(routes)

    def _routes(self, recorded: RecordedEvent) -> list[str]:
        """The topics `recorded` goes to, as far as can be told now (a failed lookup tells none)."""
        early = topics_known_early(recorded)
        if early is not None:
            return [topic.route for topic in early]
        try:
            booking_id = needs_journey(recorded)
            journey = self.journeys(booking_id) if booking_id else None
            return [push.topic.route for push in pushes_for(recorded, journey)]
        except Exception:  # publishing the event looks its topics' subscribers up, as without this
            return []

    def publish(self, recorded: RecordedEvent) -> Delivery:
        delivery = Delivery()
        found: dict[str, list[Subscriber]] = {}

        def subscribers_of(route: str) -> list[Subscriber]:
            if route not in found:
                found[route] = self.registry.subscribers(route)
            return found[route]

        early = topics_known_early(recorded)
        if early is not None:
            early = [topic for topic in early if topic.route not in self._unfollowed]
            if not any(subscribers_of(topic.route) for topic in early):
                return delivery  # nobody follows it: no lookup, no wait, no sequence number
        booking_id = needs_journey(recorded)
        journey = self.journeys(booking_id) if booking_id else None
        for push in pushes_for(recorded, journey):
            if push.topic.route in self._unfollowed:
                continue  # nobody followed it when the batch began
            subscribers = [
                s.connection_id
                for s in subscribers_of(push.topic.route)
                if push.only_user is None or s.user_id == push.only_user
            ]
            if not subscribers:
                continue  # nobody listens: no wait, no sequence number
            data = self._when_readable(push)
            body = message(push, recorded.at, self.registry.next_seq(push.topic.route))
            body["data"] = data
            outcomes = self.poster.post_all(subscribers, body)
            delivery.messages += 1
            for connection_id, outcome in outcomes.items():
                if outcome == GONE:
                    # Exactly the connection that answered Gone; never the sender or anyone else.
                    self.registry.disconnect(connection_id)
                    delivery.gone.append(connection_id)
                elif outcome == "sent":
                    delivery.sent += 1
                else:
                    delivery.failed += 1
        return delivery

    def _when_readable(self, push: Push) -> dict[str, Any]:
        """The push's data once a client can read what it says (see docs/decisions.md)."""
        wait = push.wait
        if isinstance(wait, SeatMapReflects):
            self._await(
                lambda: self.read_models.seat_map_version(wait.run_id, wait.booking_id) >= wait.version
            )
        elif isinstance(wait, SalesApplied):
            self._await(lambda: self.read_models.sales_counted(wait.stream, wait.version))
            return self.read_models.sales_figures(wait.day)
        elif isinstance(wait, InboxShows):
            shown: dict[str, Any] = {}

            def inbox_shows() -> bool:
                found = self.read_models.notification(wait.user_id, wait.notification_id)
                if found is None or (wait.read and not found["read"]):
                    return False
                shown.update(found)
                return True

            self._await(inbox_shows)
            unread = self.read_models.unread(wait.user_id)
            if wait.read:
                return {"id": wait.notification_id, "unread": unread}
            return {"notification": shown, "unread": unread}
        elif isinstance(wait, AnalyticsApplied):
            self._await(lambda: self.read_models.analytics_counted(wait.stream, wait.version))
            return self.read_models.analytics_figures(wait.day, wait.run_id)
        return push.data

    def _await(self, condition: Callable[[], bool]) -> None:
        deadline = self.clock() + self.wait_seconds
        pause = 0.01
        while not condition():
            if self.clock() >= deadline:
                raise ReadModelBehind("the read model has not caught up; the record will be redelivered")
            self.sleep(pause)
            pause = min(pause * 2, 0.1)
