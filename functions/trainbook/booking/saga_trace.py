"""A saga execution's path, read from Step Functions' execution history: states, times, errors, compensations.

Used by GET /bookings/{id}/trace and `trainbook saga`. The saga's input carries a card token, never a
card; masking anything that looks like a card number stays as a guard for older executions.
"""

from __future__ import annotations

import json
import re
from typing import Any

COMPENSATIONS = {"CompensatePayment", "ReleaseSeats", "MarkBookingFailed", "RefundPayment"}
_CARD_NUMBER = re.compile(r'("number"\s*:\s*")[\d\s-]*?(\d{4})"')


def execution_arn(state_machine_arn: str, name: str) -> str:
    return state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"


def mask_cards(text: str) -> str:
    return _CARD_NUMBER.sub(r'\1**** \2"', text)


def execution_path(sfn: Any, state_machine_arn: str, name: str) -> dict[str, Any]:
    """{"execution", "status", "steps": [{"state", "entered", "left", "outcome", "error", "cause"}]}."""
    arn = execution_arn(state_machine_arn, name)
    try:
        described = sfn.describe_execution(executionArn=arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        return {"execution": name, "status": "NOT_STARTED", "steps": []}
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = sfn.get_execution_history(
            executionArn=arn, maxResults=1000, **({"nextToken": token} if token else {})
        )
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    return {
        "execution": name,
        "status": described["status"],
        "started": described["startDate"].isoformat(),
        "stopped": described["stopDate"].isoformat() if described.get("stopDate") else None,
        "input": json.loads(mask_cards(described.get("input", "{}"))),
        "steps": steps_of(events),
    }


def steps_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for event in sorted(events, key=lambda e: e["id"]):
        kind = event["type"]
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            current = {
                "state": name,
                "compensation": name in COMPENSATIONS,
                "entered": event["timestamp"].isoformat(),
                "left": None,
                "outcome": "running",
                "attempts": 0,
            }
            steps.append(current)
        elif current is None:
            continue
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled"):
            current["attempts"] += 1
        elif kind in ("TaskFailed", "LambdaFunctionFailed", "TaskTimedOut", "LambdaFunctionTimedOut"):
            details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            current["error"] = details.get("error", kind)
            current["cause"] = mask_cards(str(details.get("cause", "")))[:500]
            current["outcome"] = "failed"
        elif kind.endswith("StateExited"):
            current["left"] = event["timestamp"].isoformat()
            if current["outcome"] == "running" or current.get("error"):
                current["outcome"] = "caught" if current.get("error") else "succeeded"
        elif kind in ("ExecutionFailed", "FailStateEntered"):
            current["outcome"] = "failed"
    for event in events:
        if event["type"] == "ExecutionFailed":
            details = event.get("executionFailedEventDetails", {})
            steps.append(
                {
                    "state": "(end)",
                    "outcome": "failed",
                    "error": details.get("error"),
                    "cause": details.get("cause"),
                }
            )
    return steps
