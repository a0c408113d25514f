"""Load profile on `trainbook up`: 50 simulated passengers for 60 s with Locust, headless, loopback only.

Starts the local cloud on the real template.yaml, runs `bench/locustfile.py` (search 60 %, seat map 25 %,
book 10 %, my bookings 5 %) in its own process, and prints requests/s, p50/p95/p99 per endpoint and the
answers by status class. The goal is no 5xx at all; a 4xx is counted and named (a seat taken in a race
is a right answer, a 400 is not). Asserts nothing.
Run: `.venv/bin/python -m bench.locust_profile [--users 50 --seconds 60]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import httpx
from tests.e2e.localcloud.running import RunningCloud

from bench.passengers import CARD

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        cloud = RunningCloud(
            REPO / "template.yaml", Path(data), "--reset", "--timetable-days", "3", "--quiet"
        )
        try:
            warm_up(cloud.api_url)
            stats, counts = swarm(cloud.api_url, args.users, args.seconds, Path(data))
        finally:
            cloud.stop()
    report(stats, counts, args.users, args.seconds)


def warm_up(host: str) -> None:
    """One passenger's path through every endpoint first, so cold starts are not in the figures."""
    http = httpx.Client(base_url=host, timeout=120)
    email = f"{uuid.uuid4().hex[:12]}@warm.example"
    token = http.post("/auth/register", json={"email": email, "password": "Pociag-2026!", "name": "Warm"})
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    day = (date.today() + timedelta(days=1)).isoformat()
    run_id = http.get("/search", params={"from": "WAW", "to": "KRK", "date": day}).json()["departures"][0][
        "run_id"
    ]
    http.get(f"/runs/{run_id}/seatmap", params={"from": "WAW", "to": "KRK"}).raise_for_status()
    http.get("/bookings").raise_for_status()
    card = http.post("/payments/tokens", json=CARD).json()["token"]
    http.post(
        "/bookings",
        json={
            "run_id": run_id,
            "origin": "WAW",
            "destination": "KRK",
            "seats": [{"car": 6, "seat": 11}],
            "passengers": [{"name": "Jan Warm"}],
            "payment_token": card,
        },
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).raise_for_status()


def swarm(
    host: str, users: int, seconds: int, out: Path
) -> tuple[list[dict[str, str]], list[dict[str, int]]]:
    """Run Locust headless against `host`; its per-endpoint statistics and the answers by status."""
    counts_file = out / "counts.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(REPO / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            host,
            "--csv",
            str(out / "locust"),
        ],
        env=dict(os.environ, TRAINBOOK_LOCUST_COUNTS=str(counts_file), NO_PROXY="127.0.0.1,localhost"),
        cwd=REPO,
        check=False,  # Locust exits 1 when any request failed; the report says which
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(out / "locust_stats.csv", encoding="utf-8") as rows:
        stats = list(csv.DictReader(rows))
    return stats, json.loads(counts_file.read_text(encoding="utf-8"))


def report(stats: list[dict[str, str]], counts: list[dict[str, int]], users: int, seconds: int) -> None:
    by_name: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        by_name[str(row["name"])][f"{int(row['status']) // 100}xx"] += int(row["count"])
    print(
        f"Locust profile: {users} passengers for {seconds} s"
        " (search 60 %, seat map 25 %, book 10 %, mine 5 %)"
    )
    print(f"{'endpoint':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}  answers")
    for row in stats:
        name = row["Name"]
        answers = " ".join(f"{k} {v}" for k, v in sorted(by_name.get(name, {}).items()))
        print(
            f"{name:<22}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}  {answers}"
        )
    server_errors = sum(v for classes in by_name.values() for k, v in classes.items() if k == "5xx")
    unanswered = sum(v for classes in by_name.values() for k, v in classes.items() if k == "0xx")
    print(f"5xx answers: {server_errors} (goal 0) {'MET' if server_errors == 0 else 'NOT MET'}")
    print(f"requests with no answer (connection errors): {unanswered}")


if __name__ == "__main__":
    main()
