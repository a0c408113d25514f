"""Stopping `trainbook up` in the middle of a saga loses nothing: the saga runs again after the restart and
its idempotent steps finish the booking exactly once (one hold, one sale, one capture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.booking.conftest import REPO, Passenger, Trainbook
from tests.e2e.booking.test_booking_saga import (
    _booking_id_for,
    event_types,
    first_run,
    held_legs,
    money_kept,
    second_class_seats,
)
from tests.e2e.localcloud.running import RunningCloud, wait_for


def test_a_saga_interrupted_by_a_restart_finishes_exactly_once(tmp_path: Path) -> None:
    import httpx

    # Function logs kept (no --quiet): a failed trace read below shows what the API function logged.
    cloud = RunningCloud(REPO / "template.yaml", tmp_path, "--reset", "--timetable-days", "2")
    try:
        trainbook = Trainbook(cloud, httpx.Client(base_url=cloud.api_url, timeout=60))
        ala = trainbook.passenger()
        run_id = first_run(trainbook)
        key = "interrupted"
        booking_id = _booking_id_for(ala, key)
        faults = {booking_id: {"step": "ConfirmBooking", "mode": "timeout", "when": "before"}}
        ssm = cloud.client("ssm")
        ssm.put_parameter(
            Name="/trainbook/dev/faults", Value=json.dumps(faults), Type="String", Overwrite=True
        )
        ala.book(run_id, second_class_seats(trainbook, run_id, 1), key=key)
        wait_for(lambda: "ConfirmBooking" in _states(ala, booking_id), deadline=60)
        # The step hangs once it has read the plan, not when it is entered: remove the plan only then.
        wait_for(lambda: '"message":"fault injected"' in "".join(cloud.output), deadline=60)
        ssm.put_parameter(Name="/trainbook/dev/faults", Value="{}", Type="String", Overwrite=True)
    finally:
        assert cloud.stop() == 0

    cloud = RunningCloud(REPO / "template.yaml", tmp_path, "--timetable-days", "2", "--quiet")
    try:
        trainbook = Trainbook(cloud, httpx.Client(base_url=cloud.api_url, timeout=60))
        assert "resumed         1 executions" in "".join(cloud.output)
        ala = Passenger(trainbook, ala.token, ala.user_id)

        booking = ala.settled(booking_id)

        assert booking["status"] == "CONFIRMED"
        events = event_types(trainbook, booking_id)
        assert events.count("SeatsHeld") == 1 and events.count("SeatsSold") == 1
        assert events.count("BookingConfirmed") == 1
        assert money_kept(trainbook, booking_id) == (booking["total_grosze"], ["CAPTURED"])
        assert len(held_legs(trainbook, booking_id)) >= 1
    finally:
        cloud.stop()


def _states(passenger: Passenger, booking_id: str) -> list[str]:
    answer = passenger.get(f"/bookings/{booking_id}/trace")
    if answer.status_code != 200:  # a 5xx is a bug: show what the API function logged with it
        pytest.fail(f"{answer.text}\n{''.join(passenger.trainbook.cloud.output)[-6000:]}")
    return [step["state"] for step in answer.json()["executions"][0]["steps"]]
