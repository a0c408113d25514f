"""Simulated passengers for Locust: search 60 %, seat map 25 %, book 10 %, my bookings 5 %.

Run by `bench/locust_profile.py` against `trainbook up`; on its own:
`locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:3998/api`.
Each passenger registers once and calls from its own loopback address (127.0.0.<n>), as real passengers
come from their own addresses: per-address limits (card tokens, sign-in) apply to each, not to all fifty.
Every answer is counted by endpoint and status; the counts go to the JSON file named by
`TRAINBOOK_LOCUST_COUNTS` when Locust quits.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

from bench.passengers import CARD

PAIRS = [("WAW", "KRK"), ("KRK", "WAW"), ("GDG", "WAW"), ("WAW", "GDG"), ("POZ", "WAW"), ("GDW", "KRK")]
ADDRESSES = (f"127.0.{i // 250}.{i % 250 + 2}" for i in itertools.count())
COUNTS: Counter[tuple[str, int]] = Counter()


class FromAddress(HTTPAdapter):
    """A connection pool whose sockets leave from one loopback address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@events.request.add_listener
def count(name: str, response: Any, **_: Any) -> None:
    COUNTS[(name, getattr(response, "status_code", 0) or 0)] += 1


@events.quitting.add_listener
def write_counts(**_: Any) -> None:
    path = os.environ.get("TRAINBOOK_LOCUST_COUNTS")
    if path:
        rows = [{"name": n, "status": s, "count": c} for (n, s), c in sorted(COUNTS.items())]
        with open(path, "w", encoding="utf-8") as out:
            json.dump(rows, out)


class Passenger(HttpUser):
    """One passenger: signs up, then searches, looks at seats, books now and then, checks their trips."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.mount("http://", FromAddress(next(ADDRESSES)))
        self.days = [(date.today() + timedelta(days=d)).isoformat() for d in (1, 2)]
        email = f"{uuid.uuid4().hex[:12]}@locust.example"
        answer = self.client.post(
            "/auth/register",
            json={"email": email, "password": "Pociag-2026!", "name": "Locust Passenger"},
            name="/auth/register",
        )
        self.client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        self.runs: list[str] = []

    def departures(self, origin: str, destination: str, day: str) -> list[dict[str, Any]]:
        answer = self.client.get(
            "/search", params={"from": origin, "to": destination, "date": day}, name="/search"
        )
        found: list[dict[str, Any]] = answer.json().get("departures", []) if answer.ok else []
        return found

    @task(60)
    def search(self) -> None:
        origin, destination = random.choice(PAIRS)
        found = self.departures(origin, destination, random.choice(self.days))
        if origin == "WAW" and destination == "KRK" and found:
            self.runs = [d["run_id"] for d in found]

    @task(25)
    def seat_map(self) -> None:
        run_id = self.some_run()
        if run_id:
            self.client.get(
                f"/runs/{run_id}/seatmap", params={"from": "WAW", "to": "KRK"}, name="/runs/[id]/seatmap"
            )

    @task(10)
    def book(self) -> None:
        run_id = self.some_run()
        if not run_id:
            return
        seats = self.client.get(
            f"/runs/{run_id}/seatmap", params={"from": "WAW", "to": "KRK"}, name="/runs/[id]/seatmap"
        ).json()
        free = [
            {"car": car["number"], "seat": seat["seat"]}
            for car in seats.get("cars", [])
            if car["travel_class"] == 2
            for seat in car["seats"]
            if seat["state"] == "free"
        ]
        if not free:
            return
        token = self.client.post("/payments/tokens", json=CARD, name="/payments/tokens")
        if token.status_code != 201:
            return
        self.client.post(
            "/bookings",
            json={
                "run_id": run_id,
                "origin": "WAW",
                "destination": "KRK",
                "seats": [random.choice(free)],
                "passengers": [{"name": "Jan Locust"}],
                "payment_token": token.json()["token"],
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="/bookings (POST)",
        )

    @task(5)
    def my_bookings(self) -> None:
        self.client.get("/bookings", name="/bookings (GET)")

    def some_run(self) -> str | None:
        if not self.runs:
            found = self.departures("WAW", "KRK", self.days[0])
            self.runs = [d["run_id"] for d in found]
        return random.choice(self.runs) if self.runs else None
