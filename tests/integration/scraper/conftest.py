"""Scraper integration tests: one headless Chromium and one fixture site per test module."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

# The fixture site lives beside the scraper as test equipment, not as an installed package.
SCRAPER_DIR = Path(__file__).resolve().parents[3] / "scraper"
if str(SCRAPER_DIR) not in sys.path:
    sys.path.insert(0, str(SCRAPER_DIR))

from timetable_scraper.browser import chromium  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver
