"""The administrators' sales page on the API's `GET /admin/sales`: the day's figures, moving by themselves."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.webapp.conftest import PASSWORD, WebApp


def create_admin(webapp: WebApp) -> str:
    email = f"szef-{uuid.uuid4().hex[:8]}@example.com"
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=webapp.cloud.engine_url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        USERS_TABLE="trainbook-dev-users",
        EVENTS_TABLE="trainbook-dev-events",
    )
    command = [str(Path(sys.executable).parent / "trainbook"), "admin", "create", "--email", email]
    done = subprocess.run(
        [*command, "--password", PASSWORD, "--name", "Jan Szef"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return email


def test_the_sales_page_shows_the_days_figures_and_moves_when_a_booking_is_confirmed(webapp: WebApp) -> None:
    email = create_admin(webapp)
    context = webapp.context()
    page = context.new_page()
    webapp.sign_in(page, email)
    page.get_by_role("link", name="Sprzedaż").click()
    confirmed = page.locator("dd").first
    expect(confirmed).to_have_text(str(webapp.sales_confirmed(email)))
    webapp.screens.check(page, "admin-sales")
    before = int(confirmed.inner_text())

    _, token = webapp.register_over_api("Ewa Lis")
    run_id = webapp.run_of("GDW", "KRK", 4)
    seats = webapp.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDW", "to": "KRK"}).json()["cars"]
    car = next(c for c in seats if c["travel_class"] == 2)
    free = next(s for s in car["seats"] if s["state"] == "free")
    webapp.book_over_api(token, run_id, car["number"], free["seat"], "Ewa Lis")

    expect(confirmed).to_have_text(str(before + 1), timeout=90_000)
    context.close()
