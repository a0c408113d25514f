"""Live updates, the use cases: a connection's life and requests, and broadcasting an event to its topics."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from trainbook.booking.events import BookingRequested
from trainbook.eventstore.events import RecordedEvent
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold
from trainbook.realtime.domain import (
    MAX_TOPICS_PER_CONNECTION,
    AnalyticsApplied,
    FollowedTopic,
    InboxShows,
    Journey,
    ProtocolError,
    Push,
    SalesApplied,
    SeatMapReflects,
    Subscriber,
    Topic,
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
# A topic's subscribers, once read, serve later batches while its count of subscription changes is the
# same, for at most this long: on AWS the `by-topic` index a read goes to may lag a change briefly.
SUBSCRIBERS_KEPT_SECONDS = 1.0
# `seq` numbers a topic takes at once (docs/decisions.md): the batches after use them without a write while
# the topic's last number is still the last this container took.
SEQ_BLOCK = 100
T = TypeVar("T")


class ConnectionRegistry(Protocol):
    def connect(self, connection_id: str, viewer: Viewer) -> None: ...
    def subscribe(self, connection_id: str, viewer: Viewer, route: str, limit: int) -> None: ...
    def unsubscribe(self, connection_id: str, route: str) -> None: ...
    def disconnect(self, connection_id: str) -> None: ...
    def subscribers(self, route: str) -> list[Subscriber]: ...
    def followed(self, routes: Iterable[str]) -> dict[str, FollowedTopic]: ...
    def reserve_seq(self, route: str, count: int) -> int: ...


class Poster(Protocol):
    def post(self, connection_id: str, body: dict[str, Any]) -> str: ...
    def post_all(self, connection_ids: Iterable[str], body: dict[str, Any]) -> dict[str, str]: ...


class ReadModels(Protocol):
    """What the broadcaster asks the read models before it tells clients something they will re-read."""

    def seat_map_versions(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]: ...
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


class TopicNumbers:
    """The `seq` numbers this container took and has not used yet, per topic, in the order to use them.

    Taking numbers raises the topic's counter durably, so no number is ever given twice. What is left of a
    topic's numbers is used only while the counter still ends at the last number taken here: `check` drops
    it once another broadcaster (a new container, say) took numbers since, and the numbers then go on above
    theirs. Numbers left behind are a gap, which tells a client to re-read.
    """

    LIMIT = 10_000  # topics remembered; past it everything is dropped (a gap per topic, nothing reused)

    def __init__(self) -> None:
        self._left: dict[str, deque[int]] = {}
        self._last: dict[str, int] = {}  # per topic, the last number taken here

    def check(self, followed: dict[str, FollowedTopic]) -> None:
        """Keep a topic's numbers only if its counter, as read now, still ends at the last taken here."""
        for route, topic in followed.items():
            if route in self._last and self._last[route] != topic.seq:
                del self._last[route], self._left[route]

    def wanted(self, counts: Mapping[str, int]) -> dict[str, int]:
        """How many numbers each topic short of `counts` (messages to send) takes: a block, or more."""
        missing = {route: count - len(self._left.get(route, ())) for route, count in counts.items()}
        return {route: max(SEQ_BLOCK, short) for route, short in missing.items() if short > 0}

    def add(self, route: str, last: int, count: int) -> None:
        """The topic's counter was raised by `count` to `last`: those numbers follow what is left, if they
        come right after it, or replace it."""
        if len(self._last) >= self.LIMIT and route not in self._last:
            self._left.clear()
            self._last.clear()
        first = last - count + 1
        left = self._left.setdefault(route, deque())
        if self._last.get(route) != first - 1:
            left.clear()
        left.extend(range(first, last + 1))
        self._last[route] = last

    def take(self, route: str) -> int | None:
        left = self._left.get(route)
        return left.popleft() if left else None


