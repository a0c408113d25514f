"""Scrapes a portalpasazera.pl-shaped site the way a person would, into a complete `Snapshot`.

For each ordered pair of stations and each day: open the search page, dismiss the cookie banner,
type the stations and pick them from the suggestions, fill date and time, search, wait for the
results, page through "later connections" until the day is over, and open the details of every
train not seen yet (its route, platforms and delays). Every wait is an explicit WebDriverWait on
a condition. Searches are paced, and a search that fails because the site is unavailable is retried
with backoff; a page whose markup changed fails at once, naming the selector.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import permutations

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from timetable_scraper import parse, site
from timetable_scraper.errors import PageChanged, ScrapeError, SiteUnavailable
from timetable_scraper.parse import ResultRow
from timetable_scraper.snapshot import Search, SeenConnection, SeenRun, Snapshot

TYPED_LETTERS = 7


@dataclass(frozen=True)
class Politeness:
    pace: float = 1.0  # seconds between two searches, so the site sees a person's rhythm
    retries: int = 3  # further attempts of a search after the site failed
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    timeout: float = 15.0  # longest wait for one page condition


def plan(stations: Sequence[str], first_day: date, days: int) -> list[Search]:
    """Every ordered pair of stations on every day of the range."""
    dates = [first_day + timedelta(days=i) for i in range(days)]
    return [Search(a, b, d) for d in dates for a, b in permutations(stations, 2)]


class TimetableScraper:
    def __init__(
        self,
        driver: WebDriver,
        base_url: str,
        politeness: Politeness = Politeness(),
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.politeness = politeness
        self._sleep = sleep  # pacing and backoff only; page conditions are always awaited, never slept on
        self._last_search = 0.0

    def scrape(
        self, searches: Iterable[Search], on_search: Callable[[Search, int], None] | None = None
    ) -> Snapshot:
        """Run every search; return the snapshot only if all of them answered (else raise, return nothing)."""
        started = datetime.now().astimezone()
        done: list[Search] = []
        connections: list[SeenConnection] = []
        runs: dict[tuple[str, date], SeenRun] = {}
        for search in searches:
            rows = self._with_retries(search, runs)
            for row in rows:
                connections.append(self._connection(search, row, runs))
            done.append(search)
            if on_search is not None:
                on_search(search, len(rows))
        return Snapshot(
            site=self.base_url,
            scraped_at=started,
            searches=tuple(done),
            connections=tuple(connections),
            runs=tuple(sorted(runs.values(), key=lambda r: (r.day, r.train))),
        )

    # -- one search ------------------------------------------------------------------------

    def _with_retries(self, search: Search, runs: dict[tuple[str, date], SeenRun]) -> list[ResultRow]:
        delay = self.politeness.backoff
        last: Exception | None = None
        for attempt in range(self.politeness.retries + 1):
            if attempt:
                self._sleep(delay)
                delay *= 2
            self._pace()
            try:
                return self._search(search, runs)
            except (SiteUnavailable, WebDriverException) as error:
                # PageChanged is not caught: a changed page does not get better by asking again.
                last = error
        raise SiteUnavailable(
            f"{self._where(search)}: still failing after {self.politeness.retries + 1} attempts: {last}"
        ) from last

    def _search(self, search: Search, runs: dict[tuple[str, date], SeenRun]) -> list[ResultRow]:
        where = self._where(search)
        self.driver.get(f"{self.base_url}{site.SEARCH_PATH}")
        self._check_answered(where)
        self._dismiss_cookie_banner(where)
        self._choose_station(site.DEPARTURE_FROM, search.origin, where)
        self._choose_station(site.ARRIVAL_TO, search.destination, where)
        self._type(site.DATE_START, f"{search.day:%d.%m.%Y}", where)
        self._type(site.TIME_START, "00:00", where)
        self._clickable(site.SEARCH_BUTTON, where).click()
        self._wait(where, site.RESULTS, lambda d: site.RESULTS_PATH in d.current_url)
        self._check_answered(where)
        self._wait(where, site.RESULTS, ec.presence_of_element_located((By.CSS_SELECTOR, site.RESULTS)))
        self._wait_for_page_of_results(where)
        self._page_through_day(search.day, where)
        self._open_unseen_details(search, runs, where)
        html = self._one(site.RESULTS, where).get_attribute("outerHTML") or ""
        rows = [r for r in parse.parse_results(html, where) if r.departs.date() == search.day]
        for row in rows:
            if row.stops is not None:
                day = parse.run_day(row.stops, search.origin, row.departs, where)
                run = SeenRun(row.train, row.category, row.name, row.carrier, day, row.cancelled, row.stops)
                runs.setdefault(run.key, run)
        return rows

    def _dismiss_cookie_banner(self, where: str) -> None:
        # The banner is only there until the session's cookie is set: present on the first page.
        if not self.driver.find_elements(By.CSS_SELECTOR, site.COOKIE_BANNER):
            return
        button = self._clickable(site.COOKIE_ACCEPT, where)
        if button.text.strip() != site.COOKIE_ACCEPT_TEXT:
            raise PageChanged(site.COOKIE_ACCEPT, where, f"button reads {button.text!r}")
        button.click()
        self._wait(
            where,
            site.COOKIE_BANNER,
            ec.invisibility_of_element_located((By.CSS_SELECTOR, site.COOKIE_BANNER)),
        )

    def _choose_station(self, field: str, name: str, where: str) -> None:
        # Type the start of the name, as a person does, then pick the exact name from the suggestions.
        self._type(field, name[:TYPED_LETTERS], where)

        def suggestion(driver: WebDriver) -> WebElement | bool:
            for item in driver.find_elements(By.CSS_SELECTOR, f"{field} ~ {site.SUGGESTION}"):
                if item.is_displayed() and item.text.strip() == name:
                    return item
            return False

        item = self._wait(where, f"{field} ~ {site.SUGGESTION}", suggestion)
        assert isinstance(item, WebElement)
        item.click()

    def _type(self, selector: str, text: str, where: str) -> None:
        field = self._clickable(selector, where)
        field.clear()
        field.send_keys(text)

    def _wait_for_page_of_results(self, where: str) -> None:
        """A page of results is in when the loader is gone and the site offers more or says it is done."""
        self._wait(
            where,
            f"{site.LATER_BUTTON} or {site.NO_MORE}",
            lambda d: (
                not _displayed(d, site.RESULTS_LOADER)
                and (_displayed(d, site.LATER_BUTTON) or _displayed(d, site.NO_MORE))
            ),
        )

    def _page_through_day(self, day: date, where: str) -> None:
        while True:
            rows = self.driver.find_elements(By.CSS_SELECTOR, site.RESULT_ROW)
            if rows and self._row_day(rows[-1], where) > day:
                return  # the planner has moved on to the next day
            later = [
                b for b in self.driver.find_elements(By.CSS_SELECTOR, site.LATER_BUTTON) if b.is_displayed()
            ]
            if not later:
                return  # the end-of-results note is showing (awaited by _wait_for_page_of_results)
            shown = len(rows)
            later[0].click()
            self._wait(where, site.RESULT_ROW, _more_rows_than(shown))
            self._wait_for_page_of_results(where)

    def _open_unseen_details(self, search: Search, runs: dict[tuple[str, date], SeenRun], where: str) -> None:
        rows = self.driver.find_elements(By.CSS_SELECTOR, site.RESULT_ROW)
        for i in range(len(rows)):
            row = self.driver.find_elements(By.CSS_SELECTOR, site.RESULT_ROW)[i]
            train = self._row_text(row, site.TRAIN_NUMBER, where)
            departs = datetime.strptime(
                f"{self._row_text(row, f'{site.ROW_START} {site.DATE}', where)} "
                f"{self._row_text(row, f'{site.ROW_START} {site.HOUR}', where)}",
                "%d.%m.%Y %H:%M",
            )
            if departs.date() != search.day or _known(runs, train, search.origin, departs):
                continue
            buttons = row.find_elements(By.CSS_SELECTOR, site.DETAILS_BUTTON)
            if not buttons:
                raise PageChanged(site.DETAILS_BUTTON, f"{where}, row {i + 1}")
            buttons[0].click()
            self._wait(f"{where}, row {i + 1}", f"{site.DETAILS} {site.TIMELINE_ITEM}", _details_open(row))

    # -- helpers ---------------------------------------------------------------------------

    def _connection(
        self, search: Search, row: ResultRow, runs: dict[tuple[str, date], SeenRun]
    ) -> SeenConnection:
        for run in runs.values():
            if run.train == row.train and _departs_at(run, search.origin) == row.departs:
                return SeenConnection(
                    origin=search.origin,
                    destination=search.destination,
                    train=row.train,
                    run_day=run.day,
                    departs=row.departs,
                    arrives=row.arrives,
                    delay=row.delay,
                    cancelled=row.cancelled,
                )
        raise ScrapeError(f"{self._where(search)}: the details of train {row.train} were never seen")

    def _check_answered(self, where: str) -> None:
        """An error page (the site's 503) is worth a retry; anything else is judged by selectors."""
        errors = self.driver.find_elements(By.CSS_SELECTOR, site.ERROR_PAGE)
        if errors:
            raise SiteUnavailable(f"{where}: the site answered {errors[0].text!r}")

    def _wait(self, where: str, selector: str, condition: Callable[[WebDriver], object]) -> object:
        try:
            return WebDriverWait(self.driver, self.politeness.timeout, poll_frequency=0.05).until(condition)
        except TimeoutException:
            self._check_answered(where)
            if _displayed(self.driver, site.RESULTS_LOADER):
                raise SiteUnavailable(
                    f"{where}: results still loading after {self.politeness.timeout} s"
                ) from None
            raise PageChanged(selector, where, f"waited {self.politeness.timeout} s") from None

    def _clickable(self, selector: str, where: str) -> WebElement:
        found = self._wait(where, selector, ec.element_to_be_clickable((By.CSS_SELECTOR, selector)))
        assert isinstance(found, WebElement)
        return found

    def _one(self, selector: str, where: str) -> WebElement:
        found = self.driver.find_elements(By.CSS_SELECTOR, selector)
        if not found:
            raise PageChanged(selector, where)
        return found[0]

    def _row_text(self, row: WebElement, selector: str, where: str) -> str:
        found = row.find_elements(By.CSS_SELECTOR, selector)
        if not found:
            raise PageChanged(selector, where)
        return str(found[0].text).strip()

    def _row_day(self, row: WebElement, where: str) -> date:
        text = self._row_text(row, f"{site.ROW_START} {site.DATE}", where)
        try:
            return datetime.strptime(text, "%d.%m.%Y").date()
        except ValueError:
            raise PageChanged(site.DATE, where, f"unexpected date {text!r}") from None

    def _pace(self) -> None:
        wait = self._last_search + self.politeness.pace - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_search = time.monotonic()

    @staticmethod
    def _where(search: Search) -> str:
        return f"search {search.origin} → {search.destination} on {search.day.isoformat()}"


def _displayed(driver: WebDriver, selector: str) -> bool:
    return any(el.is_displayed() for el in driver.find_elements(By.CSS_SELECTOR, selector))


def _departs_at(run: SeenRun, station: str) -> datetime | None:
    for stop in run.stops:
        if stop.station == station and stop.depart is not None:
            return datetime(run.day.year, run.day.month, run.day.day) + timedelta(minutes=stop.depart)
    return None


def _known(runs: dict[tuple[str, date], SeenRun], train: str, origin: str, departs: datetime) -> bool:
    return any(r.train == train and _departs_at(r, origin) == departs for r in runs.values())


def _more_rows_than(count: int) -> Callable[[WebDriver], bool]:
    def condition(driver: WebDriver) -> bool:
        return len(driver.find_elements(By.CSS_SELECTOR, site.RESULT_ROW)) > count or _displayed(
            driver, site.NO_MORE
        )

    return condition


def _details_open(row: WebElement) -> Callable[[WebDriver], bool]:
    def condition(driver: WebDriver) -> bool:
        return bool(row.find_elements(By.CSS_SELECTOR, f"{site.DETAILS} {site.TIMELINE_ITEM}"))

    return condition
