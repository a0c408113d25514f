"""Why a scrape stops: the page no longer looks as expected, the site does not answer, or data is partial."""

from __future__ import annotations


class ScrapeError(Exception):
    """A scrape that cannot be trusted; nothing it saw is written."""


class PageChanged(ScrapeError):
    """A selector of the page contract (`site.py`) matched nothing: the markup changed or is broken."""

    def __init__(self, selector: str, where: str, detail: str = "") -> None:
        self.selector = selector
        self.where = where
        message = f"page changed: selector {selector!r} found nothing in {where}"
        super().__init__(message + (f" ({detail})" if detail else ""))


class SiteUnavailable(ScrapeError):
    """The site kept failing after every retry."""


class IncompleteSnapshot(ScrapeError):
    """A snapshot that does not cover every search it was asked for; never used as the whole timetable."""
