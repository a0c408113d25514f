"""Whether a DynamoDB write failed on its ConditionExpression: one answer for boto3 and PynamoDB errors;
and the one condition every read model writes under: only a newer version replaces what is there.

A single write fails with `ConditionalCheckFailedException`; a TransactWriteItems is cancelled with one
reason per item, in item order, and `ConditionalCheckFailed` marks the items whose condition did not hold.
boto3 carries these in `ClientError.response`; PynamoDB in `cause_response_code` and `cancellation_reasons`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

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


def newer_than(version: Any, value: int) -> Condition:
    """A read-model write carrying `value` holds if `version` (attribute or map path) is absent or older."""
    condition: Condition = version.does_not_exist() | (version < value)
    return condition


def save_if_newer(row: Model, version: Any, value: int) -> None:
    """Write a read-model row unless its table holds this version or a newer one (redelivery, replay)."""
    try:
        row.save(condition=newer_than(version, value))
    except PutError as error:
        if not is_conditional_failure(error):
            raise
