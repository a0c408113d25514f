"""End-to-end booking benchmark on `trainbook up`: bookings per second, latency, saga state transitions.

Starts the local cloud on the real template.yaml, registers passengers, and books over HTTP from a pool
of concurrent clients; a booking's latency runs from POST /bookings to the end of its saga. Prints
figures; asserts nothing. Run: `.venv/bin/python -m bench.booking_bench [--bookings 40 --clients 4]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx
from tests.e2e.localcloud.running import RunningCloud

from bench.passengers import CARD

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        cloud = RunningCloud(
            REPO / "template.yaml", Path(data), "--reset", "--timetable-days", "2", "--quiet"
        )
        try:
            run(cloud, args.bookings, args.clients)
        finally:
            cloud.stop()


def run(cloud: RunningCloud, bookings: int, clients: int) -> None:
    http = httpx.Client(base_url=cloud.api_url, timeout=120)
    day = (date.today() + timedelta(days=1)).isoformat()
    departures = http.get("/search", params={"from": "WAW", "to": "KRK", "date": day}).json()["departures"]
    runs = [d["run_id"] for d in departures]
    tokens = []
    for _ in range(clients):
        email = f"{uuid.uuid4().hex[:10]}@bench.example"
        answer = http.post(
            "/auth/register", json={"email": email, "password": "Pociag-2026!", "name": "Bench"}
        )
        tokens.append(answer.json()["access_token"])
    sfn = cloud.client("stepfunctions")
    machine = next(
        m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if "booking" in m["name"]
    )

    def tokenize() -> str:
        """A card token, as the card form gets it (not timed; waits out the per-address rate limit)."""
        while True:
            answer = http.post("/payments/tokens", json=CARD)
            if answer.status_code != 429:
                return str(answer.json()["token"])
            time.sleep(float(answer.headers["Retry-After"]))

    def book(i: int) -> tuple[float, str, int]:
        headers = {"Authorization": f"Bearer {tokens[i % clients]}", "Idempotency-Key": uuid.uuid4().hex}
        run_id = runs[i % len(runs)]
        seat = {
            "car": 5 + (i // 400) % 2,
            "seat": [11, 12, 13, 14, 15, 16, 17, 18][i % 8] + 10 * ((i // 8) % 6),
        }
        body = {
            "run_id": run_id,
            "origin": "WAW",
            "destination": "KRK",
            "seats": [seat],
            "passengers": [{"name": "Jan Bench"}],
            "payment_token": tokenize(),
        }
        started = time.perf_counter()
        answer = http.post("/bookings", json=body, headers=headers)
        booking_id = answer.json()["booking_id"]
        arn = machine.replace(":stateMachine:", ":execution:") + f":{booking_id}"
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            time.sleep(0.05)
        latency = time.perf_counter() - started
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        transitions = sum(1 for e in history if e["type"].endswith("StateEntered"))
        status = http.get(f"/bookings/{booking_id}", headers=headers).json()["status"]
        return latency, status, transitions

    warm_up = book(bookings)  # cold starts of every saga function, not counted
    print(f"warm-up booking (cold starts): {warm_up[0]:.2f} s, {warm_up[1]}")
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(book, range(bookings)))
    elapsed = time.perf_counter() - began
    latencies = sorted(r[0] for r in results)
    confirmed = sum(1 for r in results if r[1] == "CONFIRMED")
    print(
        f"bookings: {bookings} from {clients} concurrent clients over {len(runs)} runs; confirmed {confirmed}"
    )
    print(f"throughput: {bookings / elapsed:.2f} bookings/s end to end (POST to saga end)")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"latency: p50 {statistics.median(latencies):.2f} s, p99 {p99:.2f} s, max {latencies[-1]:.2f} s")
    print(f"state transitions per booking: {statistics.mean(r[2] for r in results):.1f}")


if __name__ == "__main__":
    main()
