"""The log subscription spool and its shipper: what is spooled is delivered at least once, in order, with
ids that survive a restart; delivered segments are removed; a failed delivery is retried unchanged."""

from __future__ import annotations

import base64
import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest

from localcloud.logs import spool as spool_module
from localcloud.logs.shipping import LogShipping, LogSubscription
from localcloud.logs.spool import Spool

GROUP = "/aws/lambda/trainbook-queries"
SEARCHES = LogSubscription("Searches", "searches", GROUP, '{ $.message = "search" }', "arn:counter")
EVERYTHING = LogSubscription("Everything", "everything", GROUP, "", "arn:archive")


def search_line(n: int) -> str:
    return json.dumps({"message": "search", "n": n})


def decoded(event: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    return data


class Destinations:
    """Records what each destination got; `failing` destinations answer with a function error."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, Any]]] = []
        self.failing: set[str] = set()

    def __call__(self, destination: str, event: dict[str, Any]) -> str | None:
        if destination in self.failing:
            return "Unhandled: counter table unavailable"
        self.got.append((destination, decoded(event)))
        return None

    def events(self, destination: str) -> list[dict[str, Any]]:
        return [e for d, message in self.got if d == destination for e in message["logEvents"]]


def shipping(directory: Path, destinations: Destinations, *subscriptions: LogSubscription) -> LogShipping:
    return LogShipping(
        subscriptions or (SEARCHES,), directory, destinations, owner="123456789012", process="gateway"
    )


def log(logs: LogShipping, *lines: str, stream: str = "2026/12/03/[$LATEST]abc") -> None:
    sink = logs.sink_for(GROUP)
    assert sink is not None
    sink("\n".join(lines) + "\n", stream)


def ship_everything(logs: LogShipping) -> None:
    """Passes of the shipper with the clock far enough on for every batch to be due."""
    for step in range(1, 20):
        logs.ship_once(1_000_000.0 + step * 100)


def test_matching_lines_reach_the_destination_in_the_shape_cloudwatch_sends(tmp_path: Path) -> None:
    destinations = Destinations()
    logs = shipping(tmp_path, destinations)
    log(logs, search_line(1), "plain text line", json.dumps({"message": "booking"}), search_line(2))

    ship_everything(logs)

    [(destination, message)] = destinations.got
    assert destination == "arn:counter"
    assert {key: value for key, value in message.items() if key != "logEvents"} == {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": GROUP,
        "logStream": "2026/12/03/[$LATEST]abc",
        "subscriptionFilters": ["searches"],
    }
    assert [e["message"] for e in message["logEvents"]] == [search_line(1), search_line(2)]
    assert all(isinstance(e["id"], str) and isinstance(e["timestamp"], int) for e in message["logEvents"])
    assert len({e["id"] for e in message["logEvents"]}) == 2


def test_a_restart_resumes_from_the_checkpoint_and_redelivers_nothing_delivered(tmp_path: Path) -> None:
    destinations = Destinations()
    first = shipping(tmp_path, destinations)
    log(first, search_line(1))
    ship_everything(first)
    log(first, search_line(2), search_line(3))  # spooled, then the process dies before shipping them
    # No stop(): a kill -9 leaves the files as they are.

    second = shipping(tmp_path, destinations)
    ship_everything(second)

    assert [json.loads(e["message"])["n"] for e in destinations.events("arn:counter")] == [1, 2, 3]


def test_an_undelivered_batch_comes_again_with_the_same_ids_after_a_restart(tmp_path: Path) -> None:
    destinations = Destinations()
    destinations.failing.add("arn:counter")
    first = shipping(tmp_path, destinations)
    log(first, search_line(1), search_line(2))
    ship_everything(first)  # every attempt fails
    failed_batch = first._feeds[0].batch
    assert destinations.got == []
    assert failed_batch is not None and first._feeds[0].failures > 1

    destinations.failing.clear()
    second = shipping(tmp_path, destinations)
    ship_everything(second)

    assert [e["id"] for e in destinations.events("arn:counter")] == [
        e["id"] for e in decoded(failed_batch[0])["logEvents"]
    ]


def test_a_failed_delivery_is_retried_with_the_same_batch_after_a_backoff(tmp_path: Path) -> None:
    destinations = Destinations()
    destinations.failing.add("arn:counter")
    logs = shipping(tmp_path, destinations)
    log(logs, search_line(1))
    logs.ship_once(1_000_000.0)
    first_try = logs._feeds[0].batch
    log(logs, search_line(2))  # arrives while the first batch waits for its retry

    assert logs.ship_once(1_000_000.1) > 0  # backing off: nothing is invoked yet
    destinations.failing.clear()
    ship_everything(logs)

    assert first_try is not None
    batches = [[json.loads(e["message"])["n"] for e in m["logEvents"]] for _, m in destinations.got]
    assert batches == [[1], [2]]
    assert destinations.got[0][1] == decoded(first_try[0])


def test_each_filter_gets_the_events_it_matches_with_the_same_id_for_the_same_event(tmp_path: Path) -> None:
    destinations = Destinations()
    logs = shipping(tmp_path, destinations, SEARCHES, EVERYTHING)
    log(logs, search_line(1), "plain text line")

    ship_everything(logs)

    searches, everything = destinations.events("arn:counter"), destinations.events("arn:archive")
    assert [e["message"] for e in searches] == [search_line(1)]
    assert [e["message"] for e in everything] == [search_line(1), "plain text line"]
    assert searches[0]["id"] == everything[0]["id"]
    assert [m["subscriptionFilters"] for _, m in destinations.got] == [["searches"], ["everything"]]


def test_a_batch_holds_one_log_stream_and_at_most_the_event_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("localcloud.logs.shipping.MAX_EVENTS", 2)
    destinations = Destinations()
    logs = shipping(tmp_path, destinations)
    log(logs, search_line(1), search_line(2), search_line(3), stream="a")
    log(logs, search_line(4), stream="b")

    ship_everything(logs)

    assert [
        (m["logStream"], [json.loads(e["message"])["n"] for e in m["logEvents"]]) for _, m in destinations.got
    ] == [("a", [1, 2]), ("a", [3]), ("b", [4])]


def test_delivered_segments_are_removed_and_ids_keep_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool_module, "SEGMENT_BYTES", 200)
    destinations = Destinations()
    logs = shipping(tmp_path, destinations)
    for n in range(20):
        log(logs, search_line(n))
    spool = logs.spools[GROUP]
    assert len(spool.segments()) > 3

    ship_everything(logs)
    log(logs, search_line(20))
    ship_everything(logs)

    assert len(spool.segments()) <= 2
    ids = [e["id"] for e in destinations.events("arn:counter")]
    assert len(ids) == 21 and len(set(ids)) == 21
    assert ids == sorted(ids)  # offsets only grow, so ids sort in log order


def test_a_line_cut_short_by_a_crash_is_dropped_and_the_spool_goes_on(tmp_path: Path) -> None:
    spool = Spool(tmp_path, ["searches"])
    spool.append(1, "a", [("first", ["searches"])])
    spool.close()
    [segment] = tmp_path.glob("*.spool")
    with segment.open("ab") as handle:
        handle.write(b'[2, "a", ["searches"], "half')  # the write a kill -9 interrupted

    again = Spool(tmp_path, ["searches"])
    again.append(3, "a", [("second", ["searches"])])
    events, after = again.read(0, "searches", 10, 1 << 20)

    assert [(e.timestamp, e.message) for e in events] == [(1, "first"), (3, "second")]
    assert after == again.end


def test_a_filter_added_later_starts_at_the_end_of_the_spool(tmp_path: Path) -> None:
    Spool(tmp_path, ["searches"]).append(1, "a", [("before", ["searches", "later"])])

    spool = Spool(tmp_path, ["searches", "later"])

    assert spool.checkpoints["later"] == spool.end
    assert spool.checkpoints["searches"] == 0


@pytest.mark.parametrize("fsync", ["always", "batch", "off"])
def test_every_fsync_mode_keeps_what_was_appended_across_a_reopen(tmp_path: Path, fsync: str) -> None:
    spool = Spool(tmp_path, ["searches"], fsync=fsync)
    spool.append(1, "a", [("first", ["searches"]), ("second", ["searches"])])
    spool.sync(force=True)
    events, after = spool.read(0, "searches", 1, 1 << 20)
    spool.commit("searches", after)

    again = Spool(tmp_path, ["searches"], fsync=fsync)

    assert [e.message for e in events] == ["first"]
    assert [e.message for e in again.read(again.checkpoints["searches"], "searches", 10, 1 << 20)[0]] == [
        "second"
    ]


def test_the_shipper_thread_delivers_a_quiet_spool_by_itself(tmp_path: Path) -> None:
    destinations = Destinations()
    logs = shipping(tmp_path, destinations)
    logs.start()
    try:
        log(logs, search_line(1))
        deadline = time.monotonic() + 10
        while not destinations.got and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        logs.stop()

    assert [e["message"] for e in destinations.events("arn:counter")] == [search_line(1)]
    assert logs.spools[GROUP].checkpoints["searches"] == logs.spools[GROUP].end
