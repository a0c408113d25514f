"""Whether a DynamoDB write failed on its ConditionExpression: one answer for boto3 and PynamoDB errors.

A single write fails with `ConditionalCheckFailedException`; a TransactWriteItems is cancelled with one
reason per item, in item order, and `ConditionalCheckFailed` marks the items whose condition did not hold.
boto3 carries these in `ClientError.response`; PynamoDB in `cause_response_code` and `cancellation_reasons`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

CONDITION_FAILED = "ConditionalCheckFailed"


def cancellation_codes(error: Exception) -> list[str | None]:
    """The reason code of each item of a cancelled transaction, in item order (None: that item was fine)."""
    if isinstance(error, ClientError):
        reasons: list[Any] = error.response.get("CancellationReasons") or []
        return [r.get("Code") if r and r.get("Code") != "None" else None for r in reasons]
    pynamo_reasons: list[Any] = getattr(error, "cancellation_reasons", None) or []
    return [getattr(r, "code", None) for r in pynamo_reasons]


def refused_items(error: Exception) -> list[int]:
    """Positions of the transaction items whose condition failed (empty: not a condition failure)."""
    return [i for i, code in enumerate(cancellation_codes(error)) if code == CONDITION_FAILED]


def is_conditional_failure(error: Exception, item: int | None = None) -> bool:
    """Whether `error` is a failed condition: of the write, of any item of a transaction, or of `item`."""
    if item is not None:
        return item in refused_items(error)
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code")
    else:
        code = getattr(error, "cause_response_code", None)
    return code == f"{CONDITION_FAILED}Exception" or bool(refused_items(error))
