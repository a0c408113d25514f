"""Cards on `trainbook up`: every test card's outcome told to the passenger, and no card secret kept anywhere.

The card is tokenized by the payment simulator; the booking carries only the token. After a booking with
every test card, every table, every saga execution's history and everything `trainbook up` logged are
searched for the full card numbers and the CVC.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.booking.conftest import Passenger, Trainbook
from tests.e2e.booking.test_booking_saga import first_run, held_legs, second_class_seats
from tests.e2e.localcloud.running import wait_for

CVC = "739"
# number -> (status, failure code) the passenger is shown once the saga has ended
TEST_CARDS: dict[str, tuple[str, str | None]] = {
    "4242 4242 4242 4242": ("CONFIRMED", None),
    "5555 5555 5555 4444": ("CONFIRMED", None),
    "4000 0000 0000 0002": ("FAILED", "card_declined"),
    "4000 0000 0000 9995": ("FAILED", "insufficient_funds"),
    "4000 0000 0000 0069": ("FAILED", "card_declined"),
    "4000 0000 0000 0119": ("FAILED", "payment_timeout"),
    "4000 0000 0000 1117": ("CONFIRMED", None),
    "4000 0000 0000 3220": ("FAILED", "payment_timeout"),
}


@pytest.fixture(scope="module")
def card_bookings(trainbook: Trainbook) -> dict[str, tuple[Passenger, dict[str, Any]]]:
    """One booking per test card, made concurrently, each once its saga has ended."""
    run_id = first_run(trainbook, index=6)
    seats = second_class_seats(trainbook, run_id, len(TEST_CARDS), skip=100)
    ala = trainbook.passenger("Karta Testowa")

    def book(number: str, seat: tuple[int, int]) -> tuple[str, tuple[Passenger, dict[str, Any]]]:
        card = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": CVC}
        answer = ala.book(run_id, [seat], card=card)
        assert answer.status_code == 202, answer.text
        return number, (ala, ala.settled(answer.json()["booking_id"], deadline=120))

    # The timeout card keeps a simulator worker asleep past the saga's patience: it goes last, alone.
    timeout_card = "4000 0000 0000 3220"
    others = [number for number in TEST_CARDS if number != timeout_card]
    with ThreadPoolExecutor(max_workers=2) as pool:
        booked = dict(pool.map(book, others, seats))
    return {**booked, **dict([book(timeout_card, seats[-1])])}


def test_every_test_card_shows_its_outcome_in_the_booking_and_the_list(
    card_bookings: dict[str, tuple[Passenger, dict[str, Any]]],
) -> None:
    for number, (passenger, booking) in card_bookings.items():
        status, code = TEST_CARDS[number]
        assert booking["status"] == status, (number, booking["failure"])
        assert (booking["failure"] or {}).get("code") == code, (number, booking["failure"])
        if code:
            assert booking["failure"]["message"]
            assert held_legs(passenger.trainbook, booking["booking_id"]) == []

    passenger = next(iter(card_bookings.values()))[0]

    def listed() -> dict[str, Any]:
        rows = {row["booking_id"]: row for row in passenger.get("/bookings").json()}
        return (
            rows
            if all(
                rows.get(b["booking_id"], {}).get("status") == b["status"] for _, b in card_bookings.values()
            )
            else {}
        )

    rows = wait_for(listed, deadline=30)
    for _, booking in card_bookings.values():
        assert rows[booking["booking_id"]]["failure"] == booking["failure"]


def test_no_card_number_and_no_cvc_is_kept_in_any_table_history_or_log(
    trainbook: Trainbook, card_bookings: dict[str, tuple[Passenger, dict[str, Any]]]
) -> None:
    numbers = [n.replace(" ", "") for n in TEST_CARDS] + list(TEST_CARDS)
    places = {
        **_tables(trainbook),
        **_execution_histories(trainbook),
        "trainbook up output": "".join(trainbook.cloud.output),
    }
    assert len(places) > 10

    # A CVC would show as a field ("cvc": ...) or as its value in quotes; a bare "cvc" could be chance
    # letters of a sealed (base64) number, and {"N": "739"} a DynamoDB number such as a price.
    cvc = re.compile(rf"""["']cvc["']|(?<!"N": )["']{CVC}["']""", re.IGNORECASE)
    found = [f"{n!r} in {place}" for place, text in places.items() for n in numbers if n in text]
    found += [f"{m.group()!r} in {place}" for place, text in places.items() for m in cvc.finditer(text)]

    assert found == []


def test_a_repeated_booking_answers_the_first_result_though_its_token_is_spent(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=7)
    token = trainbook.tokenize()
    body = {
        "run_id": run_id,
        "origin": "GDG",
        "destination": "KRK",
        "seats": [{"car": c, "seat": s} for c, s in second_class_seats(trainbook, run_id, 1, skip=110)],
        "passengers": [{"name": "Ala"}],
        "payment_token": token,
    }
    headers = {**ala.headers, "Idempotency-Key": "repeat-with-spent-token"}
    first = trainbook.http.post("/bookings", json=body, headers=headers)
    assert ala.settled(first.json()["booking_id"])["status"] == "CONFIRMED"

    again = trainbook.http.post("/bookings", json=body, headers=headers)

    assert (again.status_code, again.json()) == (202, first.json())
    assert ala.get(f"/bookings/{first.json()['booking_id']}").json()["status"] == "CONFIRMED"


def test_tokens_are_rate_limited_per_client_address(trainbook: Trainbook) -> None:
    card = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": CVC}
    # A client of its own address (all of 127/8 is loopback), so the rest of the suite keeps its budget.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=trainbook.http.base_url, transport=transport, timeout=60) as other:

        def tokenize(_: int) -> httpx.Response:
            return other.post("/payments/tokens", json=card)

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(tokenize, range(300)))  # faster than 120 a minute, even on a busy machine
    refused = [a for a in answers if a.status_code == 429]

    assert refused and {a.status_code for a in answers} == {201, 429}
    assert refused[0].json()["error"]["code"] == "too_many_requests"
    assert int(refused[0].headers["Retry-After"]) > 0
    assert trainbook.http.post("/payments/tokens", json=card).status_code == 201  # another address


def test_a_card_that_fails_its_checks_gets_no_token(trainbook: Trainbook) -> None:
    good = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": CVC}
    no_cvc = trainbook.http.post("/payments/tokens", json={k: v for k, v in good.items() if k != "cvc"})
    mistyped = trainbook.http.post("/payments/tokens", json={**good, "number": "4242 4242 4242 4241"})

    assert (no_cvc.status_code, mistyped.status_code) == (400, 400)
    assert mistyped.json()["error"]["code"] == "invalid_card"


def _tables(trainbook: Trainbook) -> dict[str, str]:
    dynamodb = trainbook.client("dynamodb")
    texts: dict[str, str] = {}
    for name in dynamodb.list_tables()["TableNames"]:
        items: list[Any] = []
        request: dict[str, Any] = {"TableName": name}
        while True:
            page = dynamodb.scan(**request)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        texts[f"table {name}"] = json.dumps(items, default=str)
    return texts


def _execution_histories(trainbook: Trainbook) -> dict[str, str]:
    sfn = trainbook.client("stepfunctions")
    texts: dict[str, str] = {}
    for machine in sfn.list_state_machines()["stateMachines"]:
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"], maxResults=1000)[
            "executions"
        ]:
            arn = execution["executionArn"]
            history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            described = sfn.describe_execution(executionArn=arn)
            texts[f"execution {execution['name']}"] = json.dumps([described, history], default=str)
    return texts
