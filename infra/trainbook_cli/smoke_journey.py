"""A passenger's journey through a deployed Trainbook by its public URLs only: the steps of `trainbook smoke`.

Each step is a function of the journey that raises `StepFailed` with what it saw; the journey remembers what
it booked so `clean_up` can cancel it whatever step failed. Nothing here touches a table or an engine: a
stack that passes answers its passengers, whichever cloud runs it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

APPROVE_CARD = "4242 4242 4242 4242"
DECLINE_CARD = "4000 0000 0000 0002"
FINAL = ("CONFIRMED", "FAILED", "CANCELLED")
ORIGIN, DESTINATION = "GDG", "KRK"


class StepFailed(Exception):
    """A step saw something a working Trainbook never answers."""


@dataclass
class Options:
    api: str
    ws: str | None = None
    admin_email: str | None = None
    admin_password: str | None = None
    approve_card: str = APPROVE_CARD
    timeout: float = 90.0


@dataclass
class Step:
    name: str
    run: Callable[[], str]  # returns a one-line detail for the table
    changes_state: bool = True


@dataclass
class Journey:
    options: Options
    http: httpx.Client
    day: str = ""
    run_id: str = ""
    seat: dict[str, int] = field(default_factory=dict)
    token: str = ""
    payment_token: str = ""
    booking_id: str = ""
    declined_id: str = ""
    declined_seat: dict[str, int] = field(default_factory=dict)
    changed_run: str = ""
    admin_token: str = ""
    booked: list[str] = field(default_factory=list)

    # ---- helpers ------------------------------------------------------------------------------------
    def _expect(self, answer: httpx.Response, *codes: int) -> Any:
        if answer.status_code not in codes:
            raise StepFailed(
                f"{answer.request.method} {answer.request.url.path} answered {answer.status_code}: "
                f"{answer.text[:300]}"
            )
        return answer.json() if "json" in answer.headers.get("content-type", "") else answer.content

    def _auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def _booking(self, booking_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._expect(
            self.http.get(f"bookings/{booking_id}", headers=self._auth()), 200
        )
        return found

    def _wait(self, booking_id: str, statuses: tuple[str, ...]) -> dict[str, Any]:
        deadline = time.monotonic() + self.options.timeout
        booking = self._booking(booking_id)
        while booking["status"] not in statuses:
            if time.monotonic() > deadline:
                raise StepFailed(
                    f"booking {booking_id} still {booking['status']} after {self.options.timeout:.0f} s"
                )
            time.sleep(0.5)
            booking = self._booking(booking_id)
        return booking

    def _free_seats(self, run_id: str) -> list[dict[str, int]]:
        seatmap = self._expect(
            self.http.get(f"runs/{run_id}/seatmap", params={"from": ORIGIN, "to": DESTINATION}), 200
        )
        return [
            {"car": car["number"], "seat": seat["seat"]}
            for car in seatmap["cars"]
            if car["travel_class"] == 2
            for seat in car["seats"]
            if seat["state"] == "free"
        ]

    def _tokenize(self, number: str) -> str:
        card = {
            "number": number,
            "exp_month": 12,
            "exp_year": date.today().year + 3,
            "cvc": "123",
            "holder": "Smoke Test",
        }
        token: str = self._expect(self.http.post("payments/tokens", json=card), 201, 200)["token"]
        return token

    def _book(self, run_id: str, seat: dict[str, int], payment_token: str, token: str | None = None) -> str:
        body = {
            "run_id": run_id,
            "origin": ORIGIN,
            "destination": DESTINATION,
            "seats": [seat],
            "passengers": [{"name": "Smoke Test"}],
            "payment_token": payment_token,
        }
        headers = {**self._auth(token), "Idempotency-Key": uuid.uuid4().hex}
        booking_id: str = self._expect(self.http.post("bookings", json=body, headers=headers), 202)[
            "booking_id"
        ]
        self.booked.append(booking_id)
        return booking_id

    # ---- read-only steps ----------------------------------------------------------------------------
    def stations(self) -> str:
        codes = {s["code"] for s in self._expect(self.http.get("stations"), 200)}
        missing = {"GDG", "GDW", "POZ", "WAW", "KRK"} - codes
        if missing:
            raise StepFailed(f"stations lacks {sorted(missing)}")
        return f"{len(codes)} stations"

    def documents(self) -> str:
        openapi = self._expect(self.http.get("openapi.json"), 200)
        asyncapi = self._expect(self.http.get("asyncapi.json"), 200)
        return f"OpenAPI {len(openapi['paths'])} paths, AsyncAPI {asyncapi.get('asyncapi')}"

    def search(self) -> str:
        # Tomorrow in Poland: a day whose trains have not left yet, whatever the hour.
        self.day = (datetime.now(ZoneInfo("Europe/Warsaw")).date() + timedelta(days=1)).isoformat()
        found = self._expect(
            self.http.get("search", params={"from": ORIGIN, "to": DESTINATION, "date": self.day}), 200
        )
        open_runs = [
            d for d in found["departures"] if not d["cancelled"] and d["free_seats"].get("2", 0) >= 2
        ]
        if not open_runs:
            raise StepFailed(f"no bookable {ORIGIN}->{DESTINATION} train on {self.day}")
        self.run_id = open_runs[-1]["run_id"]
        return (
            f"{len(found['departures'])} trains on {self.day}; using {open_runs[-1]['train']} ({self.run_id})"
        )

    def seat_map(self) -> str:
        free = self._free_seats(self.run_id)
        if len(free) < 2:
            raise StepFailed(f"run {self.run_id} has {len(free)} free 2nd-class seats")
        self.seat, self.declined_seat = free[0], free[1]
        return f"{len(free)} free 2nd-class seats; taking car {self.seat['car']} seat {self.seat['seat']}"

    # ---- steps that change state --------------------------------------------------------------------
    def register(self) -> str:
        email = f"smoke-{uuid.uuid4().hex[:12]}@smoke.trainbook.example"
        answer = self._expect(
            self.http.post(
                "auth/register",
                json={"email": email, "password": f"Smoke-{uuid.uuid4().hex}", "name": "Smoke Test"},
            ),
            201,
        )
        self.token = answer["access_token"]
        return email

    def tokenize(self) -> str:
        self.payment_token = self._tokenize(self.options.approve_card)
        return f"{self.payment_token[:8]}..."

    def book(self) -> str:
        self.booking_id = self._book(self.run_id, self.seat, self.payment_token)
        return self.booking_id

    def follow_live(self) -> str:
        """Watch the booking over the WebSocket until its final status (polling when no --ws was given)."""
        if not self.options.ws:
            booking = self._wait(self.booking_id, FINAL)
            status = "polled"
        else:
            status, booking = self._follow_socket()
        if booking["status"] != "CONFIRMED":
            raise StepFailed(f"booking ended {booking['status']}: {booking.get('failure')}")
        return f"CONFIRMED ({status})"

    def _follow_socket(self) -> tuple[str, dict[str, Any]]:
        from websockets.sync.client import connect

        topic = f"booking:{self.booking_id}"
        steps: list[str] = []
        with connect(f"{self.options.ws}?token={self.token}", open_timeout=20) as socket:
            socket.send(json.dumps({"action": "subscribe", "topic": topic}))
            deadline = time.monotonic() + self.options.timeout
            subscribed = False
            while time.monotonic() < deadline:
                # The saga may have ended before the subscription: read the booking once subscribed.
                if subscribed and self._booking(self.booking_id)["status"] in FINAL:
                    break
                try:
                    message = json.loads(socket.recv(timeout=2))
                except TimeoutError:
                    continue
                if message.get("type") == "error":
                    raise StepFailed(f"subscribe {topic}: {message['error']}")
                if message.get("type") == "subscribed":
                    subscribed = True
                    continue
                if message.get("topic") == topic:
                    steps.append(str(message.get("data", {}).get("step") or message.get("type")))
                    if message.get("data", {}).get("status") in FINAL:
                        break
            else:
                raise StepFailed(
                    f"no final status on {topic} after {self.options.timeout:.0f} s; saw {steps}"
                )
        if not subscribed:
            raise StepFailed(f"the server never confirmed the subscription to {topic}")
        return f"{len(steps)} live messages", self._booking(self.booking_id)

    def ticket(self) -> str:
        # The saga issues the ticket after it confirms: a passenger's app waits for it the same way.
        deadline = time.monotonic() + self.options.timeout
        answer = self.http.get(f"bookings/{self.booking_id}/ticket", headers=self._auth())
        while answer.status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.5)
            answer = self.http.get(f"bookings/{self.booking_id}/ticket", headers=self._auth())
        ticket = self._expect(answer, 200)
        pdf = self.http.get(f"bookings/{self.booking_id}/ticket.pdf", headers=self._auth())
        if pdf.status_code != 200 or not pdf.content.startswith(b"%PDF"):
            raise StepFailed(f"ticket.pdf answered {pdf.status_code} {pdf.headers.get('content-type')}")
        return f"ticket {ticket.get('ticket_number', '?')}, PDF {len(pdf.content) // 1024} KiB"

    def cancel(self) -> str:
        self._expect(self.http.delete(f"bookings/{self.booking_id}", headers=self._auth()), 202)
        booking = self._wait(self.booking_id, ("CANCELLED",))
        self.booked.remove(self.booking_id)
        refund = booking.get("refund_grosze")
        if not isinstance(refund, int) or refund <= 0:
            raise StepFailed(f"cancelled without a refund: refund_grosze={refund!r}")
        if {"car": self.seat["car"], "seat": self.seat["seat"]} not in self._free_seats(self.run_id):
            raise StepFailed(f"seat {self.seat} is not free after the cancellation")
        return (
            f"refund {refund / 100:.2f} zł, fee {booking.get('fee_grosze', 0) / 100:.2f} zł, seat free again"
        )

    def decline(self) -> str:
        self.declined_id = self._book(self.run_id, self.declined_seat, self._tokenize(DECLINE_CARD))
        booking = self._wait(self.declined_id, FINAL)
        self.booked.remove(self.declined_id)
        failure = booking.get("failure") or {}
        if booking["status"] != "FAILED" or failure.get("code") != "card_declined":
            raise StepFailed(f"a declined card ended {booking['status']} with {failure}")
        if self.declined_seat not in self._free_seats(self.run_id):
            raise StepFailed(f"seat {self.declined_seat} is still taken after the decline")
        return "FAILED card_declined, seat free again"

    def schedule_change(self) -> str:
        """An administrator delays the passenger's train, the passenger is told, the delay is cleared."""
        assert self.options.admin_email and self.options.admin_password
        admin = self.admin_token = self._expect(
            self.http.post(
                "auth/login",
                json={"email": self.options.admin_email, "password": self.options.admin_password},
            ),
            200,
        )["access_token"]
        self.booking_id = self._book(self.run_id, self.seat, self._tokenize(self.options.approve_card))
        if self._wait(self.booking_id, FINAL)["status"] != "CONFIRMED":
            raise StepFailed("the booking for the schedule change did not confirm")
        before = self._expect(self.http.get("me/notifications", headers=self._auth()), 200)
        change = {"kind": "delay", "station": ORIGIN, "minutes": 75, "reason": "trainbook smoke test"}
        self.changed_run = self.run_id
        self._expect(
            self.http.post(f"admin/runs/{self.run_id}/changes", json=change, headers=self._auth(admin)), 201
        )
        deadline = time.monotonic() + self.options.timeout
        while True:
            inbox = self._expect(self.http.get("me/notifications", headers=self._auth()), 200)
            if len(inbox["notifications"]) > len(before["notifications"]):
                break
            if time.monotonic() > deadline:
                raise StepFailed("the passenger got no notification of a 75-minute delay")
            time.sleep(0.5)
        self._clear_change(admin)
        newest = inbox["notifications"][0]
        return str(newest.get("text") or newest.get("title") or "notified")

    def _clear_change(self, admin: str) -> None:
        clear = {"kind": "delay", "station": ORIGIN, "minutes": 0, "reason": "trainbook smoke test: cleared"}
        self._expect(
            self.http.post(f"admin/runs/{self.changed_run}/changes", json=clear, headers=self._auth(admin)),
            201,
        )
        self.changed_run = ""

    def clean_up(self) -> list[str]:
        """Cancel what this journey booked and still holds; returns what it could not undo."""
        left: list[str] = []
        if self.changed_run:
            try:
                self._clear_change(self.admin_token)
            except (StepFailed, httpx.HTTPError) as error:
                left.append(f"delay on {self.changed_run}: {error}")
        for booking_id in list(self.booked):
            try:
                status = self._booking(booking_id)["status"]
                if status not in FINAL:
                    status = self._wait(booking_id, FINAL)["status"]
                if status == "CONFIRMED":
                    self._expect(self.http.delete(f"bookings/{booking_id}", headers=self._auth()), 202)
                    self._wait(booking_id, ("CANCELLED",))
                self.booked.remove(booking_id)
            except (StepFailed, httpx.HTTPError) as error:
                left.append(f"booking {booking_id}: {error}")
        return left

    def steps(self) -> list[Step]:
        steps = [
            Step("stations", self.stations, changes_state=False),
            Step("API documents", self.documents, changes_state=False),
            Step("search", self.search, changes_state=False),
            Step("seat map", self.seat_map, changes_state=False),
            Step("register", self.register),
            Step("tokenize card", self.tokenize),
            Step("book", self.book),
            Step("follow to CONFIRMED" + (" (live)" if self.options.ws else " (polling)"), self.follow_live),
            Step("ticket and PDF", self.ticket),
            Step("cancel and refund", self.cancel),
            Step("declined card", self.decline),
        ]
        if self.options.admin_email and self.options.admin_password:
            steps.append(Step("schedule change reaches passenger", self.schedule_change))
        return steps
