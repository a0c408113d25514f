"""Fault plans: read when a step may have one, skipped when the saga's first step saw none for the booking."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trainbook import faults


class FakeSsm:
    def __init__(self, plans: dict[str, Any]) -> None:
        self.value = json.dumps(plans)
        self.reads = 0

    def get_parameter(self, Name: str) -> dict[str, Any]:
        self.reads += 1
        return {"Parameter": {"Name": Name, "Value": self.value}}


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> FakeSsm:
    fake = FakeSsm({"b-1": {"step": "ConfirmBooking", "mode": "error", "when": "before"}})
    monkeypatch.setenv("FAULTS_PARAMETER", "/trainbook/test/faults")
    monkeypatch.setattr(faults, "_ssm", lambda: fake)
    return fake


def test_a_step_whose_input_does_not_say_reads_the_plan_as_it_is_now(ssm: FakeSsm) -> None:
    assert faults.plan_for("b-1", "ConfirmBooking") == {
        "step": "ConfirmBooking",
        "mode": "error",
        "when": "before",
    }
    assert faults.plan_for("b-1", "HoldSeats") is None
    assert faults.plan_for("b-2", "ConfirmBooking") is None
    assert ssm.reads == 3


def test_a_booking_the_first_step_saw_with_a_plan_keeps_reading_it(ssm: FakeSsm) -> None:
    assert faults.plan_for("b-1", "ConfirmBooking", planned=True) is not None
    ssm.value = "{}"  # the plan removed mid-saga (as a test does before a restart) stops failing steps
    assert faults.plan_for("b-1", "ConfirmBooking", planned=True) is None
    assert ssm.reads == 2


def test_a_booking_the_first_step_saw_without_a_plan_costs_no_read(ssm: FakeSsm) -> None:
    assert faults.plan_for("b-2", "ConfirmBooking", planned=False) is None
    assert ssm.reads == 0


def test_without_a_fault_parameter_nothing_is_read(ssm: FakeSsm, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAULTS_PARAMETER")
    assert faults.booking_plan("b-1") is None
    assert ssm.reads == 0


def test_the_first_step_tells_the_saga_whether_the_booking_has_a_plan(
    ssm: FakeSsm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainbook.booking import handlers

    monkeypatch.setattr(handlers, "records_progress", lambda step_of: lambda handler: handler)
    work = lambda booking_id, event, meta: {"total_grosze": 100}  # noqa: E731
    quote = handlers.saga_task("QuoteFare", tells_faults=True)(work)

    assert quote({"booking_id": "b-1"}, FakeContext())["faults"] is True
    assert quote({"booking_id": "b-2"}, FakeContext())["faults"] is False


class FakeContext:
    function_name = "quote-fare"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-central-1:000000000000:function:quote-fare"
    aws_request_id = "r-1"
