"""A passenger's journey in the browser: register, search by link, seats, discount, pay, ticket, cancel."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.webapp.conftest import PASSWORD, TOMORROW, WebApp, booking_status


def zl(grosze: int) -> str:
    """The Polish money format the app must show: 112,21 zł with a non-breaking space."""
    whole = f"{grosze // 100:,}".replace(",", "\u00a0")
    return f"{whole},{grosze % 100:02d}\u00a0zł"


def chosen_seats(page: Page) -> list[dict[str, int]]:
    keys = page.locator("[data-testid=seatmap] button[data-state=selected]").evaluate_all(
        "buttons => buttons.map(b => b.dataset.seat)"
    )
    return [{"car": int(k.split("-")[0]), "seat": int(k.split("-")[1])} for k in keys]


def test_a_passenger_registers_finds_a_train_books_two_seats_keeps_the_ticket_and_cancels(
    webapp: WebApp, tmp_path: Path
) -> None:
    context = webapp.context()
    page = context.new_page()
    run_id = webapp.run_of("GDW", "KRK", 0)

    # Register.
    page.goto(f"{webapp.url}/register")
    page.get_by_label("Imię i nazwisko").fill("Ola Nowak")
    page.get_by_label("E-mail").fill(f"ola-{uuid.uuid4().hex[:10]}@example.com")
    page.get_by_label("Hasło").fill(PASSWORD)
    webapp.screens.check(page, "register")
    page.get_by_role("button", name="Zarejestruj się").last.click()
    page.wait_for_url(re.compile(r"/search"))
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Ola")

    # A deep link shows the results at once, times in Warsaw although the browser is in New York.
    page.goto(f"{webapp.url}/search?from=GDW&to=KRK&date={TOMORROW.isoformat()}&passengers=2&class=2")
    row = page.locator(f"[data-testid=departure][data-run='{run_id}']")
    expect(row).to_be_visible()
    departure = webapp.http.get(
        "/search", params={"from": "GDW", "to": "KRK", "date": TOMORROW.isoformat()}
    ).json()["departures"]
    first = next(d for d in departure if d["run_id"] == run_id)
    expect(row).to_contain_text(first["departs_at"][11:16])  # the API's +01:00 offset is Warsaw time
    expect(row).to_contain_text(zl(first["price_from_grosze"]["2"]))
    webapp.screens.check(page, "search-results")

    # Two seats: one by mouse, its neighbour by keyboard.
    row.get_by_role("link", name="Wybierz miejsca").click()
    page.wait_for_url(re.compile(rf"/runs/{run_id}\?"))
    free = page.locator("[data-testid=seatmap] button[data-state=free]")
    free.first.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    seats = chosen_seats(page)
    assert len(seats) == 2, seats

    # Two passengers, a 51 % statutory discount on the second; the price before paying is the API's quote.
    page.locator("input[name=name-2]").fill("Jan Nowak")
    page.locator("select[name=discount-2]").select_option("U51")
    quote = webapp.http.post(
        "/quotes",
        json={
            "run_id": run_id,
            "origin": "GDW",
            "destination": "KRK",
            "seats": seats,
            "passengers": [{"name": "Ola Nowak"}, {"name": "Jan Nowak", "discount": "U51"}],
        },
    ).json()
    expect(page.get_by_test_id("total")).to_have_text(zl(quote["total_grosze"]))
    prices = [p["price_grosze"] for p in quote["passengers"]]
    assert prices[1] < prices[0]
    expect(page.get_by_test_id("passenger-2").get_by_test_id("passenger-price")).to_have_text(zl(prices[1]))
    expect(page.get_by_text("4242 4242 4242 4242")).to_be_attached()  # the test cards are listed
    page.locator("input[name=card-number]").fill("4242 4242 4242 4242")
    page.locator("input[name=card-cvc]").fill("123")
    webapp.screens.check(page, "reservation")

    # Pay: the saga timeline runs to CONFIRMED.
    page.get_by_role("button", name="Kup bilet").click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    booking_id = page.url.rsplit("/", 1)[1]
    expect(booking_status(page)).to_have_attribute("data-status", "CONFIRMED", timeout=90_000)
    timeline = page.get_by_test_id("timeline").first
    expect(timeline).to_have_attribute("data-status", "SUCCEEDED", timeout=90_000)
    for step in ("HoldSeats", "AuthorizePayment", "CapturePayment", "IssueTicket"):
        expect(timeline.locator(f"[data-step={step}]")).to_have_attribute("data-outcome", "succeeded")
    expect(page.get_by_test_id("history")).to_contain_text("Rezerwacja potwierdzona")

    # The ticket: QR code, PDF.
    qr = page.get_by_test_id("ticket-qr")
    expect(qr).to_be_visible(timeout=30_000)
    assert (qr.bounding_box() or {"width": 0})["width"] >= 200  # scannable at arm's length
    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz PDF").click()
    pdf = tmp_path / "ticket.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    webapp.screens.check(page, "booking-confirmed")

    # My tickets lists it.
    page.get_by_role("link", name="Moje bilety").first.click()
    expect(page.get_by_test_id("booking-row")).to_have_count(1)
    expect(page.get_by_test_id("booking-row")).to_contain_text(zl(quote["total_grosze"]))
    webapp.screens.check(page, "my-tickets")

    # Cancel: the refund is quoted before confirming, then shown.
    page.get_by_test_id("booking-row").click()
    page.get_by_role("button", name="Anuluj rezerwację").click()
    token = page.evaluate("JSON.parse(localStorage.getItem('trainbook.session')).accessToken")
    refund: dict[str, Any] = webapp.http.get(
        f"/bookings/{booking_id}/refund", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert 0 < refund["refund_grosze"] < quote["total_grosze"]
    expect(page.get_by_test_id("refund-amount")).to_have_text(zl(refund["refund_grosze"]))
    webapp.screens.check(page, "cancel-quote")
    page.get_by_role("button", name="Potwierdź anulowanie").click()
    expect(booking_status(page)).to_have_attribute("data-status", "CANCELLED", timeout=90_000)
    expect(page.get_by_test_id("refund")).to_contain_text(zl(refund["refund_grosze"]))
    webapp.screens.check(page, "booking-cancelled")

    # English is one click away, and sign-out forgets the session.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Booking", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    # The header's link: the page being left may show its own "Sign in" for a moment.
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    context.close()
