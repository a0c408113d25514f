"""The Users table adapter on moto: DynamoDB itself keeps e-mails unique and roles change once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.integration.accounts.clients import scan
from tests.integration.accounts.http import call
from tests.unit.accounts.support import NOW, stronger_passwords
from trainbook.accounts import api
from trainbook.accounts.domain import Role, new_user
from trainbook.accounts.errors import EmailTaken
from trainbook.accounts.store.users import DynamoUsers, UserRecord
from trainbook.eventstore.events import ConcurrencyConflict
from trainbook.eventstore.store import EventStore

pytestmark = pytest.mark.usefixtures("accounts")


def test_two_users_with_one_email_cannot_both_be_written_even_without_a_prior_read() -> None:
    users = DynamoUsers()
    first = new_user("id-1", "ala@example.com", "Pociag-do-Gdanska-7", "Ala Nowak", NOW)
    users.add(first, "hash-1")
    with pytest.raises(EmailTaken):
        users.add(replace(first, id="id-2", name="Impostor"), "hash-2")
    assert sorted(item["pk"] for item in scan(UserRecord.Meta.table_name)) == [
        "email#ala@example.com",
        "user#id-1",
    ]
    assert [e.stream for e in EventStore().all_events()] == ["user-id-1"]


def test_a_role_change_from_a_stale_read_is_refused() -> None:
    users = DynamoUsers()
    users.add(new_user("id-1", "ala@example.com", "Pociag-do-Gdanska-7", "Ala Nowak", NOW), "hash-1")
    stale = users.get("id-1")
    users.change_role(stale, Role.ADMIN)
    with pytest.raises(ConcurrencyConflict):
        users.change_role(stale, Role.ADMIN)
    assert [e.version for e in EventStore().read("user-id-1")] == [1, 2]
    assert users.get("id-1").version == 2


def test_signing_in_upgrades_a_hash_made_with_older_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"email": "ala@example.com", "password": "Pociag-do-Gdanska-7", "name": "Ala"}
    user_id = call("POST", "/auth/register", body).body["user"]["id"]
    monkeypatch.setattr(api, "passwords", stronger_passwords())
    assert call("POST", "/auth/login", {"email": body["email"], "password": body["password"]}).status == 200
    upgraded = UserRecord.get(f"user#{user_id}").password_hash
    assert not api.passwords.needs_rehash(upgraded) and api.passwords.verify(upgraded, body["password"])
