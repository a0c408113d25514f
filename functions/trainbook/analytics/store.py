"""Searches per route per day: one counter write per search (a search is a query, not an event).

Kept in a table of its own, outside replay: the Events table does not know about searches, so a
rebuild of the analytics model must not touch them. Counted on the day the search was made (Warsaw).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from trainbook import tables

FAMILY = "search"


class SearchCount(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("SEARCH_STATS_TABLE")

    family = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)  # "<date>#<origin>-<destination>"
    searches = NumberAttribute(default=0)


def count_search(day: str, origin: str, destination: str) -> None:
    """One UpdateItem asking nothing back (`Model.update` asks for the whole item and parses it)."""
    SearchCount._get_connection().update_item(
        FAMILY, f"{day}#{origin}-{destination}", actions=[SearchCount.searches.add(1)]
    )


def searches(first_day: str, last_day: str) -> list[tuple[str, str, int]]:
    """(date, "<origin>-<destination>", searches) for the range: one Query."""
    return [
        (item.key[:10], item.key[11:], int(item.searches))
        for item in SearchCount.query(FAMILY, SearchCount.key.between(first_day, f"{last_day}#\uffff"))
    ]
