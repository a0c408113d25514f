"""A process's log subscriptions: the sinks its function pools call, the spools, and the shipper thread.

Each process that runs functions (the engine, the gateway) keeps its own spools under
`<data-dir>/logs/<process>/` and ships them itself, so no two processes ever read one spool. A sink runs
on the invocation path (`runtime/pool.py` calls it before the invocation answers): it tests each log line
against its group's filters and appends the matching ones in one write. The shipper thread delivers each
filter's events in order, in batches (what accumulated: at most `MAX_EVENTS` events or `MAX_BYTES`, one log
stream per batch, after `QUIET_SECONDS` without a new event or `WINDOW_SECONDS` since the first waiting
one), with the payload CloudWatch Logs sends a Lambda destination. A filter's checkpoint moves only once
its destination answered without a function error; otherwise the same batch is retried with backoff.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from localcloud.logs.patterns import FilterPattern, compile_pattern, parse_object
from localcloud.logs.spool import Spool, SpooledEvent
from localcloud.runtime.functions import InvokeResult
from localcloud.stats import STATS

log = logging.getLogger("localcloud.logs")

MAX_EVENTS = 1_000
MAX_BYTES = 1 << 20
WINDOW_SECONDS = 1.0  # a batch waits at most this long for more events
QUIET_SECONDS = 0.2  # ... and goes as soon as nothing was added for this long
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # backoff after a failed delivery, then every 30 s
IDLE_SECONDS = 1.0  # the shipper looks again at least this often (fsync clock, a wake-up missed)
# The first digit of every event id this process ships: ids stay unique across the processes' spools.
PROCESS_TAGS = {"engine": 1, "gateway": 2}

# (destination ARN, event) -> None when delivered, else why not (a function error, a failed call).
Invoke = Callable[[str, dict[str, Any]], "str | None"]
_UNPARSED = object()


@dataclass(frozen=True)
class LogSubscription:
    """One AWS::Logs::SubscriptionFilter with its intrinsics resolved."""

    logical_id: str
    filter_name: str
    log_group: str
    pattern: str
    destination_arn: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogSubscription:
        return cls(**data)


def undelivered(result: InvokeResult) -> str | None:
    """Why a delivery's invocation failed (its function error, the payload's start); None: delivered."""
    return f"{result.function_error}: {result.payload[:300]!r}" if result.function_error else None


def event_id(tag: int, log_group: str, offset: int) -> str:
    """56 digits, as CloudWatch's: the process, the log group, the event's spool offset."""
    return f"{tag}{zlib.crc32(log_group.encode()):010d}{offset:045d}"


def subscription_event(
    owner: str, log_group: str, filter_name: str, tag: int, events: list[SpooledEvent]
) -> dict[str, Any]:
    """What CloudWatch Logs sends a Lambda destination: gzipped, base64-encoded JSON."""
    message = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": log_group,
        "logStream": events[0].stream,
        "subscriptionFilters": [filter_name],
        "logEvents": [
            {"id": event_id(tag, log_group, e.offset), "timestamp": e.timestamp, "message": e.message}
            for e in events
        ],
    }
    data = gzip.compress(json.dumps(message).encode(), compresslevel=6)
    return {"awslogs": {"data": base64.b64encode(data).decode()}}


class LogSink:
    """Called with each invocation's log text: spools the lines any filter of the group matches."""

    def __init__(self, spool: Spool, filters: list[tuple[str, FilterPattern]], wake: threading.Event) -> None:
        self.spool = spool
        self.filters = filters
        self._wake = wake

    def __call__(self, text: str, stream: str) -> None:
        matched: list[tuple[str, list[str]]] = []
        for line in text.split("\n"):  # Lambda makes an event of each line, as written
            if not line:
                continue
            names: list[str] = []
            document: Any = _UNPARSED
            for name, pattern in self.filters:
                if pattern.everything:
                    names.append(name)
                elif pattern.might_match(line):
                    if document is _UNPARSED:
                        document = parse_object(line)
                    if document is not None and pattern.test(document):
                        names.append(name)
            if names:
                matched.append((line, names))
        if matched:
            self.spool.append(int(time.time() * 1000), stream, matched)
            STATS.count("internal:LogEventsSpooled", len(matched))
            self._wake.set()


@dataclass
class _Feed:
    """One filter's delivery: its spool, destination, the batch in flight and its retries."""

    subscription: LogSubscription
    spool: Spool
    pending_since: float | None = None
    batch: tuple[dict[str, Any], int, int] | None = None  # (event, offset after it, events)
    failures: int = 0
    retry_at: float = 0.0


