"""Reads the timetable site's result rows and details views into what a scrape saw (pure, no browser).

Live scrapes pass the HTML Chromium rendered; unit tests pass saved pages. Any selector that finds
nothing, or text that does not read as expected, raises `PageChanged` naming the selector, so a
changed site stops the scrape instead of filling the timetable with guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from timetable_scraper import site
from timetable_scraper.dom import Element, parse_html
from timetable_scraper.errors import PageChanged
from timetable_scraper.snapshot import SeenStop

_HOUR = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_DELAY = re.compile(r"\(\+\s*(\d+)\s*min\)")
_PLATFORM = re.compile(r"^Peron\s+([IVXLC]+)\s*,\s*tor\s+(\w+)$")


@dataclass(frozen=True)
class ResultRow:
    train: str
    category: str
    name: str | None
    carrier: str
    departs: datetime
    arrives: datetime
    delay: int
    cancelled: bool
    stops: tuple[SeenStop, ...] | None  # None while the row's details are closed


def parse_results(html: str, where: str) -> list[ResultRow]:
    """Every result row on a results page, in the order shown."""
    root = parse_html(html)
    if root.select_one(site.RESULTS) is None:
        raise PageChanged(site.RESULTS, where)
    return [parse_row(row, f"{where}, row {i + 1}") for i, row in enumerate(root.select(site.RESULT_ROW))]


def parse_row(row: Element, where: str) -> ResultRow:
    start = _one(row, site.ROW_START, where)
    end = _one(row, site.ROW_END, where)
    labels = row.select(site.LABEL)
    if len(labels) < 2:
        raise PageChanged(site.LABEL, where, f"expected carrier and category, found {len(labels)} label(s)")
    train = _one(row, site.TRAIN_NUMBER, where).text()
    if not train:
        raise PageChanged(site.TRAIN_NUMBER, where, "empty train number")
    name_el = row.select_one(site.TRAIN_NAME)
    details = row.select_one(site.DETAILS)
    stops = None
    if details is not None and details.select_one(site.TIMELINE_ITEM) is not None:
        stops = parse_timeline(details, where)
    return ResultRow(
        train=train,
        category=labels[1].text(),
        name=(name_el.text() or None) if name_el is not None else None,
        carrier=labels[0].text(),
        departs=_moment(start, where),
        arrives=_moment(end, where),
        delay=parse_delay(start.select_one(site.DELAY)),
        cancelled=site.ROW_CANCELLED_CLASS in row.classes,
        stops=stops,
    )


def parse_timeline(details: Element, where: str) -> tuple[SeenStop, ...]:
    """The train's route; times become minutes after midnight of the day it left its first stop."""
    items = details.select(site.TIMELINE_ITEM)
    if not items:
        raise PageChanged(site.TIMELINE_ITEM, where)
    stops: list[SeenStop] = []
    day_offset = 0
    last = -1
    for i, item in enumerate(items):
        at = f"{where}, stop {i + 1}"
        station = _one(item, site.STOP_STATION, at).text()
        times: list[int | None] = []
        for selector in (site.STOP_ARRIVAL, site.STOP_DEPARTURE):
            text = _one(item, selector, at).text()
            if not text:
                times.append(None)
                continue
            minutes = _hour(text, selector, at)
            # Times only carry a clock: a time earlier than the previous one is past midnight.
            while minutes + day_offset < last:
                day_offset += 1440
            last = minutes + day_offset
            times.append(last)
        if times == [None, None]:
            raise PageChanged(site.STOP_DEPARTURE, at, "a stop with neither arrival nor departure")
        platform, track = parse_platform(item.select_one(site.STOP_PLATFORM), at)
        stops.append(
            SeenStop(station, times[0], times[1], platform, track, parse_delay(item.select_one(site.DELAY)))
        )
    return tuple(stops)


def run_day(stops: tuple[SeenStop, ...], origin: str, departs: datetime, where: str) -> date:
    """The day the train left its first stop, from the searched origin's row date and route offset."""
    for stop in stops:
        if stop.station == origin and stop.depart is not None:
            return departs.date() - timedelta(days=stop.depart // 1440)
    raise PageChanged(site.STOP_STATION, where, f"the route shown does not leave from {origin}")


def parse_delay(el: Element | None) -> int:
    if el is None or not el.text():
        return 0
    match = _DELAY.search(el.text())
    if match is None:
        raise PageChanged(site.DELAY, "a delay", f"unexpected text {el.text()!r}")
    return int(match.group(1))


def parse_platform(el: Element | None, where: str) -> tuple[str | None, str | None]:
    # A stop whose platform is not yet assigned shows no platform line at all.
    if el is None or not el.text():
        return None, None
    match = _PLATFORM.match(el.text())
    if match is None:
        raise PageChanged(site.STOP_PLATFORM, where, f"unexpected text {el.text()!r}")
    return match.group(1), match.group(2)


def _moment(block: Element, where: str) -> datetime:
    hour = _one(block, site.HOUR, where).text()
    day = _one(block, site.DATE, where).text()
    match = _DATE.match(day)
    if match is None:
        raise PageChanged(site.DATE, where, f"unexpected date {day!r}")
    dd, mm, yyyy = (int(g) for g in match.groups())
    minutes = _hour(hour, site.HOUR, where)
    return datetime(yyyy, mm, dd, minutes // 60, minutes % 60)


def _hour(text: str, selector: str, where: str) -> int:
    match = _HOUR.match(text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise PageChanged(selector, where, f"unexpected time {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def _one(el: Element, selector: str, where: str) -> Element:
    found = el.select_one(selector)
    if found is None:
        raise PageChanged(selector, where)
    return found
