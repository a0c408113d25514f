"""`trainbook admin create` against moto: creates or promotes, says what it did, writes the events."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.integration.accounts.clients import scan
from tests.integration.accounts.http import call
from trainbook.accounts.store.users import UserRecord
from trainbook.accounts.tokens import access_tokens
from trainbook.eventstore.store import EventStore
from trainbook_cli import admin

pytestmark = pytest.mark.usefixtures("accounts")

runner = CliRunner()
PASSWORD = "Nastawnia-Krakow-1"


def admin_create(*options: str, typed: str | None = None) -> tuple[int, str]:
    result = runner.invoke(admin.app, ["create", *options], input=typed)
    return result.exit_code, " ".join(result.output.split())


def user_events(user_id: str) -> list[tuple[int, str, str]]:
    return [(e.version, e.type, e.event.role) for e in EventStore().read(f"user-{user_id}")]  # type: ignore[attr-defined]


def signed_in_role(email: str, password: str) -> str:
    answer = call("POST", "/auth/login", {"email": email, "password": password})
    assert answer.status == 200, answer.body
    return access_tokens().verify(answer.body["access_token"]).role.value


def test_admin_create_makes_a_new_administrator_who_can_sign_in() -> None:
    code, output = admin_create("--email", "Szef@Example.com", "--password", PASSWORD, "--name", "Jan Szef")
    assert code == 0, output
    [user] = [item for item in scan(UserRecord.Meta.table_name) if item["pk"].startswith("user#")]
    assert f"created administrator szef@example.com (user id {user['user_id']})" in output
    assert "test-UsersTable" in output
    assert (user["email"], user["name"], user["role"]) == ("szef@example.com", "Jan Szef", "admin")
    assert user_events(user["user_id"]) == [(1, "UserRegistered", "admin")]
    assert signed_in_role("szef@example.com", PASSWORD) == "admin"


def test_admin_create_promotes_a_passenger_and_keeps_their_password() -> None:
    passenger = call(
        "POST",
        "/auth/register",
        {"email": "ala@example.com", "password": "Pociag-do-Gdanska-7", "name": "Ala"},
    ).body["user"]
    code, output = admin_create("--email", "ala@example.com")
    assert code == 0, output
    assert "promoted ala@example.com" in output and "password unchanged" in output
    assert UserRecord.get(f"user#{passenger['id']}").role == "admin"
    assert user_events(passenger["id"]) == [
        (1, "UserRegistered", "passenger"),
        (2, "UserRoleChanged", "admin"),
    ]
    assert signed_in_role("ala@example.com", "Pociag-do-Gdanska-7") == "admin"

    code, output = admin_create("--email", "ala@example.com")
    assert code == 0 and "already an administrator" in output
    assert len(user_events(passenger["id"])) == 2


def test_admin_create_asks_for_a_missing_password_without_echoing_it() -> None:
    code, output = admin_create(
        "--email", "szef@example.com", "--name", "Jan Szef", typed=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0 and "created administrator" in output
    assert PASSWORD not in output


def test_admin_create_with_a_weak_password_is_refused_and_writes_nothing() -> None:
    code, output = admin_create("--email", "szef@example.com", "--password", "szef", "--name", "Jan Szef")
    assert code == 1 and "refused: use at least 10 characters" in output
    assert scan(UserRecord.Meta.table_name) == [] and list(EventStore().all_events()) == []


def test_the_admin_command_is_part_of_the_trainbook_command() -> None:
    from trainbook_cli.main import app

    result = runner.invoke(app, ["admin", "create", "--help"])
    assert result.exit_code == 0 and "--email" in result.output
