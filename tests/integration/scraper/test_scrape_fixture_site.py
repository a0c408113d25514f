"""The scraper in headless Chromium against the fixture site: what it sees, and what changed since."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from fixture_site.disruptions import Delay, Disruptions
from fixture_site.server import FixtureSite
from tests.unit.scraper.builders import EUROCITY, FIRST_DAY, PENDOLINO, SEDINA, STATIONS, timetable
from timetable_scraper.normalize import normalize
from timetable_scraper.observe import snapshot_view
from timetable_scraper.scrape import Politeness, TimetableScraper, plan
from timetable_scraper.snapshot import Snapshot
from trainbook.catalog.domain import TrainService
from trainbook.changes.domain import ChangeKind, diff

pytestmark = pytest.mark.browser

SEARCHED = ["Gdańsk Wrzeszcz", "Gdańsk Główny", "Warszawa Centralna", "Poznań Główny"]
QUICK = Politeness(pace=0, retries=1, backoff=0, timeout=10)
NAMES = {s.code: s.name for s in STATIONS}


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    # One result per page, so every search with two trains has to ask for later connections.
    with FixtureSite(timetable(), page_size=1) as running:
        yield running


@pytest.fixture(scope="module")
def first_scrape(browser: WebDriver, site: FixtureSite) -> Snapshot:
    return TimetableScraper(browser, site.url, QUICK).scrape(plan(SEARCHED, FIRST_DAY, 1))


def route(service: TrainService) -> list[tuple[object, ...]]:
    return [(NAMES[s.station], s.arrive, s.depart, s.platform, s.track) for s in service.stops]


def test_every_train_between_the_stations_is_seen_with_its_whole_route(first_scrape: Snapshot) -> None:
    runs = {run.train: run for run in first_scrape.runs}

    assert sorted(runs) == ["5300", "8302", "95"]
    for service in (PENDOLINO, EUROCITY, SEDINA):
        seen = runs[service.number]
        assert [(s.station, s.arrive, s.depart, s.platform, s.track) for s in seen.stops] == route(service)
        assert (seen.category, seen.name, seen.carrier, seen.day) == (
            str(service.category),
            service.name,
            service.operator,
            FIRST_DAY,
        )
    assert len(first_scrape.searches) == 12


def test_later_connections_are_paged_through(first_scrape: Snapshot, site: FixtureSite) -> None:
    from_wrzeszcz = [
        c.train for c in first_scrape.connections if (c.origin, c.destination) == tuple(SEARCHED[:2])
    ]

    assert from_wrzeszcz == ["5300", "95"]
    assert any("page=1" in path for path in site.requests)


def test_the_scrape_normalizes_back_to_the_timetable_it_was_served_from(first_scrape: Snapshot) -> None:
    source = timetable()

    result = normalize(first_scrape, STATIONS, source.compositions.values(), reference=source).timetable

    for service in (PENDOLINO, EUROCITY, SEDINA):
        assert result.services[service.number].stops == service.stops
        assert result.services[service.number].calendar.runs_on(FIRST_DAY)


def test_a_second_scrape_shows_delay_cancellation_platform_change_and_new_and_removed_runs(
    browser: WebDriver, site: FixtureSite, first_scrape: Snapshot
) -> None:
    site.timetable = timetable(PENDOLINO, EUROCITY)  # Sedina withdrawn
    site.disruptions = Disruptions(
        delays={"run-95-2026-12-01": Delay("GDW", 12)},
        cancellations={"run-5300-2026-12-01"},
        platforms={"run-95-2026-12-01": {"GDG": ("IV", "9")}},
    )
    try:
        second = TimetableScraper(browser, site.url, QUICK).scrape(plan(SEARCHED, FIRST_DAY, 1))
    finally:
        site.timetable, site.disruptions = timetable(), Disruptions()

    changes = diff(snapshot_view(first_scrape, STATIONS), snapshot_view(second, STATIONS))

    assert [(c.kind, c.train, c.station, c.minutes, c.platform) for c in changes] == [
        (ChangeKind.CANCELLATION, "5300", None, None, None),
        (ChangeKind.REMOVED_SERVICE, "8302", None, None, None),
        (ChangeKind.DELAY, "95", "GDW", 12, None),
        (ChangeKind.PLATFORM_CHANGE, "95", "GDG", None, "IV"),
    ]
