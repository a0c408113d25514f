"""Changes, notifications and analytics in the browser: an admin's delay reaches a passenger's open page
live, and the analytics dashboard moves when a booking is confirmed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.webapp.conftest import WebApp, booking_status
from tests.e2e.webapp.test_admin_sales import create_admin

WARSAW = ZoneInfo("Europe/Warsaw")


def free_second_class_seat(webapp: WebApp, run_id: str) -> tuple[int, int]:
    cars = webapp.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDW", "to": "KRK"}).json()["cars"]
    car = next(c for c in cars if c["travel_class"] == 2 and any(s["state"] == "free" for s in c["seats"]))
    return car["number"], next(s["seat"] for s in car["seats"] if s["state"] == "free")


def unread(page: Page) -> int:
    return int(page.get_by_test_id("unread-count").inner_text())


def test_an_admins_75_minute_delay_reaches_the_passengers_open_page_live(webapp: WebApp) -> None:
    admin_email = create_admin(webapp)
    passenger_email, token = webapp.register_over_api("Ola Wrona")
    run_id = webapp.run_of("GDW", "KRK", 2)
    car, seat = free_second_class_seat(webapp, run_id)
    booking_id = webapp.book_over_api(token, run_id, car, seat, "Ola Wrona")

    passenger = webapp.context()
    page = passenger.new_page()
    webapp.sign_in(page, passenger_email)
    page.goto(f"{webapp.url}/bookings/{booking_id}")
    expect(booking_status(page)).to_have_attribute("data-status", "CONFIRMED")
    expect(page.get_by_test_id("unread-count")).to_have_text("0")
    expect(page.get_by_test_id("disruption")).to_have_count(0)

    admin = webapp.context()
    desk = admin.new_page()
    webapp.sign_in(desk, admin_email)
    desk.get_by_role("link", name="Zmiany w rozkładzie").click()
    # The operator names the train by its number on the day the page shows, typed as 02.12.2026.
    train, day = run_id.removeprefix("run-").split("-", 1)
    desk.get_by_label("Dzień").fill(".".join(reversed(day.split("-"))))
    form = desk.get_by_test_id("change-form")
    form.get_by_label("Numer pociągu").fill(train)
    expect(form.get_by_test_id("train-run")).to_contain_text("→")
    form.get_by_label("Rodzaj zmiany").select_option("delay")
    station = form.get_by_label("Stacja")
    expect(station.locator("option[value=KRK]")).to_have_count(1)  # the run's stops have loaded
    station.select_option("KRK")
    form.get_by_label("Minuty opóźnienia").fill("75")
    form.get_by_label("Przyczyna").fill("awaria sieci trakcyjnej")
    form.get_by_role("button", name="Zapisz zmianę").click()
    expect(desk.get_by_test_id("change-recorded")).to_be_visible()
    expect(desk.get_by_test_id("change").filter(has_text="+75")).to_have_count(1)
    webapp.screens.check(desk, "changes-admin")

    # The passenger's page was never reloaded: the count and the banner arrive by themselves.
    expect(page.get_by_test_id("unread-count")).to_have_text("1", timeout=90_000)
    scheduled = next(
        s["arrives_at"] for s in webapp.http.get(f"/runs/{run_id}").json()["stops"] if s["station"] == "KRK"
    )
    expected = datetime.fromisoformat(scheduled).astimezone(WARSAW) + timedelta(minutes=75)
    banner = page.get_by_test_id("disruption")
    expect(banner).to_contain_text("+75\u00a0min")
    expect(banner).to_contain_text(expected.strftime("%H:%M"))
    expect(banner.get_by_test_id("claim")).to_contain_text("25 %")
    webapp.screens.check(page, "booking-delayed")

    page.get_by_role("link", name=re.compile("^Powiadomienia")).click()
    notice = page.get_by_test_id("notification").first
    expect(notice).to_contain_text("75")
    webapp.screens.check(page, "notifications")
    notice.get_by_role("button", name="Oznacz jako przeczytane").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("0")

    # A wrong input is answered in the form, and nothing is recorded.
    form.get_by_label("Minuty opóźnienia").fill("")
    form.get_by_label("Rodzaj zmiany").select_option("restore")
    form.get_by_role("button", name="Zapisz zmianę").click()
    expect(form.get_by_role("alert")).to_be_visible()
    passenger.close()
    admin.close()


def test_the_analytics_page_shows_the_days_figures_and_moves_when_a_booking_is_confirmed(
    webapp: WebApp,
) -> None:
    email = create_admin(webapp)
    session = webapp.http.post("/auth/login", json={"email": email, "password": "Pociag-2026!"}).json()
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    today = datetime.now(WARSAW).date().isoformat()
    figures = webapp.http.get("/admin/analytics", params={"from": today, "to": today}, headers=headers)
    assert figures.status_code == 200, figures.text

    context = webapp.context()
    page = context.new_page()
    webapp.sign_in(page, email)
    page.get_by_role("link", name="Analityka").click()
    # By its role: "Od" is also the start of the chart's "Odszkodowania" legend once the figures load.
    page.get_by_role("textbox", name=re.compile(r"^Od\b")).fill(today)
    confirmed = page.get_by_test_id("total-confirmed").locator("dd")
    expect(confirmed).to_have_text(str(figures.json()["totals"]["confirmed"]))
    webapp.screens.check(page, "admin-analytics")
    before = int(confirmed.inner_text())

    _, token = webapp.register_over_api("Ewa Sowa")
    run_id = webapp.run_of("GDW", "KRK", 5)
    car, seat = free_second_class_seat(webapp, run_id)
    webapp.book_over_api(token, run_id, car, seat, "Ewa Sowa")
    expect(confirmed).to_have_text(str(before + 1), timeout=90_000)
    expect(page.get_by_test_id("top-routes")).to_contain_text("GDW → KRK")
    context.close()
