"""Searches per route per day, counted from the query function's log lines, each line once.

Kept in a table of its own, outside replay: the Events table does not know about searches, so a
rebuild of the analytics model must not touch them. Counted on the day the search was made (Warsaw).
A delivery of log lines may come again (CloudWatch Logs and Lambda's asynchronous retries deliver at
least once): each line's counts are added in one transaction with a tracking item named by the line's
event id, whose condition makes a line counted before change nothing. Tracking items expire (TTL).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.analytics.domain import LoggedSearch
from trainbook.eventstore.conditions import refused_items
from trainbook.eventstore.store import transactions

FAMILY = "search"
TRACKING_FAMILY = "counted"
TRACKING_KEPT = timedelta(days=3)  # well beyond the time a delivery of log lines is retried
# Lines per transaction, with their routes' counters: small, so one transaction never holds up the
# reads (each transaction holds the table's lock in the local cloud for all its items).
LINES_PER_WRITE = 20


class SearchCount(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("SEARCH_STATS_TABLE")

    family = UnicodeAttribute(hash_key=True)  # "search", or "counted" for tracking items
    key = UnicodeAttribute(range_key=True)  # "<date>#<origin>-<destination>", or a log event id
    searches = NumberAttribute(null=True)  # a count item's; a tracking item has none
    expires = TTLAttribute(null=True)


def count_searches(lines: Sequence[LoggedSearch]) -> int:
    """Add each line's search to its route's count for its day, unless that line was counted before.

    Returns how many lines were counted now (the others had been)."""
    counted = 0
    for start in range(0, len(lines), LINES_PER_WRITE):
        counted += _count(lines[start : start + LINES_PER_WRITE])
    return counted


def _count(lines: Sequence[LoggedSearch]) -> int:
    """A chunk in one transaction; refused (one line was counted already), each line in its own."""
    unique = list({line.event_id: line for line in lines}.values())
    try:
        _transact(unique)
        return len(unique)
    except TransactWriteError as error:
        if not refused_items(error):
            raise
    counted = 0
    for line in unique:
        try:
            _transact([line])
            counted += 1
        except TransactWriteError as error:
            if refused_items(error) != [0]:
                raise
    return counted


def _transact(lines: Sequence[LoggedSearch]) -> None:
    expires = datetime.now(UTC) + TRACKING_KEPT
    totals: dict[str, int] = {}
    for line in lines:
        key = f"{line.counted_on}#{line.route}"
        totals[key] = totals.get(key, 0) + 1
    with TransactWrite(connection=transactions()) as tx:
        for line in lines:  # tracking items first: a refusal names the line by its position
            tracking = SearchCount(TRACKING_FAMILY, line.event_id, expires=expires)
            tx.save(tracking, condition=SearchCount.key.does_not_exist())
        for key, n in totals.items():
            tx.update(SearchCount(FAMILY, key), actions=[SearchCount.searches.add(n)])


def searches(first_day: str, last_day: str) -> list[tuple[str, str, int]]:
    """(date, "<origin>-<destination>", searches) for the range: one Query."""
    return [
        (item.key[:10], item.key[11:], int(item.searches or 0))
        for item in SearchCount.query(FAMILY, SearchCount.key.between(first_day, f"{last_day}#\uffff"))
    ]
