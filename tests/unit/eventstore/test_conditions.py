"""One answer to "did a ConditionExpression fail", whether boto3 or PynamoDB raised it."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import CancellationReason, PutError, TransactWriteError, VerboseClientError

from trainbook.eventstore.conditions import cancellation_codes, is_conditional_failure, refused_items


def client_error(code: str, reasons: list[dict[str, Any]] | None = None) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code, "Message": "refused"}}
    if reasons is not None:
        response["CancellationReasons"] = reasons
    return ClientError(response, "TransactWriteItems" if reasons is not None else "PutItem")  # type: ignore[arg-type]


def pynamo_transaction(*codes: str | None) -> TransactWriteError:
    reasons = [None if c is None else CancellationReason(code=c, message="refused") for c in codes]
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        {},
        cancellation_reasons=reasons,
    )
    return TransactWriteError("failed", cause)


def test_a_single_write_whose_condition_failed_is_one_from_boto3_and_pynamodb() -> None:
    refused = client_error("ConditionalCheckFailedException")

    assert is_conditional_failure(refused)
    assert is_conditional_failure(PutError("failed", refused))
    assert not is_conditional_failure(client_error("ProvisionedThroughputExceededException"))
    assert not is_conditional_failure(PutError("failed", client_error("ValidationException")))


def test_a_cancelled_transaction_names_the_items_whose_condition_failed() -> None:
    boto = client_error(
        "TransactionCanceledException",
        [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "x"}, {"Code": "None"}],
    )
    pynamo = pynamo_transaction(None, "ConditionalCheckFailed", None)

    for error in (boto, pynamo):
        assert refused_items(error) == [1]
        assert is_conditional_failure(error) and is_conditional_failure(error, item=1)
        assert not is_conditional_failure(error, item=0)
        assert cancellation_codes(error) == [None, "ConditionalCheckFailed", None]


def test_a_transaction_cancelled_for_another_reason_is_not_a_condition_failure() -> None:
    boto = client_error("TransactionCanceledException", [{"Code": "TransactionConflict"}, {"Code": "None"}])
    pynamo = pynamo_transaction("TransactionConflict", None)

    for error in (boto, pynamo):
        assert not is_conditional_failure(error) and refused_items(error) == []
        assert cancellation_codes(error)[0] == "TransactionConflict"
