"""The booking saga end to end over HTTP on `trainbook up`: book, pay, fail, compensate, race.

Every failure test checks the resulting STATE (seats in the inventory table, the payment, the booking's
events and the execution history), not only a status code.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.booking.conftest import TOMORROW, Passenger, Trainbook
from tests.e2e.localcloud.running import wait_for

DECLINED_CARD = {"number": "4000 0000 0000 0002", "exp_month": 12, "exp_year": 2030}


def first_run(trainbook: Trainbook, origin: str = "GDG", destination: str = "KRK", index: int = 0) -> str:
    answer = trainbook.http.get(
        "/search", params={"from": origin, "to": destination, "date": TOMORROW.isoformat()}
    )
    assert answer.status_code == 200, answer.text
    departures = answer.json()["departures"]
    return str(departures[index % len(departures)]["run_id"])


def second_class_seats(trainbook: Trainbook, run_id: str, count: int, skip: int = 0) -> list[tuple[int, int]]:
    answer = trainbook.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK"})
    assert answer.status_code == 200, answer.text
    free = [
        (car["number"], s["seat"])
        for car in answer.json()["cars"]
        if car["travel_class"] == 2
        for s in car["seats"]
        if s["state"] == "free"
    ]
    return free[skip : skip + count]


def held_legs(trainbook: Trainbook, booking_id: str) -> list[str]:
    """Every leg of every seat the booking still holds or owns, read from the inventory table."""
    items = trainbook.client("dynamodb").scan(TableName="trainbook-dev-inventory")["Items"]
    return [
        f"{item['seat']['S']}/{name}"
        for item in items
        for name, value in item.items()
        if name.startswith("leg_") and value["M"]["booking"]["S"] == booking_id
    ]


def event_types(trainbook: Trainbook, booking_id: str) -> list[str]:
    answer = trainbook.client("dynamodb").query(
        TableName="trainbook-dev-events",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "stream"},
        ExpressionAttributeValues={":s": {"S": f"booking-{booking_id}"}},
    )
    return [item["type"]["S"] for item in sorted(answer["Items"], key=lambda i: int(i["version"]["N"]))]


def money_kept(trainbook: Trainbook, booking_id: str) -> tuple[int, list[str]]:
    """Grosze the simulator still holds for the booking (captured - refunded), and its payments' states."""
    items = trainbook.client("dynamodb").scan(TableName="trainbook-dev-payments")["Items"]
    payments = [
        i for i in items if i["pk"]["S"].startswith("payment#") and i["booking_id"]["S"] == booking_id
    ]
    kept = sum(int(p["captured_grosze"]["N"]) - int(p["refunded_grosze"]["N"]) for p in payments)
    return kept, sorted(p["state"]["S"] for p in payments)


def json_lines(output: str) -> list[dict[str, Any]]:
    """The JSON log records in `trainbook up`'s output (workers share one pipe: a line may hold two)."""
    decoder = json.JSONDecoder()
    records: list[dict[str, Any]] = []
    for line in output.splitlines():
        text, at = line.removeprefix("  | "), 0
        while text.startswith("{", at):
            try:
                record, at = decoder.raw_decode(text, at)
            except ValueError:
                break
            records.append(record)
    return records


def trace_states(passenger: Passenger, booking_id: str) -> list[str]:
    answer = passenger.get(f"/bookings/{booking_id}/trace")
    assert answer.status_code == 200, answer.text
    return [step["state"] for step in answer.json()["executions"][0]["steps"]]


def test_a_passenger_books_two_seats_with_a_student_discount(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook)
    seats = second_class_seats(trainbook, run_id, 2)

    answer = ala.book(
        run_id, seats, passengers=[{"name": "Ala Kowalska", "discount": "U51"}, {"name": "Jan Kowalski"}]
    )

    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"] == f"/bookings/{answer.json()['booking_id']}"
    booking = ala.settled(answer.json()["booking_id"])
    assert booking["status"] == "CONFIRMED"
    student, adult = booking["passengers"]
    assert student["price_grosze"] == round(adult["price_grosze"] * 0.49)
    assert booking["total_grosze"] == student["price_grosze"] + adult["price_grosze"]
    assert len(held_legs(trainbook, booking["booking_id"])) >= 2
    assert event_types(trainbook, booking["booking_id"])[:4] == [
        "BookingRequested",
        "SeatsHeld",
        "SeatsSold",
        "BookingConfirmed",
    ]


def test_a_declined_card_fails_the_booking_and_frees_the_seats(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=1)
    seats = second_class_seats(trainbook, run_id, 1)

    booking = ala.settled(ala.book(run_id, seats, card=DECLINED_CARD).json()["booking_id"])

    assert booking["status"] == "FAILED"
    assert held_legs(trainbook, booking["booking_id"]) == []
    assert money_kept(trainbook, booking["booking_id"]) == (0, ["DECLINED"])
    assert event_types(trainbook, booking["booking_id"]) == [
        "BookingRequested",
        "SeatsHeld",
        "SeatsReleased",
        "BookingFailed",
    ]
    states = trace_states(ala, booking["booking_id"])
    assert states[:3] == ["QuoteFare", "HoldSeats", "AuthorizePayment"]
    assert states[3:6] == ["CompensatePayment", "ReleaseSeats", "MarkBookingFailed"]


