"""AWS adapters of the change reactions: the cancellation saga (Step Functions) and the payment simulator."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

import boto3


class PaymentRefused(Exception):
    """The payment simulator did not refund: the record is retried (the refund is idempotent by key)."""


@cache
def _sfn() -> Any:
    return boto3.client("stepfunctions")


@cache
def _lambda() -> Any:
    return boto3.client("lambda")


class StepFunctionsSagas:
    def cancel_for_carrier(self, booking_id: str, reason: str) -> None:
        saga_input = {"booking_id": booking_id, "carrier_at_fault": True, "reason": reason}
        try:
            _sfn().start_execution(
                stateMachineArn=os.environ["CANCELLATION_SAGA_ARN"],
                name=f"cancel-{booking_id}",
                input=json.dumps(saga_input),
            )
        except _sfn().exceptions.ExecutionAlreadyExists:
            pass  # this booking's cancellation has started already: StartExecution is idempotent by name


class PaymentSimulator:
    def refund(self, booking_id: str, amount_grosze: int, idempotency_key: str) -> None:
        request = {
            "action": "refund",
            "booking_id": booking_id,
            "amount_grosze": amount_grosze,
            "idempotency_key": idempotency_key,
        }
        answer = _lambda().invoke(
            FunctionName=os.environ["PAYMENT_FUNCTION_NAME"], Payload=json.dumps(request).encode()
        )
        payload = json.loads(answer["Payload"].read() or b"{}")
        if answer.get("FunctionError"):
            raise PaymentRefused(f"refund of {booking_id} refused: {payload.get('errorType')}")
