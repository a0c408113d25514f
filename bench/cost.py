"""What 1 000 bookings cost on AWS (eu-central-1), from the requests a booking bench run counted.

Reads the counts `bench.booking_bench` writes (`bench/results/booking.json`: requests per booking by kind,
state transitions, Lambda invocations and GB-seconds, bytes stored) and prices them with the public
on-demand prices below. Also prices the same saga on Step Functions Express, beside Standard.
Run: `.venv/bin/python -m bench.cost [bench/results/booking.json]`.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "booking.json"
BOOKINGS = 1_000

# Public on-demand prices, eu-central-1 (Frankfurt), USD, as listed on the AWS pricing pages in 2026-12
# (no free tier counted). The bench has no network: update here when a page changes.
PRICE = {
    "api_rest_request": 3.70 / 1e6,  # API Gateway REST API, first 333 M requests a month
    "ws_message": 1.14 / 1e6,  # API Gateway WebSocket, per message of up to 32 KB
    "ws_connection_minute": 0.285 / 1e6,
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,  # the template's functions run on arm64
    "sfn_standard_transition": 0.025 / 1e3,
    "sfn_express_request": 1.00 / 1e6,
    "sfn_express_gb_second": 0.00001667,  # billed in 64 MB, 100 ms increments
    "ddb_write_unit": 0.7625 / 1e6,  # on-demand write request unit (1 KB; a transactional write is 2)
    "ddb_read_unit": 0.1525 / 1e6,  # on-demand read request unit (4 KB strong; eventual is half)
    "ddb_storage_gb_month": 0.306,
    "secrets_api_call": 0.05 / 1e4,
    "logs_ingested_gb": 0.63,
}


@dataclass(frozen=True)
class BookingUsage:
    """What one booking uses end to end, counted by the bench (means over its bookings)."""

    rest_requests: float  # REST calls the client made per booking (POST, token, polls it chose)
    ws_messages: float  # pushes sent for one booking to its subscribers
    lambda_invocations: float
    lambda_gb_seconds: float  # sum over invocations of duration (rounded up to 1 ms) x memory
    state_transitions: float  # Step Functions state transitions of its saga
    saga_seconds: float  # how long its saga ran (Express bills duration)
    ddb_write_units: float  # 1 KB units; 2 per KB for a transactional write
    ddb_read_units: float  # 4 KB units; half for an eventually consistent read
    stored_bytes: float  # bytes its items leave in the tables (events, read models, inventory)
    secrets_calls: float
    log_bytes: float


def standard_cost(use: BookingUsage) -> dict[str, float]:
    """Cost of one booking, by service, with the saga on Step Functions Standard."""
    return {
        "API Gateway (REST)": use.rest_requests * PRICE["api_rest_request"],
        "API Gateway (WebSocket)": use.ws_messages * PRICE["ws_message"],
        "Lambda": use.lambda_invocations * PRICE["lambda_request"]
        + use.lambda_gb_seconds * PRICE["lambda_gb_second_arm64"],
        "Step Functions": use.state_transitions * PRICE["sfn_standard_transition"],
        "DynamoDB requests": use.ddb_write_units * PRICE["ddb_write_unit"]
        + use.ddb_read_units * PRICE["ddb_read_unit"],
        "DynamoDB storage (1 month)": use.stored_bytes / 1e9 * PRICE["ddb_storage_gb_month"],
        "Secrets Manager": use.secrets_calls * PRICE["secrets_api_call"],
        "CloudWatch Logs": use.log_bytes / 1e9 * PRICE["logs_ingested_gb"],
    }


def express_saga_cost(use: BookingUsage, memory_mb: int = 64) -> float:
    """The saga's cost on Express: one request plus its duration in 64 MB and 100 ms increments."""
    billed_seconds = math.ceil(use.saga_seconds * 10) / 10
    gigabytes = math.ceil(memory_mb / 64) * 64 / 1024
    return PRICE["sfn_express_request"] + billed_seconds * gigabytes * PRICE["sfn_express_gb_second"]


def usage(results: dict[str, float]) -> BookingUsage:
    return BookingUsage(**{name: float(results[name]) for name in BookingUsage.__dataclass_fields__})


def report(use: BookingUsage) -> None:
    by_service = standard_cost(use)
    total = sum(by_service.values())
    print(f"Cost of {BOOKINGS} bookings on AWS eu-central-1 (on-demand, no free tier)")
    for service, dollars in sorted(by_service.items(), key=lambda item: -item[1]):
        print(f"  {service:<28}${dollars * BOOKINGS:>9.4f}  {dollars / total:>5.0%}")
    print(f"  {'total':<28}${total * BOOKINGS:>9.4f}")
    standard = by_service["Step Functions"]
    express = express_saga_cost(use)
    print(
        f"saga on Standard: ${standard * BOOKINGS:.4f} per {BOOKINGS}"
        f" ({use.state_transitions:.0f} transitions each);"
        f" on Express: ${express * BOOKINGS:.4f} ({use.saga_seconds:.1f} s at 64 MB each)"
    )


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    report(usage(json.loads(path.read_text(encoding="utf-8"))["per_booking"]))


if __name__ == "__main__":
    main()