class LogShipping:
    """This process's subscriptions (`directory` None: a temporary directory, removed at `stop`)."""

    def __init__(
        self,
        subscriptions: Iterable[LogSubscription],
        directory: Path | None,
        invoke: Invoke,
        *,
        owner: str,
        process: str,
        fsync: str = "batch",
    ) -> None:
        self.subscriptions = list(subscriptions)
        self._temporary = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix="localcloud-logs-")) if directory is None else directory
        self._invoke = invoke
        self.owner = owner
        self.tag = PROCESS_TAGS[process]
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        groups: dict[str, list[LogSubscription]] = {}
        for subscription in self.subscriptions:
            groups.setdefault(subscription.log_group, []).append(subscription)
        self.spools: dict[str, Spool] = {}
        self.sinks: dict[str, LogSink] = {}
        self._feeds: list[_Feed] = []
        for group, members in groups.items():
            spool = Spool(
                self.directory / quote(group, safe=""), [s.filter_name for s in members], fsync=fsync
            )
            self.spools[group] = spool
            filters = [(s.filter_name, compile_pattern(s.pattern)) for s in members]
            self.sinks[group] = LogSink(spool, filters, self._wake)
            self._feeds += [_Feed(s, spool) for s in members]

    def sink_for(self, log_group: str) -> LogSink | None:
        return self.sinks.get(log_group)

    def start(self) -> None:
        if self._feeds and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Undelivered events stay spooled; a delivery in flight may finish or be redone at the next start."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for spool in self.spools.values():
            # Not closed: an invocation that ends during the stop (a saga step) still spools its lines.
            spool.sync(force=True)
        if self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "filter": feed.subscription.filter_name,
                "log_group": feed.subscription.log_group,
                "destination": feed.subscription.destination_arn,
                "spooled_to": feed.spool.end,
                "delivered_to": feed.spool.checkpoints[feed.subscription.filter_name],
                "failures": feed.failures,
            }
            for feed in self._feeds
        ]

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            wait = self.ship_once(time.monotonic())
            for spool in self.spools.values():
                spool.sync()
            if wait <= 0:
                continue
            if any(feed.pending_since is not None or feed.batch is not None for feed in self._feeds):
                # A batch gathers or waits for its retry: appends meanwhile need not wake the thread
                # (under load they would, once per invocation).
                self._stopping.wait(min(wait, IDLE_SECONDS))
            else:
                self._wake.wait(min(wait, IDLE_SECONDS))

    def ship_once(self, now: float) -> float:
        """One pass over the filters: deliver each one's batch if it is due; seconds until one may be."""
        wait = IDLE_SECONDS
        for feed in self._feeds:
            if self._stopping.is_set():
                return 0.0
            try:
                wait = min(wait, self._step(feed, now))
            except Exception:  # a broken spool file must not end the shipper
                log.exception("log subscription %s: delivery failed", feed.subscription.filter_name)
                feed.retry_at = now + RETRY_SECONDS[-1]
        return wait

    def _step(self, feed: _Feed, now: float) -> float:
        if feed.retry_at > now:
            return feed.retry_at - now
        name = feed.subscription.filter_name
        spool = feed.spool
        if feed.batch is None:
            checkpoint = spool.checkpoints[name]
            if spool.end <= checkpoint:
                feed.pending_since = None
                return IDLE_SECONDS
            if feed.pending_since is None:
                feed.pending_since = now
            quiet_for = now - spool.last_append
            waited = now - feed.pending_since
            if quiet_for < QUIET_SECONDS and waited < WINDOW_SECONDS and spool.end - checkpoint < MAX_BYTES:
                return min(QUIET_SECONDS - quiet_for, WINDOW_SECONDS - waited)
            events, after = spool.read(checkpoint, name, MAX_EVENTS, MAX_BYTES)
            if not events:
                spool.commit(name, after)  # only other filters' events (or an append being written)
                return 0.0 if after > checkpoint else QUIET_SECONDS
            event = subscription_event(self.owner, feed.subscription.log_group, name, self.tag, events)
            feed.batch = (event, after, len(events))
        event, after, count = feed.batch
        problem = self._deliver(feed.subscription.destination_arn, event)
        if problem is not None:
            delay = RETRY_SECONDS[min(feed.failures, len(RETRY_SECONDS) - 1)]
            feed.failures += 1
            feed.retry_at = now + delay
            log.warning(
                "log subscription %s -> %s: %s; the same %d events again in %.1f s",
                name,
                feed.subscription.destination_arn,
                problem,
                count,
                delay,
            )
            return delay
        spool.commit(name, after)
        STATS.count("internal:LogEventsDelivered", count)
        feed.batch = None
        feed.failures = 0
        feed.pending_since = time.monotonic() if spool.end > after else None
        return 0.0

    def _deliver(self, destination: str, event: dict[str, Any]) -> str | None:
        try:
            return self._invoke(destination, event)
        except Exception as error:
            return f"invoke failed: {error!r}"


def engine_invoker(engine_url: str, region: str, timeout: float = 960.0) -> Invoke:
    """Invoke through the engine's Lambda Invoke API (the gateway's path to a function it does not host)."""

    def invoke(function: str, event: dict[str, Any]) -> str | None:
        request = urllib.request.Request(
            f"{engine_url}/2015-03-31/functions/{quote(function, safe='')}/invocations",
            data=json.dumps(event).encode(),
            headers={
                "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20250101/{region}/lambda/aws4_request",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                error = response.headers.get("x-amz-function-error")
                body = response.read()
        except urllib.error.HTTPError as refused:
            return f"HTTP {refused.code}: {refused.read()[:300]!r}"
        return f"{error}: {body[:300]!r}" if error else None

    return invoke
