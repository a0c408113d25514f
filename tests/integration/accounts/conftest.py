"""Accounts on moto: the Events table as template.yaml declares it, the Users table, the signing secret.

Only the two tables accounts write to are created, which keeps these tests fast and independent of
the other contexts' tables. The Users table comes from template.yaml once it declares `UsersTable`;
until then from `USERS_TABLE_PROPERTIES`, the definition handed over for the template.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

os.environ.setdefault("USERS_TABLE", "test-UsersTable")
os.environ.setdefault("JWT_SECRET_ARN", "test-jwt-signing-key")

from tests.integration.accounts import clients
from tests.support.template_tables import declared_tables
from tests.unit.accounts.support import SECRET, cheap_passwords
from trainbook.accounts import api
from trainbook.accounts.store.users import UserRecord
from trainbook.accounts.tokens import access_tokens
from trainbook.eventstore.store import EventRecord

# Mirrors the UsersTable resource handed over for template.yaml.
USERS_TABLE_PROPERTIES: dict[str, Any] = {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
}


def _create(client: Any, name: str, props: dict[str, Any]) -> None:
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if "StreamSpecification" in props:
        request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    client.create_table(**request)


@pytest.fixture(scope="session")
def template_tables() -> dict[str, dict[str, Any]]:
    return declared_tables()


@pytest.fixture
def accounts(template_tables: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fresh moto with Events + Users tables and the secret; argon2 with tiny costs (same code path)."""
    from aws_lambda_powertools.utilities import parameters

    assert UserRecord.Meta.table_name == os.environ["USERS_TABLE"]
    with mock_aws():
        dynamodb = clients.dynamodb()
        _create(dynamodb, EventRecord.Meta.table_name, template_tables["EventsTable"])
        _create(
            dynamodb, UserRecord.Meta.table_name, template_tables.get("UsersTable", USERS_TABLE_PROPERTIES)
        )
        clients.secretsmanager().create_secret(Name=os.environ["JWT_SECRET_ARN"], SecretString=SECRET)
        parameters.clear_caches()  # type: ignore[no-untyped-call]
        access_tokens.cache_clear()
        monkeypatch.setattr(api, "passwords", cheap_passwords())
        yield
        access_tokens.cache_clear()
