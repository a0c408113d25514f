"""`trainbook replay`: rebuild a read model from the Events table, against the configured endpoint."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

console = Console()


def replay(
    read_model: str = typer.Argument(..., help="search-index, seat-map, user-bookings, sales, or all"),
) -> None:
    """Empty READ_MODEL's table and apply every event of the Events table to it, in replay order.

    Table names and the endpoint come from the environment (EVENTS_TABLE, ..., AWS_ENDPOINT_URL),
    as template.yaml sets them for the functions.
    """
    from trainbook.eventstore.store import EventRecord, EventStore
    from trainbook.projections.service import rebuild
    from trainbook.projections.wiring import read_models

    store = EventStore()
    models = read_models(store)
    names = sorted(models) if read_model == "all" else [read_model]
    unknown = [n for n in names if n not in models]
    if unknown:
        console.print(
            f"[red]unknown read model {unknown[0]!r}[/]; choose one of: {', '.join(sorted(models))}, all"
        )
        raise typer.Exit(code=2)
    total = EventRecord.count()
    for name in names:
        with Progress(
            TextColumn(f"replaying {name}"), BarColumn(), MofNCompleteColumn(), console=console
        ) as bar:
            task = bar.add_task(name, total=total)

            def advance(applied: int, task: TaskID = task) -> None:
                bar.update(task, completed=applied)

            applied = rebuild(models[name], store, progress=advance)
        console.print(f"[green]{name}[/]: rebuilt from {applied} events")
