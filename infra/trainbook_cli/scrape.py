"""`trainbook scrape`: timetable site -> raw snapshot + catalog timetable; with --diff, schedule changes."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from fixture_site.server import FixtureSite
    from timetable_scraper.snapshot import Snapshot
    from trainbook.catalog.domain import Station

console = Console()

DEFAULT_STATIONS = "GDG,GDW,POZ,WAW,KRK"


def scrape(
    base_url: Annotated[
        str,
        typer.Option("--base-url", envvar="TRAINBOOK_TIMETABLE_SITE", help="address of the timetable site"),
    ] = "",
    fixture_site: Annotated[
        bool,
        typer.Option("--fixture-site", help="serve the repo's fixture site on 127.0.0.1 and scrape that"),
    ] = False,
    stations: Annotated[
        str, typer.Option(help="station codes; every ordered pair is searched")
    ] = DEFAULT_STATIONS,
    first_day: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (default: tomorrow)")] = "",
    days: Annotated[int, typer.Option(min=1, max=60, help="number of days to scrape")] = 1,
    output: Annotated[
        Path | None,
        typer.Option(help="timetable JSON to write (default: the shipped scraper/data/timetable.json)"),
    ] = None,
    snapshot_path: Annotated[
        Path | None,
        typer.Option("--snapshot", help="raw snapshot to write (default: snapshot.json.gz beside it)"),
    ] = None,
    valid_from: Annotated[
        str, typer.Option(help="take the weekly pattern seen as valid from YYYY-MM-DD (default: first day)")
    ] = "",
    valid_to: Annotated[
        str, typer.Option(help="take the weekly pattern seen as valid until YYYY-MM-DD (default: last day)")
    ] = "",
    diff: Annotated[Path | None, typer.Option(help="previous snapshot: print and record the changes")] = None,
    record: Annotated[bool, typer.Option(help="with --diff, append the changes to the run streams")] = True,
    pace: Annotated[float, typer.Option(help="seconds between two searches")] = 1.0,
    retries: Annotated[int, typer.Option(help="retries of a search when the site fails")] = 3,
    timeout: Annotated[float, typer.Option(help="longest wait for one page condition, seconds")] = 15.0,
) -> None:
    """Scrape every ordered pair of STATIONS over DAYS days, like a person using the site.

    Writes the raw snapshot and the normalized timetable only when every search succeeded.
    """
    from timetable_file import location, reading, writing
    from timetable_scraper import snapshot as snapshots
    from timetable_scraper.browser import chromium
    from timetable_scraper.errors import ScrapeError
    from timetable_scraper.normalize import normalize
    from timetable_scraper.scrape import Politeness, TimetableScraper, plan
    from trainbook.catalog.compositions import COMPOSITIONS
    from trainbook.catalog.stations import load_stations

    catalog = load_stations()
    by_code = {s.code: s for s in catalog}
    codes = [c.strip().upper() for c in stations.split(",") if c.strip()]
    unknown = [c for c in codes if c not in by_code]
    if unknown or len(codes) < 2:
        console.print(f"[red]need two or more known station codes[/]; unknown: {', '.join(unknown) or '-'}")
        raise typer.Exit(code=2)
    start = _day(first_day) if first_day else date.today() + timedelta(days=1)
    last = start + timedelta(days=days - 1)
    valid = (_day(valid_from) if valid_from else start, _day(valid_to) if valid_to else last)
    if not base_url and not fixture_site:
        console.print(
            "[red]no site to scrape[/]: give --base-url URL (or TRAINBOOK_TIMETABLE_SITE), or --fixture-site"
        )
        raise typer.Exit(code=2)
    target = output or location.shipped_timetable_path()
    snapshot_file = snapshot_path or target.with_name("snapshot.json.gz")
    previous = snapshots.read(diff) if diff else None
    reference = reading.read(target) if target.is_file() else None
    searches = plan([by_code[c].name for c in codes], start, days)

    with ExitStack() as stack:
        if fixture_site:
            base_url = stack.enter_context(_fixture_site()).url
            console.print(f"fixture site serving at {base_url}/pl")
        driver = stack.enter_context(chromium())
        scraper = TimetableScraper(driver, base_url, Politeness(pace=pace, retries=retries, timeout=timeout))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("scraping", total=len(searches))

            def done(search: snapshots.Search, rows: int) -> None:
                bar.update(
                    task,
                    advance=1,
                    description=f"{search.origin} → {search.destination} {search.day:%d.%m}: {rows} trains",
                )

            try:
                seen = scraper.scrape(searches, on_search=done)
            except ScrapeError as error:
                console.print(f"[red]scrape failed, nothing written[/]: {error}")
                raise typer.Exit(code=1) from None

    result = normalize(
        seen,
        catalog,
        COMPOSITIONS.values(),
        reference=reference,
        valid=valid,
    )
    snapshots.write(seen, snapshot_file)
    writing.write(
        result.timetable,
        target,
        source=_source(base_url if not fixture_site else None, seen.scraped_at.date(), start, days, valid),
        attribution=_attribution(_fixture_source()) if fixture_site else None,
    )
    for warning in result.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    console.print(
        f"[green]scraped[/] {len(seen.connections)} connections, {len(seen.runs)} train runs, "
        f"{len(result.timetable.services)} services\n  snapshot:  {snapshot_file}\n  timetable: {target}"
    )
    if previous is not None:
        _report_changes(previous, seen, catalog, record=record)


def _source(url: str | None, scraped: date, start: date, days: int, valid: tuple[date, date]) -> str:
    """What the timetable file says about its origin; for the fixture site, that its data is hand-made."""
    site = (
        f"{url}"
        if url
        else "the fixture site (scraper/fixture_site, a local stand-in for portalpasazera.pl, which is not "
        "reachable from where this was built) publishing scraper/fixture_site/source_timetable.json, "
        "hand-made from public timetable facts by scraper/handmade_timetable.py"
    )
    return (
        f"Scraped by trainbook scrape on {scraped.isoformat()} from {site}: {days} day(s) from "
        f"{start.isoformat()}. Each train's weekly pattern seen is taken as valid {valid[0].isoformat()} .. "
        f"{valid[1].isoformat()}; exceptions (holidays) are known only on the days scraped. Distances and "
        "compositions from the timetable this one replaced."
    )


def _attribution(path: Path) -> str | None:
    """The attribution of the fixture site's source timetable: its data is in what was scraped."""
    from timetable_file.reading import read_header

    return read_header(path).attribution


