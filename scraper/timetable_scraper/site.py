"""The timetable site's page contract: every selector and text the scraper relies on, in one place.

Modelled on portalpasazera.pl (PKP PLK). When the real site changes its markup, this is the file to
update, and the error a scrape fails with names the selector from here that no longer matched.
"""

from __future__ import annotations

SEARCH_PATH = "/pl"
RESULTS_PATH = "/pl/WynikiWyszukiwania"  # ?id=<token>
ERROR_PAGE = "p.error"  # the site's own "service unavailable" page: worth a retry

COOKIE_ACCEPT_TEXT = "Akceptuj wszystkie"
COOKIE_BANNER = "#cookie-banner"
COOKIE_ACCEPT = "#cookie-banner button.cookie-banner__accept"

DEPARTURE_FROM = "#departureFrom"
ARRIVAL_TO = "#arrivalTo"
DATE_START = "#main-search__dateStart"  # dd.mm.yyyy
TIME_START = "#main-search__timeStart"  # HH:MM
SUGGESTION = "ul.autocomplete__list li.autocomplete__item"
SEARCH_BUTTON = ".btn-start-search"

RESULTS = "div.search-results"
RESULTS_LOADER = "div.search-results__loader"
RESULT_ROW = "div.search-results__item"
ROW_CANCELLED_CLASS = "search-results__item--cancelled"
ROW_START = ".search-results__item-times--start"
ROW_END = ".search-results__item-times--end"
HOUR = "span.search-results__item-hour"
DATE = "span.search-results__item-date"
DELAY = "span.inlinedelay"  # "(+N min)"
LABEL = "p.item-label"  # carrier, then category
TRAIN_NUMBER = ".search-results__item-train-nr"
TRAIN_NAME = ".search-results__item-train-name"
DETAILS_BUTTON = "button.search-results__item-details-btn"
DETAILS = "div.search-results__item-details"
LATER_BUTTON = "button.search-results__later"
NO_MORE = "p.search-results__no-more"

TIMELINE_ITEM = "li.timeline__item"
STOP_STATION = "p.timeline__content-station"
STOP_ARRIVAL = "span.timeline__content-arrival"
STOP_DEPARTURE = "span.timeline__content-departure"
STOP_PLATFORM = ".timeline__content-platform"  # "Peron II, tor 6"
