"""One `trainbook up` on the real template.yaml, with the shipped timetable open for sale, per package."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.localcloud.running import RunningCloud, wait_for

REPO = Path(__file__).resolve().parents[3]
TOMORROW = date.today() + timedelta(days=1)
APPROVED_CARD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


@dataclass
class Trainbook:
    cloud: RunningCloud
    http: httpx.Client

    def client(self, service: str) -> Any:
        return self.cloud.client(service)

    def tokenize(self, card: dict[str, Any] | None = None) -> str:
        """A single-use payment token for the card, as the card form gets it from the simulator."""
        answer = self.http.post("/payments/tokens", json={"cvc": "123", **(card or APPROVED_CARD)})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])

    def passenger(self, name: str = "Ala Kowalska") -> Passenger:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        answer = self.http.post(
            "/auth/register", json={"email": email, "password": "Pociag-2026!", "name": name}
        )
        assert answer.status_code == 201, answer.text
        return Passenger(self, answer.json()["access_token"], answer.json()["user"]["id"])


@dataclass
class Passenger:
    trainbook: Trainbook
    token: str
    user_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.trainbook.http.get(path, headers=self.headers, **kwargs)

    def book(
        self,
        run_id: str,
        seats: list[tuple[int, int]],
        origin: str = "GDG",
        destination: str = "KRK",
        card: dict[str, Any] | None = None,  # tokenized first, as the web app's card form does
        key: str | None = None,
        payment_token: str | None = None,  # a token made beforehand (then `card` is not used)
        passengers: list[dict[str, Any]] | None = None,
    ) -> httpx.Response:
        body = {
            "run_id": run_id,
            "origin": origin,
            "destination": destination,
            "seats": [{"car": car, "seat": seat} for car, seat in seats],
            "passengers": [{"name": f"Pasażer {i + 1}"} for i in range(len(seats))]
            if passengers is None
            else passengers,
            "payment_token": payment_token or self.trainbook.tokenize(card),
        }
        headers = {**self.headers, "Idempotency-Key": key or uuid.uuid4().hex}
        return self.trainbook.http.post("/bookings", json=body, headers=headers)

    def settled(self, booking_id: str, deadline: float = 90.0) -> dict[str, Any]:
        """The booking once its saga execution has ended (a CONFIRMED booking may still be compensated)."""

        def ended() -> bool:
            answer = self.get(f"/bookings/{booking_id}/trace")
            assert answer.status_code == 200, answer.text
            return answer.json()["executions"][0]["status"] not in ("RUNNING", "NOT_STARTED")

        wait_for(ended, deadline=deadline, interval=0.3)
        answer = self.get(f"/bookings/{booking_id}")
        assert answer.status_code == 200, answer.text
        booking: dict[str, Any] = answer.json()
        return booking


@pytest.fixture(scope="package")
def trainbook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trainbook]:
    cloud = RunningCloud(
        REPO / "template.yaml",
        Path(tmp_path_factory.mktemp("trainbook")),
        "--reset",
        "--timetable-days",
        "3",
        "--ttl-interval",
        "5",  # so TTL expiry is observable within a test (the default is 30 s)
    )
    try:
        with httpx.Client(base_url=cloud.api_url, timeout=60) as http:
            yield Trainbook(cloud, http)
    finally:
        cloud.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """A failed test that used the shared cloud carries the cloud's last output (engine and function logs),
    so a 5xx seen once in CI shows its traceback."""
    report = yield
    trainbook = getattr(item, "funcargs", {}).get("trainbook")
    if report.failed and isinstance(trainbook, Trainbook):
        report.sections.append(
            ("trainbook up output (last 300 lines)", "".join(trainbook.cloud.output[-300:]))
        )
    return report
