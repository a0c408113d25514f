"""Refresh tokens, sign-out, password change and sign-in throttling through the API resolver, on moto."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.integration.accounts.http import Answer, call
from trainbook.accounts import api, wiring
from trainbook.accounts.tokens import access_tokens

pytestmark = pytest.mark.usefixtures("accounts")

ALA = {"email": "ala.nowak@example.com", "password": "Pociag-do-Gdanska-7", "name": "Ala Nowak"}


@pytest.fixture(autouse=True)
def throttle_in_one_window(accounts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh throttle whose clock stands still: its windows are fixed 15-minute ones, and a test that
    straddled a window's end would see its count start again (it did, once in CI)."""
    now = time.time()
    pinned = dataclasses.replace(wiring.throttle.__wrapped__(), clock=lambda: now)
    monkeypatch.setattr(api, "throttle", lambda: pinned)


def registered() -> Answer:
    answer = call("POST", "/auth/register", ALA)
    assert answer.status == 201, answer.body
    return answer


def refreshed(token: str) -> Answer:
    return call("POST", "/auth/refresh", {"refresh_token": token})


def test_a_refresh_answers_a_new_access_token_and_a_new_refresh_token_and_spends_the_old_one() -> None:
    first = registered().body

    second = refreshed(first["refresh_token"])

    assert second.status == 200, second.body
    assert second.body["refresh_token"] != first["refresh_token"]
    claims = access_tokens().verify(second.body["access_token"])
    assert claims.user_id == first["user"]["id"]
    assert claims.session_id == access_tokens().verify(first["access_token"]).session_id
    assert "HttpOnly" in second.headers["Set-Cookie"] and "SameSite=Strict" in second.headers["Set-Cookie"]


def test_reusing_a_spent_refresh_token_signs_the_whole_session_out() -> None:
    first = registered().body
    second = refreshed(first["refresh_token"]).body

    reused = refreshed(first["refresh_token"])

    assert (reused.status, reused.error_code) == (401, "invalid_refresh_token")
    after = refreshed(second["refresh_token"])  # the legitimate newest token is revoked too
    assert (after.status, after.error_code) == (401, "invalid_refresh_token")


def test_signing_out_revokes_the_session() -> None:
    token = registered().body["refresh_token"]

    answer = call("POST", "/auth/logout", {"refresh_token": token})

    assert answer.status == 204
    assert refreshed(token).status == 401


def test_a_password_change_signs_out_every_other_session_but_keeps_this_one() -> None:
    here = registered().body
    elsewhere = call("POST", "/auth/login", {"email": ALA["email"], "password": ALA["password"]}).body
    caller = (here["user"]["id"], "passenger")
    session_id = access_tokens().verify(here["access_token"]).session_id

    wrong = call(
        "POST", "/me/password", {"current_password": "nope", "new_password": "Nowe-Haslo-2026"}, caller
    )
    changed = call(
        "POST",
        "/me/password",
        {"current_password": ALA["password"], "new_password": "Nowe-Haslo-2026"},
        caller,
        session_id,
    )

    assert (wrong.status, wrong.error_code) == (400, "wrong_password")
    assert changed.status == 204, changed.body
    assert refreshed(elsewhere["refresh_token"]).status == 401
    assert refreshed(here["refresh_token"]).status == 200
    old = call("POST", "/auth/login", {"email": ALA["email"], "password": ALA["password"]})
    new = call("POST", "/auth/login", {"email": ALA["email"], "password": "Nowe-Haslo-2026"})
    assert (old.status, new.status) == (401, 200)


def test_failed_sign_ins_are_throttled_per_account_whether_or_not_it_exists() -> None:
    registered()
    answers: dict[str, list[Answer]] = {}
    for email in (ALA["email"], "nobody@example.com"):
        answers[email] = [
            call(
                "POST",
                "/auth/login",
                {"email": email, "password": "wrong-password-1"},
                source_ip=f"192.0.2.{i}",
            )
            for i in range(6)
        ]

    for email, tries in answers.items():
        assert [a.status for a in tries] == [401] * 5 + [429], email
        assert tries[-1].error_code == "too_many_requests" and int(tries[-1].headers["Retry-After"]) > 0
    right = call(
        "POST", "/auth/login", {"email": ALA["email"], "password": ALA["password"]}, source_ip="192.0.2.99"
    )
    assert right.status == 429  # even the right password waits: guessing gains nothing


def test_failed_sign_ins_are_throttled_per_client_address() -> None:
    tries = [
        call(
            "POST",
            "/auth/login",
            {"email": f"guess{i}@example.com", "password": "x"},
            source_ip="198.51.100.7",
        )
        for i in range(21)
    ]

    assert [a.status for a in tries] == [401] * 20 + [429]
    assert int(tries[-1].headers["Retry-After"]) > 0
    elsewhere = call(
        "POST", "/auth/login", {"email": "guess0@example.com", "password": "x"}, source_ip="198.51.100.8"
    )
    assert elsewhere.status == 401


def test_the_web_app_refreshes_and_signs_out_with_the_httponly_cookie_alone() -> None:
    signed_up = registered()
    cookie = signed_up.headers["Set-Cookie"].split(";")[0]
    assert cookie == f"trainbook_refresh={signed_up.body['refresh_token']}"

    refreshed_by_cookie = call("POST", "/auth/refresh", cookie=cookie)
    out = call("POST", "/auth/logout", cookie=refreshed_by_cookie.headers["Set-Cookie"].split(";")[0])

    assert refreshed_by_cookie.status == 200, refreshed_by_cookie.body
    assert out.status == 204 and "Max-Age=0" in out.headers["Set-Cookie"]
    assert refreshed(refreshed_by_cookie.body["refresh_token"]).status == 401
