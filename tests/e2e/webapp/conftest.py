"""The web app in headless Debian Chromium (Playwright for Python) against ONE `trainbook up`, real template.

Every screen a test visits is photographed at 390x844 and 1440x900 into `tests/e2e/webapp/screenshots/`
(git-ignored; CI keeps it as an artifact) and checked with axe-core: no serious or critical violation.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.localcloud.running import RunningCloud

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
DIST = REPO / "frontend" / "dist"
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No network beyond localhost, no first-run work: the flags measured in EMULATION_NOTES.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# One wait for everything the app shows after a server round trip, actions and assertions alike (Playwright's
# assertions would otherwise give up after 5 s, its actions after 30 s).
expect.set_options(timeout=30_000)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
TOMORROW = date.today() + timedelta(days=1)
PASSWORD = "Pociag-2026!"


def booking_status(page: Page) -> Locator:
    """The status badge of the booking page; its `data-status` is the API's status."""
    return page.locator("[data-testid=booking-status]")


@dataclass
class Screens:
    """Screenshots at both sizes and an axe-core check of each screen a test shows."""

    axe_source: str
    violations: dict[str, list[str]] = field(default_factory=dict)

    def check(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        expect(page.locator("[data-loading]")).to_have_count(0)  # photograph the screen, not a spinner
        original = page.viewport_size or DESKTOP
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {label} size"
        page.set_viewport_size(original)
        self.axe(page, name)

    def axe(self, page: Page, name: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self.axe_source)
        result: dict[str, Any] = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"axe-core on {name}:\n" + "\n".join(bad)


@dataclass
class WebApp:
    cloud: RunningCloud
    http: httpx.Client
    browser: Browser
    screens: Screens

    @property
    def url(self) -> str:
        return self.cloud.url

    def context(self) -> BrowserContext:
        context = self.browser.new_context(
            viewport=DESKTOP, locale="pl-PL", timezone_id="America/New_York", accept_downloads=True
        )
        context.set_default_timeout(30_000)
        # Printed, so a failing test's output names any server error or broken request the app met.
        context.on(
            "response",
            lambda r: print(f"HTTP {r.status} {r.request.method} {r.url}") if r.status >= 500 else None,
        )
        context.on("requestfailed", lambda r: print(f"request failed: {r.method} {r.url} {r.failure}"))
        return context

    def register_over_api(self, name: str = "Ola Nowak") -> tuple[str, str]:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        answer = self.http.post("/auth/register", json={"email": email, "password": PASSWORD, "name": name})
        assert answer.status_code == 201, answer.text
        return email, answer.json()["access_token"]

    def sign_in(self, page: Page, email: str) -> None:
        page.goto(f"{self.url}/signin")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Hasło").fill(PASSWORD)
        page.get_by_role("button", name="Zaloguj się").last.click()
        page.wait_for_url(re.compile(r"/search"))

    def sales_confirmed(self, admin_email: str) -> int:
        """Bookings confirmed today, as `GET /admin/sales` says to an administrator."""
        session = self.http.post("/auth/login", json={"email": admin_email, "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {session['access_token']}"}
        answer = self.http.get("/admin/sales", headers=headers)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["bookings_confirmed"])

    def book_over_api(self, token: str, run_id: str, car: int, seat: int, name: str) -> str:
        """Books one seat GDW -> KRK with the approving test card (tokenized first, as the app does)."""
        card = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        tokenized = self.http.post("/payments/tokens", json=card)
        assert tokenized.status_code == 201, tokenized.text
        booked = self.http.post(
            "/bookings",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            json={
                "run_id": run_id,
                "origin": "GDW",
                "destination": "KRK",
                "seats": [{"car": car, "seat": seat}],
                "passengers": [{"name": name}],
                "payment_token": tokenized.json()["token"],
            },
        )
        assert booked.status_code == 202, booked.text
        return str(booked.json()["booking_id"])

    def run_of(self, origin: str, destination: str, index: int) -> str:
        answer = self.http.get(
            "/search", params={"from": origin, "to": destination, "date": TOMORROW.isoformat()}
        )
        assert answer.status_code == 200, answer.text
        departures = [d for d in answer.json()["departures"] if not d["cancelled"]]
        return str(departures[index % len(departures)]["run_id"])


@pytest.fixture(scope="package")
def webapp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    if not (DIST / "index.html").exists() or not AXE.exists():
        pytest.fail("the web app is not built: run `make frontend-check` (npm ci, build) first")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make system-deps`")
    SCREENSHOTS.mkdir(exist_ok=True)
    home = tmp_path_factory.mktemp("chromium-home")
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[variable] = str(home)
    cloud = RunningCloud(
        REPO / "template.yaml", Path(tmp_path_factory.mktemp("webapp")), "--reset", "--timetable-days", "3"
    )
    try:
        with (
            httpx.Client(base_url=cloud.api_url, timeout=60) as http,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                yield WebApp(cloud, http, browser, Screens(AXE.read_text()))
            finally:
                browser.close()
    finally:
        cloud.stop()
