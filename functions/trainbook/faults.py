"""Fault injection for saga steps, to prove compensation: an error, a timeout or a crash on demand.

Off unless the function's FAULTS_PARAMETER names an SSM parameter (template.yaml sets it only when the
`FaultInjection` parameter is `enabled`, as it is for local runs and tests). The parameter holds JSON
`{"<booking id>": {"step": "HoldSeats", "mode": "error" | "timeout" | "crash", "when": "before" | "after"}}`.
"before" fails the step without doing its work; "after" fails it once the work is committed, which is
what a Lambda that dies between its write and its answer looks like.

The booking saga's first step (QuoteFare) answers `faults`: whether the booking had a plan then; the
steps after it get that answer as their input's `faults`, and when it is false they do not read the
parameter (six reads a booking cost, five of them for nothing). So a plan must be in place before its
booking's saga starts, as every fault test sets it; a step still reads the parameter whenever its
input has no `faults` (compensations, the cancellation saga, a direct invocation), and with `faults`
true it sees the plan as it is now (a plan removed mid-saga stops failing the steps after it).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from trainbook.saga_progress import keep_ended_apart, started_recorded

logger = Logger(service="faults")


class InjectedFault(Exception):
    """Raised on purpose; never caught by the code under test."""


@cache
def _ssm() -> Any:
    """One client per warm container: creating a boto3 client costs more than the call itself."""
    return boto3.client("ssm")


def booking_plan(booking_id: str, planned: object = None) -> dict[str, Any] | None:
    """The booking's plan, whatever its step; without a read when `planned` is False (see above)."""
    name = os.environ.get("FAULTS_PARAMETER", "")
    if not name or planned is False:
        return None
    value = _ssm().get_parameter(Name=name)["Parameter"]["Value"]
    plans: dict[str, Any] = json.loads(value or "{}")
    plan = plans.get(booking_id)
    return plan if isinstance(plan, dict) else None


def for_step(plan: dict[str, Any] | None, step: str) -> dict[str, Any] | None:
    return plan if plan is not None and plan.get("step") == step else None


def plan_for(booking_id: str, step: str, planned: object = None) -> dict[str, Any] | None:
    """The booking's plan if it fails `step`; `planned` is the step input's `faults`, if any."""
    return for_step(booking_plan(booking_id, planned), step)


def inject(plan: dict[str, Any] | None, when: str) -> None:
    if plan is None or plan.get("when", "before") != when:
        return
    started_recorded()  # the step's Started is there, as for a step failing on its own
    mode = plan.get("mode", "error")
    # Said before it acts: a crash or a timeout leaves no other trace a test or an operator could wait for.
    logger.warning("fault injected", extra={"step": plan.get("step"), "mode": mode, "when": when})
    if mode == "crash":
        os._exit(137)  # the worker dies mid-invocation, as a Lambda sandbox killed for memory does
    if mode == "timeout":
        time.sleep(float(os.environ.get("FAULT_TIMEOUT_SECONDS", "3600")))
    raise InjectedFault(f"fault injected {when} this step")


@contextmanager
def around_work(plan: dict[str, Any] | None) -> Iterator[None]:
    """A step's work inside `plan`'s fault: before it, or after it once it is committed (if it raised, no
    fault after). With a plan, the step's Ended is written apart from its work, so that a fault after the
    work fails the step instead of following the Ended its work's write would have carried."""
    if plan is not None:
        keep_ended_apart()
    inject(plan, "before")
    yield
    inject(plan, "after")
