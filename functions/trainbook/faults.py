"""Fault injection for saga steps, to prove compensation: an error, a timeout or a crash on demand.

Off unless the function's FAULTS_PARAMETER names an SSM parameter (template.yaml sets it only when the
`FaultInjection` parameter is `enabled`, as it is for local runs and tests). The parameter holds JSON
`{"<booking id>": {"step": "HoldSeats", "mode": "error" | "timeout" | "crash", "when": "before" | "after"}}`.
"before" fails the step without doing its work; "after" fails it once the work is committed, which is
what a Lambda that dies between its write and its answer looks like.
"""

from __future__ import annotations

import json
import os
import time
from functools import cache
from typing import Any

import boto3


class InjectedFault(Exception):
    """Raised on purpose; never caught by the code under test."""


@cache
def _ssm() -> Any:
    """One client per warm container: creating a boto3 client costs more than the call itself."""
    return boto3.client("ssm")


def plan_for(booking_id: str, step: str) -> dict[str, Any] | None:
    name = os.environ.get("FAULTS_PARAMETER", "")
    if not name:
        return None
    value = _ssm().get_parameter(Name=name)["Parameter"]["Value"]
    plans: dict[str, Any] = json.loads(value or "{}")
    plan = plans.get(booking_id)
    if not isinstance(plan, dict) or plan.get("step") != step:
        return None
    return plan


def inject(plan: dict[str, Any] | None, when: str) -> None:
    if plan is None or plan.get("when", "before") != when:
        return
    mode = plan.get("mode", "error")
    if mode == "crash":
        os._exit(137)  # the worker dies mid-invocation, as a Lambda sandbox killed for memory does
    if mode == "timeout":
        time.sleep(float(os.environ.get("FAULT_TIMEOUT_SECONDS", "3600")))
    raise InjectedFault(f"fault injected {when} this step")
