"""The REST API's surface on `trainbook up`: OpenAPI, Swagger UI, CORS for browsers, JSON errors."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from tests.e2e.booking.conftest import TOMORROW, Trainbook
from trainbook.accounts.sessions import THROTTLE_WINDOW_SECONDS


def test_the_openapi_document_lists_every_route(trainbook: Trainbook) -> None:
    document = trainbook.http.get("/openapi.json").json()

    assert document["openapi"].startswith("3.")
    assert {"/stations", "/search", "/bookings", "/bookings/{booking_id}", "/auth/login", "/me"} <= set(
        document["paths"]
    )
    assert "<html" in trainbook.http.get("/docs").text.lower()


def test_a_browser_preflight_is_answered_with_the_declared_cors_headers(trainbook: Trainbook) -> None:
    answer = trainbook.http.options(
        "/bookings",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )

    assert answer.status_code in (200, 204)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "idempotency-key" in answer.headers["access-control-allow-headers"].lower()


def test_errors_are_json_with_a_code_and_a_message(trainbook: Trainbook) -> None:
    passenger = trainbook.passenger()
    malformed = trainbook.http.post(
        "/bookings", content=b"{not json", headers={**passenger.headers, "Content-Type": "application/json"}
    )
    wrong_types = trainbook.http.post(
        "/bookings", json={"run_id": 7, "seats": "many"}, headers=passenger.headers
    )
    missing = trainbook.http.get("/runs/run-0000-2026-01-01")

    for answer in (malformed, wrong_types, missing):
        assert 400 <= answer.status_code < 500, answer.text
        error = answer.json()["error"]
        assert error["code"] and error["message"]
    assert missing.status_code == 404


def _error(answer: Any) -> dict[str, str]:
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return dict(body["error"])


def test_the_gateways_own_answers_are_in_the_one_error_shape(trainbook: Trainbook) -> None:
    no_token = trainbook.http.get("/bookings")
    bad_token = trainbook.http.get("/bookings", headers={"Authorization": "Bearer nope"})
    no_route = trainbook.http.post("/no/such/route", json={})
    too_large = trainbook.http.post(
        "/auth/login", content=b"x" * (10 * 1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )

    assert (no_token.status_code, _error(no_token)["code"]) == (401, "unauthenticated")
    assert (bad_token.status_code, _error(bad_token)["code"]) == (401, "unauthenticated")
    assert (no_route.status_code, _error(no_route)["code"]) == (404, "no_such_route")
    assert (too_large.status_code, _error(too_large)["code"]) == (413, "payload_too_large")


def test_bodies_no_route_can_read_are_a_4xx_in_the_one_shape(trainbook: Trainbook) -> None:
    passenger = trainbook.passenger()
    not_utf8 = [
        trainbook.http.post(
            path,
            content=b'{"email": "\xe9"}',
            headers={**passenger.headers, "Content-Type": "application/json"},
        )
        for path in ("/auth/login", "/bookings")
    ] + [
        trainbook.http.patch(
            "/me",
            content=b'{"name": "\xe9"}',
            headers={**passenger.headers, "Content-Type": "application/json"},
        )
    ]
    form = trainbook.http.post("/auth/login", data={"email": "a@b.pl", "password": "x"})

    assert [(a.status_code, _error(a)["code"]) for a in not_utf8] == [(400, "invalid_body")] * 3
    assert (form.status_code, _error(form)["code"]) == (415, "unsupported_media_type")


def test_an_unknown_station_is_the_same_error_in_search_and_in_a_booking(trainbook: Trainbook) -> None:
    from tests.e2e.booking.test_booking_saga import first_run

    search = trainbook.http.get("/search", params={"from": "XXX", "to": "KRK", "date": TOMORROW.isoformat()})
    booking = trainbook.passenger().book(first_run(trainbook), [(2, 11)], origin="XXX")

    assert (search.status_code, _error(search)["code"]) == (booking.status_code, _error(booking)["code"])
    assert _error(search)["code"] == "unknown_station"


def test_a_session_is_refreshed_with_a_rotating_token_and_ends_at_sign_out(trainbook: Trainbook) -> None:
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    signed_up = trainbook.http.post(
        "/auth/register", json={"email": email, "password": "Pociag-2026!", "name": "Ola"}
    ).json()

    refreshed = trainbook.http.post("/auth/refresh", json={"refresh_token": signed_up["refresh_token"]})
    reused = trainbook.http.post("/auth/refresh", json={"refresh_token": signed_up["refresh_token"]})
    newest = trainbook.http.post("/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})

    assert refreshed.status_code == 200 and "HttpOnly" in refreshed.headers["set-cookie"]
    assert (
        trainbook.http.get(
            "/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"}
        ).status_code
        == 200
    )
    assert (reused.status_code, _error(reused)["code"]) == (401, "invalid_refresh_token")
    assert newest.status_code == 401  # the reuse signed the whole session out
    again = trainbook.http.post("/auth/login", json={"email": email, "password": "Pociag-2026!"}).json()
    out = trainbook.http.post("/auth/logout", json={"refresh_token": again["refresh_token"]})
    assert out.status_code == 204
    assert (
        trainbook.http.post("/auth/refresh", json={"refresh_token": again["refresh_token"]}).status_code
        == 401
    )


def test_failed_sign_ins_are_throttled_with_retry_after(trainbook: Trainbook) -> None:
    email = f"{uuid.uuid4().hex[:10]}@example.com"  # no account: the answer must not tell
    # A client of its own address (all of 127/8 is loopback), so the suite's other sign-ins are not slowed.
    transport = httpx.HTTPTransport(local_address="127.0.0.3")
    _not_at_a_window_end()
    with httpx.Client(base_url=trainbook.http.base_url, transport=transport, timeout=60) as other:
        guess = {"email": email, "password": "wrong-guess"}
        answers = [other.post("/auth/login", json=guess) for _ in range(6)]

    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert _error(answers[-1])["code"] == "too_many_requests" and int(answers[-1].headers["Retry-After"]) > 0


def _not_at_a_window_end(margin: float = 20.0) -> None:
    """Wait for the next throttle window if this one ends within `margin` seconds: the windows are fixed,
    and six sign-ins straddling a window's end would see the count start again."""
    left = THROTTLE_WINDOW_SECONDS - time.time() % THROTTLE_WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 0.5)
