"""The REST API's surface on `trainbook up`: OpenAPI, Swagger UI, CORS for browsers, JSON errors."""

from __future__ import annotations

from tests.e2e.booking.conftest import Trainbook


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