def test_the_same_idempotency_key_twice_books_once(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=2)
    seats = second_class_seats(trainbook, run_id, 1)

    first = ala.book(run_id, seats, key="same-key")
    second = ala.book(run_id, seats, key="same-key")

    assert first.status_code == second.status_code == 202
    assert first.json()["booking_id"] == second.json()["booking_id"]
    ala.settled(first.json()["booking_id"])
    listed = ala.get("/bookings").json()
    assert [b["booking_id"] for b in listed].count(first.json()["booking_id"]) <= 1


def test_twenty_clients_racing_for_two_seats_sell_exactly_two(trainbook: Trainbook) -> None:
    run_id = first_run(trainbook, index=3)
    seats = second_class_seats(trainbook, run_id, 2)
    racers = [trainbook.passenger(f"Racer {i}") for i in range(20)]
    tokens = [trainbook.tokenize() for _ in racers]  # each card form has its token before the race

    def race(i: int) -> tuple[Passenger, str]:
        answer = racers[i].book(run_id, [seats[i % 2]], payment_token=tokens[i])
        assert answer.status_code == 202, answer.text
        return racers[i], answer.json()["booking_id"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        started = list(pool.map(race, range(20)))
    settled = [p.settled(b) for p, b in started]
    outcomes = [b["status"] for b in settled]

    assert sorted(outcomes).count("CONFIRMED") == 2, [b["failure"] for b in settled]
    assert sorted(outcomes).count("FAILED") == 18
    owners = {leg.split("/")[0] for _, b in started for leg in held_legs(trainbook, b)}
    assert owners == {f"{car:02d}-{seat:03d}" for car, seat in seats}
    # A booking that never held its seat lost the race: seat_taken. (One that held it and then failed,
    # say a payment that timed out on a busy machine, says why instead, and its seat went to another.)
    losers = [b for b in settled if "SeatsHeld" not in event_types(trainbook, b["booking_id"])]
    assert losers
    assert {b["status"] for b in losers} == {"FAILED"}
    assert {b["failure"]["code"] for b in losers} == {"seat_taken"}
    # Each lost race is one structured log line of the step, with the booking as correlation id.
    lines = json_lines("".join(trainbook.cloud.output))
    refused = [
        line for line in lines if line.get("message") == "step refused" and line.get("error") == "SeatTaken"
    ]
    for loser in losers:
        mine = [line for line in refused if line.get("correlation_id") == loser["booking_id"]]
        assert (
            len(mine) == 1 and mine[0]["booking_id"] == loser["booking_id"] and mine[0]["step"] == "HoldSeats"
        )
    assert "Traceback" not in "".join(trainbook.cloud.output)


STEPS_BEFORE_PAYMENT = ["QuoteFare", "HoldSeats"]
STEPS_AFTER_PAYMENT = ["ConfirmBooking", "IssueTicket"]


@pytest.mark.parametrize(
    ("step", "mode", "when"),
    [
        ("QuoteFare", "error", "before"),
        ("HoldSeats", "error", "before"),
        ("HoldSeats", "crash", "after"),
        ("HoldSeats", "timeout", "after"),
        ("ConfirmBooking", "error", "before"),
        ("ConfirmBooking", "crash", "after"),
        ("ConfirmBooking", "timeout", "after"),
        ("IssueTicket", "error", "before"),
        ("IssueTicket", "crash", "after"),
    ],
)
def test_a_failure_at_any_step_is_compensated(trainbook: Trainbook, step: str, mode: str, when: str) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=4)
    skip = (
        2 * ["QuoteFare", "HoldSeats", "ConfirmBooking", "IssueTicket"].index(step) + (mode == "crash") * 20
    )
    seats = second_class_seats(trainbook, run_id, 1, skip=skip + (mode == "timeout") * 40)
    key = f"fault-{step}-{mode}-{when}"
    booking_id = _booking_id_for(ala, key)
    _inject(trainbook, booking_id, {"step": step, "mode": mode, "when": when})

    answer = ala.book(run_id, seats, key=key)
    assert answer.json()["booking_id"] == booking_id
    booking = ala.settled(booking_id, deadline=120)

    assert booking["status"] == "FAILED"
    assert held_legs(trainbook, booking_id) == []
    events = event_types(trainbook, booking_id)
    assert events[0] == "BookingRequested" and events[-1] == "BookingFailed"
    if "SeatsHeld" in events:
        assert "SeatsReleased" in events
    kept, states = money_kept(trainbook, booking_id)
    assert kept == 0 and set(states) <= {"VOIDED", "REFUNDED"}
    states = trace_states(ala, booking_id)
    assert "MarkBookingFailed" in states and "CompensationFailed" not in states


def _booking_id_for(passenger: Passenger, key: str) -> str:
    import uuid

    from trainbook.booking.api import BOOKING_NAMESPACE

    return str(uuid.uuid5(BOOKING_NAMESPACE, f"{passenger.user_id}:{key}"))