def _report_changes(previous: Snapshot, seen: Snapshot, stations: list[Station], *, record: bool) -> None:
    from timetable_scraper.observe import snapshot_view
    from trainbook.changes.domain import diff

    common = set(previous.searches) & set(seen.searches)
    days = {s.day for s in common}
    changes = diff(snapshot_view(previous, stations, common), snapshot_view(seen, stations, common), days)
    table = Table(title=f"schedule changes since {previous.scraped_at:%Y-%m-%d %H:%M} ({len(changes)})")
    for column in ("run", "train", "change", "details"):
        table.add_column(column)
    for change in changes:
        table.add_row(change.run_id, change.label, str(change.kind), change.describe())
    console.print(table)
    if not common:
        console.print("[yellow]the two snapshots share no search[/] (stations and day): nothing to compare")
    if not changes or not record:
        return
    from trainbook.changes.service.recording import record_changes
    from trainbook.eventstore.store import EventStore

    try:
        recorded = record_changes(
            EventStore(), changes, source=seen.site, observed_at=seen.scraped_at.astimezone(UTC).isoformat()
        )
    except Exception as error:  # the store is remote: say what failed instead of a traceback
        console.print(
            f"[red]could not record the changes[/] ({type(error).__name__}: {error}); is the local cloud up "
            "(`trainbook up`) and AWS_ENDPOINT_URL set? Re-run with the same snapshots to record them."
        )
        raise typer.Exit(code=1) from None
    streams = sorted({e.stream for e in recorded})
    console.print(
        f"recorded {len(recorded)} events on {len(streams)} run streams"
        + (f": {', '.join(streams[:5])}" if streams else "")
    )


def _fixture_source() -> Path:
    from timetable_file.location import SCRAPER_DIR

    # The fixture site is test equipment kept beside the scraper, not an installed package.
    if str(SCRAPER_DIR) not in sys.path:
        sys.path.insert(0, str(SCRAPER_DIR))
    from fixture_site.__main__ import SOURCE

    return SOURCE


def _fixture_site() -> FixtureSite:
    """The repo's fixture site (scraper/fixture_site), served from its hand-made source timetable."""
    from timetable_file.reading import read

    source = _fixture_source()
    from fixture_site.server import FixtureSite

    return FixtureSite(read(source))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]not a date[/]: {text!r} (expected YYYY-MM-DD)")
        raise typer.Exit(code=2) from None
