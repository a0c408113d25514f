"""The page parser on saved results pages (captured from the fixture site in headless Chromium)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from timetable_scraper.errors import PageChanged
from timetable_scraper.parse import parse_results, run_day
from timetable_scraper.snapshot import SeenStop

PAGES = Path(__file__).parent / "pages"
# GDW -> GDG on 01.12.2026: EIP 5300 cancelled; EC 95 7 min late from Gdańsk Wrzeszcz, moved to platform IV.
DELAYED_AND_CANCELLED = (PAGES / "results_gdw_gdg_delay_cancelled.html").read_text(encoding="utf-8")
# WAW -> POZ on 01.12.2026: EIC 8302 Sedina leaves at 23:10 and arrives after midnight.
PAST_MIDNIGHT = (PAGES / "results_waw_poz_past_midnight.html").read_text(encoding="utf-8")


def test_rows_read_train_times_carrier_category_delay_and_cancellation() -> None:
    rows = parse_results(DELAYED_AND_CANCELLED, "saved page")

    assert [(r.train, r.category, r.carrier, r.departs, r.arrives, r.delay, r.cancelled) for r in rows] == [
        ("5300", "EIP", "PKP Intercity", datetime(2026, 12, 1, 6, 22), datetime(2026, 12, 1, 6, 27), 0, True),
        ("95", "EC", "PKP Intercity", datetime(2026, 12, 1, 7, 20), datetime(2026, 12, 1, 7, 25), 7, False),
    ]


def test_details_give_the_whole_route_with_platforms_and_delays_from_where_they_start() -> None:
    eurocity = parse_results(DELAYED_AND_CANCELLED, "saved page")[1]

    assert eurocity.stops == (
        SeenStop("Gdynia Główna", None, 7 * 60 + 1, "I", "1", 0),
        SeenStop("Gdańsk Wrzeszcz", 7 * 60 + 18, 7 * 60 + 20, "I", "1", 7),
        SeenStop("Gdańsk Główny", 7 * 60 + 25, 7 * 60 + 28, "IV", "9", 7),
        SeenStop("Bydgoszcz Główna", 8 * 60 + 47, 8 * 60 + 56, "I", "2", 7),
        SeenStop("Poznań Główny", 10 * 60 + 20, None, "IV", "8", 7),
    )


def test_times_after_midnight_count_on_from_the_run_day() -> None:
    (sedina,) = parse_results(PAST_MIDNIGHT, "saved page")

    assert sedina.name == "Sedina"
    assert sedina.arrives == datetime(2026, 12, 2, 1, 28)
    assert sedina.stops is not None
    assert [s.arrive for s in sedina.stops] == [None, 24 * 60 + 88]
    assert run_day(sedina.stops, "Warszawa Centralna", sedina.departs, "saved page") == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("renamed", "selector"),
    [
        ("search-results__item-hour", "span.search-results__item-hour"),
        ("search-results__item-train-nr", ".search-results__item-train-nr"),
        ("timeline__content-station", "p.timeline__content-station"),
        ('class="search-results"', "div.search-results"),
    ],
)
def test_a_changed_page_fails_naming_the_selector_that_found_nothing(renamed: str, selector: str) -> None:
    page = DELAYED_AND_CANCELLED.replace(
        renamed, renamed.replace("search-results", "sr").replace("__", "--x")
    )

    with pytest.raises(PageChanged) as failure:
        parse_results(page, "saved page")

    assert failure.value.selector == selector
    assert selector in str(failure.value)


def test_unexpected_text_in_a_known_element_fails_rather_than_guessing() -> None:
    page = DELAYED_AND_CANCELLED.replace("Peron IV, tor 9", "Platform 4")

    with pytest.raises(PageChanged, match=r"timeline__content-platform.*'Platform 4'"):
        parse_results(page, "saved page")