def _inject(trainbook: Trainbook, booking_id: str, plan: dict[str, Any]) -> None:
    ssm = trainbook.client("ssm")
    current = json.loads(ssm.get_parameter(Name="/trainbook/dev/faults")["Parameter"]["Value"] or "{}")
    current[booking_id] = plan
    ssm.put_parameter(Name="/trainbook/dev/faults", Value=json.dumps(current), Type="String", Overwrite=True)


def test_another_users_booking_does_not_exist_for_them(trainbook: Trainbook) -> None:
    ala, ola = trainbook.passenger(), trainbook.passenger("Ola")
    run_id = first_run(trainbook, index=5)
    booking_id = ala.book(run_id, second_class_seats(trainbook, run_id, 1)).json()["booking_id"]

    assert ola.get(f"/bookings/{booking_id}").status_code == 404
    assert ola.get(f"/bookings/{booking_id}/trace").status_code == 404


def test_a_passenger_on_an_admin_route_is_forbidden(trainbook: Trainbook) -> None:
    assert trainbook.passenger().get("/admin/sales").status_code == 403


@pytest.mark.parametrize("token", ["", "Bearer not-a-jwt", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_a_missing_or_bad_token_is_unauthorized(trainbook: Trainbook, token: str) -> None:
    answer = trainbook.http.get("/bookings", headers={"Authorization": token} if token else {})
    assert answer.status_code == 401


def test_bad_input_is_a_clear_400_and_books_nothing(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook)

    unknown_seat = ala.book(run_id, [(2, 19)])
    no_passengers = ala.book(run_id, [(2, 11)], passengers=[])

    assert unknown_seat.status_code == 404 and unknown_seat.json()["error"]["code"] == "unknown_seat"
    assert no_passengers.status_code == 400 and "passengers" in no_passengers.json()["error"]["message"]
    assert ala.get("/bookings").json() == []


def test_a_payment_that_never_answers_is_voided_and_the_seats_freed(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=2)
    timeout_card = {"number": "4000 0000 0000 3220", "exp_month": 12, "exp_year": 2030}

    booking = ala.settled(
        ala.book(run_id, second_class_seats(trainbook, run_id, 1, skip=60), card=timeout_card).json()[
            "booking_id"
        ]
    )

    assert booking["status"] == "FAILED"
    assert held_legs(trainbook, booking["booking_id"]) == []
    assert money_kept(trainbook, booking["booking_id"]) == (0, ["VOIDED"])


def test_cancelling_refunds_by_policy_and_frees_the_seats(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=1)
    seats = second_class_seats(trainbook, run_id, 2, skip=70)
    booking = ala.settled(ala.book(run_id, seats).json()["booking_id"])
    assert booking["status"] == "CONFIRMED"

    answer = trainbook.http.delete(f"/bookings/{booking['booking_id']}", headers=ala.headers)

    assert answer.status_code == 202, answer.text
    wait_for(
        lambda: ala.get(f"/bookings/{booking['booking_id']}").json()["status"] == "CANCELLED", deadline=60
    )
    fee = (booking["total_grosze"] * 15 + 50) // 100
    view = ala.get(f"/bookings/{booking['booking_id']}").json()
    assert (view["refund_grosze"], view["fee_grosze"]) == (booking["total_grosze"] - fee, fee)
    row = wait_for(
        lambda: next(
            (
                r
                for r in ala.get("/bookings").json()
                if r["booking_id"] == booking["booking_id"] and r["status"] == "CANCELLED"
            ),
            None,
        )
    )
    assert (row["refund_grosze"], row["fee_grosze"]) == (booking["total_grosze"] - fee, fee)
    assert money_kept(trainbook, booking["booking_id"]) == (fee, ["PARTIALLY_REFUNDED"])
    assert held_legs(trainbook, booking["booking_id"]) == []
    assert event_types(trainbook, booking["booking_id"])[-2:] == ["SeatsReleased", "BookingCancelled"]
    again = trainbook.http.delete(f"/bookings/{booking['booking_id']}", headers=ala.headers)
    assert again.status_code == 409


def test_a_compensation_that_keeps_failing_ends_in_compensation_failed(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=3)
    key = "compensation-fails"
    booking_id = _booking_id_for(ala, key)
    _inject(trainbook, booking_id, {"step": "ReleaseSeats", "mode": "error", "when": "before"})

    ala.book(run_id, second_class_seats(trainbook, run_id, 1, skip=80), card=DECLINED_CARD, key=key)
    ala.settled(booking_id, deadline=120)

    execution = ala.get(f"/bookings/{booking_id}/trace").json()["executions"][0]
    assert execution["status"] == "FAILED"
    assert execution["steps"][-1]["error"] == "CompensationFailed"
    release = next(step for step in execution["steps"] if step["state"] == "ReleaseSeats")
    assert release["attempts"] == 5 and release["error"] == "InjectedFault"
    # An operator must finish it; meanwhile the hold still lapses by itself and never blocks the seat.
    assert ala.get(f"/bookings/{booking_id}").json()["status"] == "HELD"
