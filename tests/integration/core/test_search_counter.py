"""The search counter on moto, driven through its Lambda handler with CloudWatch Logs deliveries as sent."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.streams import FakeContext
from trainbook.analytics import handlers
from trainbook.analytics.store import LINES_PER_WRITE, TRACKING_FAMILY, SearchCount, searches

pytestmark = pytest.mark.usefixtures("aws")

EVENTS = Path(__file__).resolve().parents[3] / "events"


def line(route: str, day: str = "2026-11-24", message: str = "search") -> str:
    fields = {"level": "INFO", "message": message, "service": "queries", "counted_on": day, "route": route}
    return json.dumps(fields)


def delivery(*events: tuple[str, str], message_type: str = "DATA_MESSAGE") -> dict[str, Any]:
    """What CloudWatch Logs sends a subscribed function: (event id, message) pairs, gzipped and base64."""
    body = {
        "messageType": message_type,
        "owner": "123456789012",
        "logGroup": "/trainbook/test/queries",
        "logStream": "2026/11/24/[$LATEST]abc",
        "subscriptionFilters": ["searches"],
        "logEvents": [{"id": i, "timestamp": 1_764_000_000_000, "message": m} for i, m in events],
    }
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(body).encode())).decode()}}


def count(event: dict[str, Any]) -> dict[str, int]:
    return handlers.count_searches(event, FakeContext())


def test_each_search_line_adds_one_to_its_route_s_count_for_its_day() -> None:
    answer = count(
        delivery(
            ("1", line("KRK-GDG")),
            ("2", line("KRK-GDG")),
            ("3", line("WAW-POZ")),
            ("4", line("KRK-GDG", day="2026-11-26")),
            ("5", line("WAW-POZ", message="search failed")),  # not a search's line
            ("6", "START RequestId: 1 Version: $LATEST"),  # not JSON
        )
    )

    assert answer == {"lines": 6, "counted": 4}
    assert searches("2026-11-24", "2026-11-25") == [
        ("2026-11-24", "KRK-GDG", 2),
        ("2026-11-24", "WAW-POZ", 1),
    ]
    assert searches("2026-11-26", "2026-11-26") == [("2026-11-26", "KRK-GDG", 1)]


def test_a_line_delivered_again_is_counted_once_whatever_it_is_delivered_with() -> None:
    first = delivery(("1", line("KRK-GDG")), ("2", line("WAW-POZ")))
    count(first)
    assert count(first) == {"lines": 2, "counted": 0}  # Lambda's retry of the same delivery
    # A later delivery holding one line counted already and a new one: only the new one counts.
    assert count(delivery(("2", line("WAW-POZ")), ("3", line("WAW-POZ")))) == {"lines": 2, "counted": 1}

    assert searches("2026-11-24", "2026-11-24") == [
        ("2026-11-24", "KRK-GDG", 1),
        ("2026-11-24", "WAW-POZ", 2),
    ]
    # A tracking item holds its key and when it may go, nothing else.
    tracking = [item.attribute_values for item in SearchCount.query(TRACKING_FAMILY)]
    assert len(tracking) == 3
    assert all(set(item) == {"family", "key", "expires"} for item in tracking)


def test_a_large_delivery_goes_in_several_transactions_and_is_counted_once() -> None:
    lines = [(str(n), line("KRK-GDG" if n % 3 else "GDG-KRK")) for n in range(LINES_PER_WRITE * 3 + 7)]
    count(delivery(*lines[:LINES_PER_WRITE]))  # a first delivery of part of them (then a crash)

    assert count(delivery(*lines)) == {"lines": len(lines), "counted": len(lines) - LINES_PER_WRITE}
    total = sum(n for _, _, n in searches("2026-11-24", "2026-11-24"))
    assert total == len(lines)


def test_a_control_message_counts_nothing() -> None:
    assert count(delivery(("1", line("KRK-GDG")), message_type="CONTROL_MESSAGE")) == {
        "lines": 0,
        "counted": 0,
    }
    assert searches("2026-11-24", "2026-11-24") == []


def test_the_sample_event_is_a_delivery_the_counter_counts() -> None:
    sample = json.loads((EVENTS / "logs-searches.json").read_text())

    assert count(sample) == {"lines": 2, "counted": 2}
    assert searches("2026-12-03", "2026-12-03") == [
        ("2026-12-03", "GDG-WAW", 1),
        ("2026-12-03", "WAW-KRK", 1),
    ]
