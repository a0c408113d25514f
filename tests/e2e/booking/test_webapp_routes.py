"""Routes the web app reads besides booking: quotes, refund quotes, a booking's events, the as-of seat map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.booking.conftest import Trainbook
from tests.e2e.booking.test_booking_saga import DECLINED_CARD, event_types, first_run, second_class_seats
from tests.e2e.localcloud.running import wait_for


def seat_states(trainbook: Trainbook, run_id: str, **params: str) -> dict[str, str]:
    answer = trainbook.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK", **params})
    assert answer.status_code == 200, answer.text
    return {s["key"]: s["state"] for car in answer.json()["cars"] for s in car["seats"]}


def key(seat: tuple[int, int]) -> str:
    return f"{seat[0]:02d}-{seat[1]:03d}"


def test_a_quote_prices_like_the_booking_and_records_nothing(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=5)
    seats = second_class_seats(trainbook, run_id, 2)
    passengers = [{"name": "Ala", "discount": "U51"}, {"name": "Jan"}]
    body = {
        "run_id": run_id,
        "origin": "GDG",
        "destination": "KRK",
        "seats": [{"car": c, "seat": s} for c, s in seats],
        "passengers": passengers,
    }

    quote = trainbook.http.post("/quotes", json=body)

    assert quote.status_code == 200, quote.text
    assert ala.get("/bookings").json() == []
    assert all(state == "free" for k, state in seat_states(trainbook, run_id).items() if k in map(key, seats))
    booking = ala.settled(ala.book(run_id, seats, passengers=passengers).json()["booking_id"])
    assert quote.json()["total_grosze"] == booking["total_grosze"]
    assert [p["price_grosze"] for p in quote.json()["passengers"]] == [
        p["price_grosze"] for p in booking["passengers"]
    ]


def test_a_quote_of_bad_input_is_a_clear_400(trainbook: Trainbook) -> None:
    run_id = first_run(trainbook, index=5)
    seats = [{"car": c, "seat": s} for c, s in second_class_seats(trainbook, run_id, 1)]
    base = {"run_id": run_id, "origin": "GDG", "destination": "KRK", "seats": seats}

    unknown = trainbook.http.post("/quotes", json={**base, "passengers": [{"name": "A", "discount": "U12"}]})
    too_many = trainbook.http.post("/quotes", json={**base, "passengers": [{"name": "A"}, {"name": "B"}]})

    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_discount"
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_passengers"


def test_the_refund_quoted_before_cancelling_is_the_refund_paid(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=6)
    booking = ala.settled(ala.book(run_id, second_class_seats(trainbook, run_id, 1)).json()["booking_id"])
    booking_id = booking["booking_id"]

    quoted = ala.get(f"/bookings/{booking_id}/refund").json()
    assert quoted["fee_grosze"] == (booking["total_grosze"] * 15 + 50) // 100
    assert quoted["refund_grosze"] == booking["total_grosze"] - quoted["fee_grosze"]
    assert trainbook.http.delete(f"/bookings/{booking_id}", headers=ala.headers).status_code == 202
    wait_for(lambda: ala.get(f"/bookings/{booking_id}").json()["status"] == "CANCELLED", deadline=90)

    assert ala.get(f"/bookings/{booking_id}").json()["refund_grosze"] == quoted["refund_grosze"]
    again = ala.get(f"/bookings/{booking_id}/refund")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_a_bookings_events_are_listed_in_order_to_its_owner_only(trainbook: Trainbook) -> None:
    ala, ola = trainbook.passenger(), trainbook.passenger("Ola")
    run_id = first_run(trainbook, index=7)
    booking = ala.settled(
        ala.book(run_id, second_class_seats(trainbook, run_id, 1), card=DECLINED_CARD).json()["booking_id"]
    )

    events = ala.get(f"/bookings/{booking['booking_id']}/events").json()

    assert [e["type"] for e in events] == event_types(trainbook, booking["booking_id"])
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert events == sorted(events, key=lambda e: e["at"])
    assert "card" not in str(events).lower()
    assert booking["failure"]["code"] == "card_declined"
    assert events[-1]["type"] == "BookingFailed"
    assert ola.get(f"/bookings/{booking['booking_id']}/events").status_code == 404


def test_the_seat_map_as_of_an_instant_shows_a_seat_free_before_its_booking_and_taken_after(
    trainbook: Trainbook,
) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=8)
    seat = second_class_seats(trainbook, run_id, 1)
    before = datetime.now(UTC) - timedelta(seconds=1)
    ala.settled(ala.book(run_id, seat).json()["booking_id"])
    after = datetime.now(UTC)
    wait_for(lambda: seat_states(trainbook, run_id)[key(seat[0])] == "taken", deadline=60)

    then = seat_states(trainbook, run_id, at=before.isoformat())
    now = seat_states(trainbook, run_id, at=after.astimezone(UTC).isoformat())
    changes = trainbook.http.get(
        f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK", "at": after.isoformat()}
    ).json()["changes"]

    assert then[key(seat[0])] == "free"
    assert now[key(seat[0])] == "taken"
    assert changes == sorted(changes)
    assert len([c for c in changes if before.isoformat() < c <= after.isoformat()]) >= 2  # held, then sold


def test_an_instant_without_an_offset_is_a_clear_400(trainbook: Trainbook) -> None:
    run_id = first_run(trainbook)
    for at in ("2026-12-01T10:00:00", "0001-01-01T00:00:00+14:00"):
        answer = trainbook.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK", "at": at})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "invalid_instant"
