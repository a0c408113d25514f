"""Searches as the query function logs them, and how a delivery of those lines is counted.

A search is a query, not an event: it changes no state, so it is not written where it is answered. The
query function logs one structured line per search (`search_logged`); a CloudWatch Logs subscription on
its log group hands those lines to the search counter (`handlers.count_searches`), off the search's path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

# The `message` of a search's line: the subscription filter in template.yaml matches on it.
SEARCH_LOGGED = "search"


def search_logged(counted_on: str, origin: str, destination: str) -> dict[str, str]:
    """The fields of a search's log line (besides its message): the day it was made (Warsaw), the route."""
    return {"counted_on": counted_on, "route": f"{origin}-{destination}"}


@dataclass(frozen=True)
class LoggedSearch:
    event_id: str  # CloudWatch Logs' id of the line: unique, and the same on every redelivery
    counted_on: str
    route: str


def searches_in(events: Iterable[tuple[str, str]]) -> list[LoggedSearch]:
    """The searches among (event id, message) log events; lines that are not a search's are skipped."""
    found = []
    for event_id, message in events:
        try:
            line = json.loads(message)
        except ValueError:
            continue
        if not isinstance(line, dict) or line.get("message") != SEARCH_LOGGED:
            continue
        counted_on, route = line.get("counted_on"), line.get("route")
        if isinstance(counted_on, str) and isinstance(route, str):
            found.append(LoggedSearch(event_id, counted_on, route))
    return found
