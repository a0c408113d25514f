"""The seat map in the browser: a declined card frees the seats, two passengers on one run, time travel."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.localcloud.running import wait_for
from tests.e2e.webapp.conftest import WebApp, booking_status


def open_run(webapp: WebApp, page: Page, run_id: str, origin: str = "GDW", destination: str = "KRK") -> None:
    page.goto(f"{webapp.url}/runs/{run_id}?from={origin}&to={destination}&passengers=1&class=2")
    expect(page.get_by_test_id("seatmap")).to_be_visible()


def seat(page: Page, key: str) -> Any:
    return page.locator(f"[data-testid=seatmap] button[data-seat='{key}']").first


def pay(page: Page, card: str) -> str:
    page.locator("input[name=card-number]").fill(card)
    page.locator("input[name=card-cvc]").fill("123")
    page.get_by_role("button", name="Kup bilet").click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def first_free_second_class_seat(webapp: WebApp, run_id: str) -> tuple[int, int, str]:
    answer = webapp.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDW", "to": "KRK"}).json()
    car = next(c for c in answer["cars"] if c["travel_class"] == 2)
    free = next(s for s in car["seats"] if s["state"] == "free")
    return car["number"], free["seat"], free["key"]


def test_a_declined_card_shows_the_compensation_and_the_reason_and_frees_the_seat(webapp: WebApp) -> None:
    email, _ = webapp.register_over_api()
    context = webapp.context()
    page = context.new_page()
    webapp.sign_in(page, email)
    run_id = webapp.run_of("GDW", "KRK", 1)
    open_run(webapp, page, run_id)
    chosen = page.locator("[data-testid=seatmap] button[data-state=free]").first
    key = chosen.get_attribute("data-seat")
    chosen.click()

    pay(page, "4000 0000 0000 0002")

    expect(booking_status(page)).to_have_attribute("data-status", "FAILED", timeout=90_000)
    expect(page.get_by_test_id("failure-reason")).to_contain_text("karta odrzucona przez bank")
    timeline = page.get_by_test_id("timeline").first
    expect(timeline).to_have_attribute("data-status", "FAILED", timeout=90_000)
    expect(timeline.locator("[data-step=AuthorizePayment]")).to_have_attribute("data-outcome", "caught")
    expect(timeline.locator("[data-step=ReleaseSeats]")).to_have_attribute("data-outcome", "succeeded")
    expect(timeline.locator("[data-step=ReleaseSeats]")).to_contain_text("kompensacja")
    expect(page.get_by_test_id("history")).to_contain_text("Miejsca zwolnione")
    webapp.screens.check(page, "booking-failed")

    open_run(webapp, page, run_id)
    expect(seat(page, str(key))).to_have_attribute("data-state", "free")
    context.close()


def test_a_seat_paid_in_one_browser_turns_taken_in_another_without_a_reload(webapp: WebApp) -> None:
    email, _ = webapp.register_over_api()
    run_id = webapp.run_of("GDW", "KRK", 2)
    buyer_context, watcher_context = webapp.context(), webapp.context()
    buyer, watcher = buyer_context.new_page(), watcher_context.new_page()
    webapp.sign_in(buyer, email)
    open_run(webapp, buyer, run_id)
    open_run(webapp, watcher, run_id)
    chosen = buyer.locator("[data-testid=seatmap] button[data-state=free]").nth(3)
    key = str(chosen.get_attribute("data-seat"))
    expect(seat(watcher, key)).to_have_attribute("data-state", "free")
    watcher_url = watcher.url

    chosen.click()
    pay(buyer, "4242 4242 4242 4242")
    expect(booking_status(buyer)).to_have_attribute("data-status", "CONFIRMED", timeout=90_000)

    expect(seat(watcher, key)).to_have_attribute("data-state", "taken", timeout=30_000)
    assert watcher.url == watcher_url
    assert watcher.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    buyer_context.close()
    watcher_context.close()


def test_the_time_travel_slider_shows_a_seat_free_before_its_booking_and_taken_after(webapp: WebApp) -> None:
    _, token = webapp.register_over_api()
    run_id = webapp.run_of("GDW", "KRK", 3)
    car, number, key = first_free_second_class_seat(webapp, run_id)
    webapp.book_over_api(token, run_id, car, number, "Ewa Lis")

    def sold() -> bool:
        now = datetime.now(UTC).isoformat()
        answer = webapp.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDW", "to": "KRK", "at": now})
        states = {s["key"]: s["state"] for c in answer.json()["cars"] for s in c["seats"]}
        return states[key] == "taken" and len(answer.json()["changes"]) >= 2

    wait_for(sold, deadline=90, interval=0.5)
    context = webapp.context()
    page = context.new_page()
    open_run(webapp, page, run_id)
    expect(seat(page, key)).to_have_attribute("data-state", "taken")
    page.get_by_role("button", name="Podróż w czasie").click()
    slider = page.get_by_role("slider")
    expect(slider).to_be_visible()

    slider.focus()
    page.keyboard.press("Home")
    travel = page.get_by_test_id("time-travel")
    expect(travel.locator(f"button[data-seat='{key}']")).to_have_attribute("data-state", "free")
    webapp.screens.check(page, "time-travel-before")

    page.keyboard.press("End")
    expect(travel.locator(f"button[data-seat='{key}']")).to_have_attribute("data-state", "taken")
    webapp.screens.check(page, "time-travel-after")
    context.close()
