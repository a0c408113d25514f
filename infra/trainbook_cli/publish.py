"""`trainbook publish-timetable`: open the timetable's runs for sale over the sales window.

Only what is new is written: the runs of the window are looked up first (BatchGetItem of each run's
first event, keys only), and the missing ones are appended in transactions of conditional puts, each
still `attribute_not_exists(version)`, so a run opened meanwhile by someone else is never written twice
(a cancelled transaction falls back to one conditional put per run). A day entering the window and a
service added to the timetable are published; runs already open are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from trainbook.catalog.timetable import Timetable
    from trainbook.eventstore.store import EventStore

console = Console()

BATCH_GET_KEYS = 100  # DynamoDB's BatchGetItem limit
TRANSACTION_ITEMS = 100  # DynamoDB's TransactWriteItems limit


def publish_timetable(
    file: Path | None = typer.Option(
        None, help="timetable JSON (default: the shipped scraper/data/timetable.json)"
    ),
    first_day: str | None = typer.Option(
        None, "--from", help="first day, YYYY-MM-DD (default: today in Poland)"
    ),
    days: int = typer.Option(30, min=1, max=366, help="how many days to open"),
) -> None:
    """Append one TrainRunScheduled per run and day that is not open yet; runs already open are kept.

    Writes to the Events table named by EVENTS_TABLE at AWS_ENDPOINT_URL (or AWS itself).
    """
    from timetable_file import location, reading
    from trainbook.catalog.runs import today_in_poland
    from trainbook.catalog.timetable import SalesWindow
    from trainbook.eventstore.store import EventStore

    timetable = reading.read(file or location.shipped_timetable_path())
    start = date.fromisoformat(first_day) if first_day else today_in_poland()
    window = SalesWindow(start, days)
    opened, kept = publish_new_runs(EventStore(), timetable, window.dates())
    console.print(
        f"opened [bold]{opened}[/] train runs for sale, {window.first_day} .. {window.last_day} "
        f"({len(timetable.services)} services); {kept} runs already open were kept"
    )


def publish_new_runs(
    events: EventStore, timetable: Timetable, days: Iterable[date], client: Any = None
) -> tuple[int, int]:
    """Open the runs of `days` that are not open yet; returns (opened, already open)."""
    import boto3

    from trainbook.catalog.runs import scheduled
    from trainbook.eventstore.events import NO_META, ConcurrencyConflict, PendingEvent
    from trainbook.eventstore.store import EventRecord

    client = client or boto3.client("dynamodb", region_name=EventRecord.Meta.region)
    table = EventRecord.Meta.table_name
    runs = {run.id: run for day in days for run in timetable.runs_on(day)}
    existing = _open_runs(client, table, list(runs))
    pending = [PendingEvent(run_id, 1, scheduled(run), NO_META) for run_id, run in runs.items()]
    pending = [p for p in pending if p.stream not in existing]
    opened = 0
    for start in range(0, len(pending), TRANSACTION_ITEMS):
        chunk = pending[start : start + TRANSACTION_ITEMS]
        try:
            client.transact_write_items(TransactItems=[events.transact_put(p) for p in chunk])
            opened += len(chunk)
            continue
        except client.exceptions.TransactionCanceledException:
            pass  # one of them was opened meanwhile: put each on its own, under the same condition
        for one in chunk:
            try:
                events.append([one])
                opened += 1
            except ConcurrencyConflict:
                continue
    return opened, len(runs) - opened


def _open_runs(client: Any, table: str, run_ids: Sequence[str]) -> set[str]:
    """The runs among `run_ids` whose stream already has its first event (keys only, strongly read)."""
    found: set[str] = set()
    for start in range(0, len(run_ids), BATCH_GET_KEYS):
        keys = [{"stream": {"S": r}, "version": {"N": "1"}} for r in run_ids[start : start + BATCH_GET_KEYS]]
        request: dict[str, Any] = {
            table: {
                "Keys": keys,
                "ProjectionExpression": "#s",
                "ExpressionAttributeNames": {"#s": "stream"},
                "ConsistentRead": True,
            }
        }
        while request:
            answer = client.batch_get_item(RequestItems=request)
            found.update(item["stream"]["S"] for item in answer["Responses"].get(table, []))
            request = answer.get("UnprocessedKeys") or {}
    return found