class Broadcaster:
    """Maps an event to its topics' messages and posts each to the topic's subscribers.

    A batch (`expect`, then `publish` for each of its events in order) costs requests per topic and per
    read, not per message, and a topic's requests run beside the other topics': each followed topic's
    subscribers are looked up once, its `seq` numbers are taken for all of the batch's messages to it in
    one update, and one read of the seat map covers every seat message of the batch it already shows
    (docs/decisions.md).
    """

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
        parallel: int = 8,
    ) -> None:
        self.registry = registry
        self.poster = poster
        self.journeys = journeys
        self.remember = remember
        self.read_models = read_models
        self.wait_seconds = wait_seconds
        self.sleep = sleep
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="topic")
        self._unfollowed: set[str] = set()
        self._followed_lately: set[str] = set()  # topics some batch found followed, until one finds them not
        self._batch: list[RecordedEvent] = []  # the batch's events in order, as `expect` got them
        self._position = 0  # where in `_batch` the event being published is
        self._sending: list[Push] = []  # the pushes of that event still to send, the current one first
        self._subscribers: dict[str, list[Subscriber]] = {}  # per followed topic, looked up once a batch
        # Per topic: its count of subscription changes when its subscribers were read, when, and them.
        self._kept: dict[str, tuple[int, float, list[Subscriber]]] = {}
        self._numbers = TopicNumbers()
        self._shown: dict[tuple[str, str], int] = {}  # (run, booking) -> version the seat map showed

    def expect(self, batch: Iterable[RecordedEvent]) -> None:
        """Learn, with one read, which topics this batch's events go to have followers at all; then, side
        by side, who follows them, the `seq` numbers of their messages and what the seat map shows.

        Most events (saga progress, seats and bookings nobody watches) then cost no further request. A
        booking's request teaches its Journey (a request never changes), so the events after it that
        need the Journey to name their topics cost no lookup either. Numbers are taken here only for
        topics whose messages go to every subscriber (a message for its owner only is counted once the
        subscribers are known, in `_next_seq`); anything that fails here is asked again when needed.
        """
        events = list(batch)
        for recorded in events:
            if isinstance(recorded.event, BookingRequested):
                self.remember(Journey.of(recorded.event))
        routes = {route for recorded in events for route in self._routes(recorded)}
        # What the seat map shows of seat messages to runs followed at an earlier batch is read beside the
        # counts (each such message waits for it); a run followed since is read after them.
        likely = {
            (event.run_id, event.booking_id)
            for recorded in events
            if isinstance(event := recorded.event, SeatsHeld | SeatsSold | SeatsReleased)
            and Topic("run", event.run_id).route in self._followed_lately
        }
        early = self._pool.submit(self.read_models.seat_map_versions, likely) if likely else None
        followed = self.registry.followed(routes)
        self._numbers.check(followed)
        self._unfollowed = routes - set(followed)
        if len(self._followed_lately) > 10_000:
            self._followed_lately.clear()
        self._followed_lately = (self._followed_lately - self._unfollowed) | set(followed)
        self._batch, self._position, self._sending = events, 0, []
        self._subscribers = {}
        counts: Counter[str] = Counter()
        owned: set[str] = set()  # topics with a message for its owner only: counted later
        seats: set[tuple[str, str]] = set()
        for recorded in events:
            try:
                pushes = self._pushes(recorded)
            except Exception:  # looked up again, and failed for this record alone, when it is published
                continue
            for push in pushes:
                counts[push.topic.route] += 1
                if push.only_user is not None:
                    owned.add(push.topic.route)
                if isinstance(push.wait, SeatMapReflects):
                    seats.add((push.wait.run_id, push.wait.booking_id))
        numbered = {route: count for route, count in counts.items() if route not in owned}
        now = self.clock()
        kept = {
            route: self._kept[route][2]
            for route, topic in followed.items()
            if route in self._kept
            and self._kept[route][0] == topic.changes
            and now - self._kept[route][1] < SUBSCRIBERS_KEPT_SECONDS
        }
        subscribers = {
            route: self._pool.submit(self.registry.subscribers, route)
            for route in followed
            if route not in kept
        }
        reserve = self.registry.reserve_seq
        wanted = self._numbers.wanted(numbered)
        lasts = {route: self._pool.submit(reserve, route, n) for route, n in wanted.items()}
        rest = seats - likely
        shown = self._pool.submit(self.read_models.seat_map_versions, rest) if rest else None
        read = _results(subscribers)
        if len(self._kept) > 10_000:
            self._kept.clear()
        self._kept.update({route: (followed[route].changes, now, found) for route, found in read.items()})
        self._subscribers = kept | read
        for route, last in _results(lasts).items():
            self._numbers.add(route, last, wanted[route])
        for found in (early, shown):
            if found is not None and found.exception() is None:
                self._remember_shown(found.result())

    def _pushes(self, recorded: RecordedEvent) -> list[Push]:
        """The event's messages to topics someone follows, before asking who (`_sendable` asks)."""
        early = topics_known_early(recorded)
        if early is not None and all(topic.route in self._unfollowed for topic in early):
            return []
        booking_id = needs_journey(recorded)
        journey = self.journeys(booking_id) if booking_id else None
        return [push for push in pushes_for(recorded, journey) if push.topic.route not in self._unfollowed]

    def _remember_shown(self, versions: dict[tuple[str, str], int]) -> None:
        """Keep what the seat map showed: a lower bound for good (an entry only takes newer versions)."""
        if len(self._shown) > 10_000:
            self._shown.clear()
        for key, version in versions.items():
            self._shown[key] = max(version, self._shown.get(key, 0))

    def _each(self, call: Callable[[str], T], routes: Iterable[str]) -> dict[str, T]:
        """`call` for each topic, side by side; a topic whose call failed is left out (asked again later)."""
        return _results({route: self._pool.submit(call, route) for route in sorted(routes)})

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

    def _subscribers_of(self, route: str) -> list[Subscriber]:
        if route not in self._subscribers:
            self._subscribers[route] = self.registry.subscribers(route)
        return self._subscribers[route]

    def _sendable(self, recorded: RecordedEvent) -> list[tuple[Push, list[str]]]:
        """The event's messages that have someone to go to, each with its subscribers' connections."""
        early = topics_known_early(recorded)
        if early is not None:
            early = [topic for topic in early if topic.route not in self._unfollowed]
            if not any(self._subscribers_of(topic.route) for topic in early):
                return []  # nobody follows it: no lookup, no wait, no sequence number
        booking_id = needs_journey(recorded)
        journey = self.journeys(booking_id) if booking_id else None
        sendable = []
        for push in pushes_for(recorded, journey):
            if push.topic.route in self._unfollowed:
                continue  # nobody followed it when the batch began
            subscribers = [
                s.connection_id
                for s in self._subscribers_of(push.topic.route)
                if push.only_user is None or s.user_id == push.only_user
            ]
            if subscribers:
                sendable.append((push, subscribers))  # nobody listens otherwise: no wait, no number
        return sendable

    def publish(self, recorded: RecordedEvent) -> Delivery:
        delivery = Delivery()
        self._position = self._index_of(recorded)
        sendable = self._sendable(recorded)
        self._sending = [push for push, _ in sendable]
        for push, subscribers in sendable:
            data = self._when_readable(push)
            body = message(push, recorded.at, self._next_seq(push.topic.route))
            body["data"] = data
            outcomes = self.poster.post_all(subscribers, body)
            self._sending.pop(0)
            delivery.messages += 1
            for connection_id, outcome in outcomes.items():
                if outcome == GONE:
                    # Exactly the connection that answered Gone; never the sender or anyone else.
                    self.registry.disconnect(connection_id)
                    delivery.gone.append(connection_id)
                    for found in self._subscribers.values():
                        found[:] = [s for s in found if s.connection_id != connection_id]
                elif outcome == "sent":
                    delivery.sent += 1
                else:
                    delivery.failed += 1
        return delivery

    def _index_of(self, recorded: RecordedEvent) -> int:
        """Where `recorded` is in the batch (events come in order); an event `expect` did not get (one
        published alone) leaves the position where it was, so the batch's later events still count."""
        for index in range(self._position, len(self._batch)):
            if self._batch[index] is recorded:
                return index
        return self._position

    def _next_seq(self, route: str) -> int:
        """The topic's next number. When a topic has none left, every topic short of numbers takes, in one
        update each and side by side, a block or one for each of the batch's messages to it still to send.

        Numbers are used in the order they were taken; a message takes its number only once it is about
        to be sent, so a record that fails before (and is redelivered) leaves no gap. A gap means numbers
        were left behind (another container took numbers since): the client re-reads, as the protocol says.
        """
        number = self._numbers.take(route)
        if number is None:
            counts = self._still_to_send()
            wanted = self._numbers.wanted(counts)
            wanted[route] = max(SEQ_BLOCK, wanted.get(route, 0))
            lasts = self._each(lambda r: self.registry.reserve_seq(r, wanted[r]), wanted)
            if route not in lasts:
                lasts[route] = self.registry.reserve_seq(route, wanted[route])  # raises what failed
            for taken, last in lasts.items():
                self._numbers.add(taken, last, wanted[taken])
            number = self._numbers.take(route)
            assert number is not None  # just added
        return number

    def _still_to_send(self) -> Counter[str]:
        """Per topic, the batch's messages from the one being sent on (a later lookup that fails counts
        none: it is tried again when its event is published, and too few numbers only means taking more)."""
        counts = Counter(push.topic.route for push in self._sending)
        for recorded in self._batch[self._position + 1 :]:
            try:
                counts.update(push.topic.route for push, _ in self._sendable(recorded))
            except Exception:
                continue
        return counts

    def _when_readable(self, push: Push) -> dict[str, Any]:
        """The push's data once a client can read what it says (see docs/decisions.md)."""
        wait = push.wait
        if isinstance(wait, SeatMapReflects):
            self._await(lambda: self._seat_map_shows(wait))
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

    def _seat_map_shows(self, wait: SeatMapReflects) -> bool:
        """Whether the seat map shows `wait`; a read asks for every seat message of the batch still to go,
        so what one read showed answers the later ones without another request."""
        key = (wait.run_id, wait.booking_id)
        if self._shown.get(key, 0) >= wait.version:
            return True
        wanted = {key} | {
            (event.run_id, event.booking_id)
            for recorded in self._batch[self._position + 1 :]
            if isinstance(event := recorded.event, SeatsHeld | SeatsSold | SeatsReleased)
            and Topic("run", event.run_id).route not in self._unfollowed
        }
        self._remember_shown(self.read_models.seat_map_versions(wanted))
        return self._shown.get(key, 0) >= wait.version

    def _await(self, condition: Callable[[], bool]) -> None:
        deadline = self.clock() + self.wait_seconds
        pause = 0.01
        while not condition():
            if self.clock() >= deadline:
                raise ReadModelBehind("the read model has not caught up; the record will be redelivered")
            self.sleep(pause)
            pause = min(pause * 2, 0.1)


def _results(futures: dict[str, Future[T]]) -> dict[str, T]:
    """What each call answered; a call that failed is left out."""
    return {key: future.result() for key, future in futures.items() if future.exception() is None}
