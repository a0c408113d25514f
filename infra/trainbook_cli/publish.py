"""`trainbook publish-timetable`: open the timetable's runs for sale over the sales window."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

console = Console()


def publish_timetable(
    file: Path | None = typer.Option(
        None, help="timetable JSON (default: the shipped scraper/data/timetable.json)"
    ),
    first_day: str | None = typer.Option(
        None, "--from", help="first day, YYYY-MM-DD (default: today in Poland)"
    ),
    days: int = typer.Option(30, min=1, max=366, help="how many days to open"),
) -> None:
    """Append one TrainRunScheduled per run and day; runs already open are left as they are.

    Writes to the Events table named by EVENTS_TABLE at AWS_ENDPOINT_URL (or AWS itself).
    """
    from timetable_file import location, reading
    from trainbook.catalog.runs import TrainRuns, today_in_poland
    from trainbook.catalog.timetable import SalesWindow
    from trainbook.eventstore.store import EventStore

    timetable = reading.read(file or location.shipped_timetable_path())
    start = date.fromisoformat(first_day) if first_day else today_in_poland()
    window = SalesWindow(start, days)
    opened = TrainRuns(EventStore()).publish(timetable, window.dates())
    console.print(
        f"opened [bold]{opened}[/] train runs for sale, {window.first_day} .. {window.last_day} "
        f"({len(timetable.services)} services); runs already open were kept"
    )
