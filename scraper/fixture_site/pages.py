"""The fixture site's HTML, shaped like portalpasazera.pl's markup (class names from RAIL_FACTS.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from html import escape

from fixture_site.content import Connection, ShownStop


def _page(title: str, body: str, *, banner: bool) -> str:
    cookie_banner = (
        '<div id="cookie-banner" class="cookie-banner" role="dialog">'
        "<p>Ta strona używa plików cookies.</p>"
        '<button type="button" class="cookie-banner__accept">Akceptuj wszystkie</button>'
        '<button type="button" class="cookie-banner__settings">Ustawienia</button></div>'
        if banner
        else ""
    )
    return (
        '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8">'
        f"<title>{escape(title)} - Portal Pasażera (fixture)</title>"
        '<link rel="stylesheet" href="/static/site.css"></head><body>'
        f'<header><a href="/pl">Portal Pasażera</a></header><main>{body}</main>{cookie_banner}'
        '<script src="/static/site.js"></script></body></html>'
    )


def search_page(station_names: Iterable[str], *, banner: bool) -> str:
    names = escape(json.dumps(sorted(station_names), ensure_ascii=False))
    field = (
        '<div class="main-search__field"><label for="{id}">{label}</label>'
        '<input id="{id}" name="{id}" type="text" autocomplete="off" class="autocomplete">'
        '<input id="{id}Id" name="{id}Id" type="hidden">'
        '<ul class="autocomplete__list" hidden></ul></div>'
    )
    body = (
        f'<form class="main-search" method="post" action="/pl/Szukaj" data-stations="{names}">'
        + field.format(id="departureFrom", label="Skąd")
        + field.format(id="arrivalTo", label="Dokąd")
        + '<div class="main-search__field"><label for="main-search__dateStart">Data</label>'
        '<input id="main-search__dateStart" name="date" type="text" placeholder="dd.mm.rrrr"></div>'
        '<div class="main-search__field"><label for="main-search__timeStart">Godzina</label>'
        '<input id="main-search__timeStart" name="time" type="text" placeholder="gg:mm"></div>'
        '<p class="main-search__error" hidden></p>'
        '<button type="submit" class="btn btn-start-search">Wyszukaj</button></form>'
    )
    return _page("Wyszukiwarka połączeń", body, banner=banner)


def results_page(token: str, origin: str, destination: str, after: datetime, *, banner: bool) -> str:
    body = (
        f"<h1>{escape(origin)} → {escape(destination)}, {after:%d.%m.%Y} od {after:%H:%M}</h1>"
        f'<div class="search-results" data-token="{escape(token)}">'
        '<div class="search-results__list"></div>'
        '<div class="search-results__loader">Wczytywanie…</div>'
        '<button type="button" class="search-results__later" hidden>Pokaż późniejsze połączenia</button>'
        '<p class="search-results__no-more" hidden>Brak późniejszych połączeń</p></div>'
    )
    return _page("Wyniki wyszukiwania", body, banner=banner)


def error_page(message: str) -> str:
    return _page("Błąd", f'<p class="error">{escape(message)}</p>', banner=False)


def _delay(minutes: int) -> str:
    return f' <span class="inlinedelay">(+{minutes} min)</span>' if minutes else ""


def result_rows(found: Iterable[Connection], origin: str, destination: str) -> str:
    rows = []
    for c in found:
        service = c.run.service
        cancelled = " search-results__item--cancelled" if c.cancelled else ""
        name = (
            f'<span class="search-results__item-train-name">{escape(service.name)}</span>'
            if service.name
            else ""
        )
        rows.append(
            f'<div class="search-results__item{cancelled}" data-connection="{escape(c.key)}">'
            '<div class="search-results__item-times">'
            '<div class="search-results__item-times--start">'
            f'<span class="search-results__item-hour">{c.departs:%H:%M}</span>{_delay(c.delay)}'
            f'<span class="search-results__item-date">{c.departs:%d.%m.%Y}</span>'
            f'<p class="search-results__item-station">{escape(origin)}</p></div>'
            '<div class="search-results__item-times--end">'
            f'<span class="search-results__item-hour">{c.arrives:%H:%M}</span>'
            f'<span class="search-results__item-date">{c.arrives:%d.%m.%Y}</span>'
            f'<p class="search-results__item-station">{escape(destination)}</p></div></div>'
            '<div class="search-results__item-train">'
            f'<p class="item-label">{escape(service.operator)}</p>'
            f'<p class="item-label">{escape(str(service.category))}</p>'
            f'<span class="search-results__item-train-nr">{escape(service.number)}</span>{name}</div>'
            + ('<p class="search-results__item-cancelled">Pociąg odwołany</p>' if c.cancelled else "")
            + '<button type="button" class="search-results__item-details-btn">Szczegóły</button>'
            '<div class="search-results__item-details"></div></div>'
        )
    return "".join(rows)


def _clock(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def timeline(route: Iterable[ShownStop]) -> str:
    items = []
    for stop in route:
        platform = (
            '<p class="timeline__content-platform">'
            f"Peron {escape(stop.platform)}, tor {escape(stop.track or '')}</p>"
            if stop.platform
            else ""
        )
        items.append(
            '<li class="timeline__item"><div class="timeline__content">'
            f'<p class="timeline__content-station">{escape(stop.name)}</p>'
            '<p class="timeline__content-time">'
            f'<span class="timeline__content-arrival">{_clock(stop.arrive)}</span> '
            f'<span class="timeline__content-departure">{_clock(stop.depart)}</span>'
            f"{_delay(stop.delay)}</p>{platform}</div></li>"
        )
    return f'<ol class="timeline">{"".join(items)}</ol>'
