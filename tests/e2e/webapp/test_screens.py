"""Screens beside the journey: sign-in mistakes said clearly, search errors, station typing, unknown pages."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.webapp.conftest import PASSWORD, WebApp


def test_a_wrong_password_and_a_taken_email_are_said_in_the_passengers_language(webapp: WebApp) -> None:
    email, _ = webapp.register_over_api()
    context = webapp.context()
    page = context.new_page()

    page.goto(f"{webapp.url}/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Hasło").fill("not-the-password")
    page.get_by_role("button", name="Zaloguj się").last.click()
    expect(page.get_by_role("alert")).to_have_text("Nieprawidłowy e-mail lub hasło.")
    webapp.screens.check(page, "signin-wrong-password")

    page.goto(f"{webapp.url}/register")
    page.get_by_label("Imię i nazwisko").fill("Ola Nowak")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zarejestruj się").last.click()
    expect(page.get_by_role("alert")).to_have_text("Ten adres e-mail ma już konto. Zaloguj się.")

    page.reload()  # the language is kept across reloads, like the session
    page.get_by_role("button", name="English").click()
    page.goto(f"{webapp.url}/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()


def test_a_search_outside_the_sales_window_says_why_and_an_unknown_page_says_so(webapp: WebApp) -> None:
    context = webapp.context()
    page = context.new_page()
    far = (date.today() + timedelta(days=400)).isoformat()

    page.goto(f"{webapp.url}/search?from=GDG&to=KRK&date={far}&passengers=1&class=2")
    expect(page.get_by_role("alert")).to_have_text("Sprzedaż na ten dzień nie jest otwarta.")
    webapp.screens.check(page, "search-error")

    page.goto(f"{webapp.url}/search")
    expect(page.get_by_label("Skąd")).to_have_value("Gdańsk Główny")
    page.get_by_label("Skąd").fill("krak")
    options = page.get_by_role("option")
    expect(options.first).to_contain_text("Kraków Główny")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Skąd")).to_have_value("Kraków Główny")
    webapp.screens.check(page, "search-form")

    page.goto(f"{webapp.url}/no/such/page")
    expect(page.get_by_role("heading", name="Nie ma takiej strony")).to_be_visible()
    webapp.screens.check(page, "not-found")
    context.close()
