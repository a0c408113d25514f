"""A site that changed, fails, or is down: the scrape stops loudly, names what broke, and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver
from typer.testing import CliRunner

from fixture_site.disruptions import Delay, Disruptions
from fixture_site.server import FixtureSite
from tests.unit.scraper.builders import FIRST_DAY, timetable
from timetable_file import reading
from timetable_scraper import snapshot
from timetable_scraper.errors import PageChanged, SiteUnavailable
from timetable_scraper.scrape import Politeness, TimetableScraper, plan
from trainbook.catalog.events import TrainDelayed, TrainRunCancelled
from trainbook.eventstore.store import EventStore
from trainbook_cli.main import app

pytestmark = pytest.mark.browser

PAIR = ["Gdańsk Wrzeszcz", "Gdańsk Główny"]


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite(timetable(), page_size=1) as running:
        yield running


@pytest.fixture(autouse=True)
def healthy(site: FixtureSite) -> Iterator[None]:
    yield
    site.rename_classes, site.fail_next, site.disruptions = {}, 0, Disruptions()


def scraper(browser: WebDriver, site: FixtureSite, **politeness: float) -> TimetableScraper:
    no_waiting: list[float] = []
    settings = {"pace": 0.0, "retries": 1, "backoff": 0.5, "timeout": 5.0, **politeness}
    return TimetableScraper(browser, site.url, Politeness(**settings), sleep=no_waiting.append)  # type: ignore[arg-type]


def test_a_renamed_result_field_fails_naming_the_selector(browser: WebDriver, site: FixtureSite) -> None:
    site.rename_classes = {"search-results__item-hour": "search-results__item-time"}

    with pytest.raises(PageChanged) as failure:
        scraper(browser, site).scrape(plan(PAIR, FIRST_DAY, 1))

    assert failure.value.selector.endswith("span.search-results__item-hour")


def test_a_missing_search_button_fails_after_the_wait_naming_it(
    browser: WebDriver, site: FixtureSite
) -> None:
    site.rename_classes = {"btn-start-search": "btn-search"}

    with pytest.raises(PageChanged) as failure:
        scraper(browser, site, timeout=1.0).scrape(plan(PAIR, FIRST_DAY, 1))

    assert failure.value.selector == ".btn-start-search"


def test_a_passing_outage_is_retried_with_backoff(browser: WebDriver, site: FixtureSite) -> None:
    site.fail_next = 1
    waits: list[float] = []
    politeness = Politeness(pace=0, retries=2, backoff=0.5, timeout=5)

    seen = TimetableScraper(browser, site.url, politeness, sleep=waits.append).scrape(
        plan(PAIR, FIRST_DAY, 1)
    )

    assert {c.train for c in seen.connections} == {"5300", "95"}
    assert waits == [0.5]


def test_a_site_that_stays_down_gives_up_after_the_retries(browser: WebDriver, site: FixtureSite) -> None:
    site.fail_next = 100

    with pytest.raises(SiteUnavailable, match="after 2 attempts"):
        scraper(browser, site, retries=1).scrape(plan(PAIR, FIRST_DAY, 1))


def cli(site: FixtureSite, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "scrape",
        "--base-url",
        site.url,
        "--stations",
        "GDW,GDG",
        "--from",
        FIRST_DAY.isoformat(),
        "--pace",
        "0",
        "--timeout",
        "5",
        "--output",
        str(tmp_path / "timetable.json"),
        *extra,
    ]


def test_the_command_writes_nothing_when_a_page_changed(site: FixtureSite, tmp_path: Path) -> None:
    site.rename_classes = {"timeline__content-station": "timeline__station"}

    result = CliRunner().invoke(app, cli(site, tmp_path))

    assert result.exit_code == 1
    assert "p.timeline__content-station" in result.output and "nothing written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_snapshot_and_timetable_then_records_the_changes(
    site: FixtureSite, tmp_path: Path, aws: None
) -> None:
    first = CliRunner().invoke(app, cli(site, tmp_path, "--snapshot", str(tmp_path / "before.json")))
    assert first.exit_code == 0, first.output
    site.disruptions = Disruptions(
        delays={"run-95-2026-12-01": Delay("GDW", 9)}, cancellations={"run-5300-2026-12-01"}
    )

    second = CliRunner().invoke(app, cli(site, tmp_path, "--diff", str(tmp_path / "before.json")))

    assert second.exit_code == 0, second.output
    assert "run-5300-2026-12-01" in second.output and "cancellation" in second.output
    assert "9 min late at GDW" in second.output
    assert [type(e.event) for e in EventStore().read("run-5300-2026-12-01")] == [TrainRunCancelled]
    (delayed,) = EventStore().read("run-95-2026-12-01")
    assert isinstance(delayed.event, TrainDelayed) and delayed.event.minutes == 9
    loaded = reading.read(tmp_path / "timetable.json")
    assert sorted(loaded.services) == ["5300", "95"]
    assert snapshot.read(tmp_path / "snapshot.json.gz").run("5300", FIRST_DAY) is not None
