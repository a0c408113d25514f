"""`trainbook import-gtfs`: a GTFS feed (folder or zip) into the catalog timetable format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def import_gtfs(
    feed: Annotated[Path, typer.Argument(exists=True, help="GTFS folder or zip file")],
    output: Annotated[
        Path | None, typer.Option(help="write only the imported services to this timetable JSON")
    ] = None,
    stations: Annotated[
        str, typer.Option(help="keep trips calling at two or more of these station codes")
    ] = "GDG,GDW,POZ,WAW,KRK",
    data_dir: Annotated[
        Path | None, typer.Option(help="local data folder whose timetable.json receives the import")
    ] = None,
    licence: Annotated[str, typer.Option(help="the feed's licence, kept in the attribution")] = "CC BY 4.0",
) -> None:
    """Convert FEED's stops, routes, trips, stop times and calendars into the catalog format.

    With --output the imported services are written to that file alone. Without it they are merged
    into the timetable the local cloud loads ($TRAINBOOK_TIMETABLE, else scraper/data/timetable.json,
    or DATA_DIR/timetable.json), replacing services with the same train number.
    """
    from timetable_file import location, reading, writing
    from timetable_scraper.gtfs import InvalidFeed, import_feed, iter_codes
    from trainbook.catalog.compositions import COMPOSITIONS
    from trainbook.catalog.stations import load_stations
    from trainbook.catalog.timetable import Timetable

    catalog = load_stations()
    keep = list(iter_codes(stations))
    unknown = sorted(set(keep) - {s.code for s in catalog})
    if unknown:
        console.print(f"[red]unknown station codes[/]: {', '.join(unknown)}")
        raise typer.Exit(code=2)
    target = data_dir / "timetable.json" if data_dir else location.shipped_timetable_path()
    # Distances: the catalog timetable's line data where it runs the same legs.
    reference = reading.read(target).services.values() if target.is_file() else ()
    try:
        result = import_feed(
            feed, catalog, COMPOSITIONS.values(), keep=keep, licence=licence or None, reference=reference
        )
    except InvalidFeed as error:
        console.print(f"[red]not a usable GTFS feed[/]: {error}")
        raise typer.Exit(code=1) from None
    imported = result.timetable
    if not imported.services:
        console.print(f"[yellow]no trip of {feed} calls at two of {', '.join(keep)}[/]: nothing written")
        raise typer.Exit(code=1)

    table = Table(title=f"{result.source}: {len(imported.services)} services from {result.trips_kept} trips")
    for column in ("train", "from", "to", "first stop", "days"):
        table.add_column(column)
    for service in imported.services.values():
        first, last = service.stops[0], service.stops[-1]
        assert first.depart is not None
        table.add_row(
            service.label,
            imported.station(first.station).name,
            imported.station(last.station).name,
            f"{first.depart // 60 % 24:02d}:{first.depart % 60:02d}",
            f"{service.calendar.valid_from} .. {service.calendar.valid_to}",
        )
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    console.print(
        f"matched {len(result.matched_stops)} stops to catalog stations; "
        f"left out {len(result.unmatched_stops)} the catalog does not know"
    )

    if output is not None:
        writing.write(imported, output, source=result.source, attribution=result.attribution)
        console.print(f"[green]wrote[/] {output}")
        return
    if target.is_file():
        current = reading.read(target)
        head = reading.read_header(target)
        replaced = sorted(set(current.services) & set(imported.services))
        services = {**current.services, **imported.services}
        merged = Timetable(catalog, COMPOSITIONS.values(), services.values())
        source = f"{head.source} + {result.source}"
        attribution = "; ".join(a.rstrip(".") for a in (head.attribution, result.attribution) if a)
    else:
        merged, replaced, source, attribution = imported, [], result.source, result.attribution
    writing.write(merged, target, source=source, attribution=attribution)
    console.print(
        f"[green]loaded[/] {len(imported.services)} services into {target}"
        + (f" (replacing {', '.join(replaced)})" if replaced else "")
        + "\n  the local cloud reads this file at start: restart `trainbook up`"
        + (f" with TRAINBOOK_TIMETABLE={target}" if data_dir else "")
    )
