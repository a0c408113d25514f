"""Moto fixtures for the payment simulator's and the tickets' own tables, as template.yaml declares them.

The definitions mirror the PaymentsTable and TicketsTable resources given for template.yaml (and the
Events table's keys, which the ticket function reads bookings from); table names are the ones the
models read from the environment, so these tests do not depend on the rest of the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import boto3
import pytest
from moto import mock_aws

SIGNING_SECRET = "test-ticket-signing-secret-0123456789abcdef0123456789abcdef"


@cache
def _client(service: str) -> Any:
    """One client per service for the whole session: creating a boto3 client costs a few hundred ms."""
    return boto3.client(service)


def _create_table(name: str, *keys: tuple[str, str, str]) -> None:
    _client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": t} for k, t, _ in keys],
        KeySchema=[{"AttributeName": k, "KeyType": role} for k, _, role in keys],
    )


@pytest.fixture
def payments_aws() -> Iterator[None]:
    from trainbook.payments.store import PaymentItem

    with mock_aws():
        _create_table(PaymentItem.Meta.table_name, ("pk", "S", "HASH"))
        yield


@pytest.fixture
def tickets_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The Events and Tickets tables and the signing secret; yields the secret's ARN."""
    from trainbook.eventstore.store import EventRecord
    from trainbook.tickets.store import TicketRecord

    with mock_aws():
        _create_table(EventRecord.Meta.table_name, ("stream", "S", "HASH"), ("version", "N", "RANGE"))
        _create_table(TicketRecord.Meta.table_name, ("ticket_number", "S", "HASH"))
        secret = _client("secretsmanager").create_secret(Name="ticket-signing", SecretString=SIGNING_SECRET)
        monkeypatch.setenv("TICKET_SIGNING_SECRET_ARN", secret["ARN"])
        yield secret["ARN"]
