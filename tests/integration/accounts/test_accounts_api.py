"""Register, sign in and the profile through the API resolver, on moto: the resulting state is checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.accounts.clients import scan
from tests.integration.accounts.http import Answer, call, sample
from trainbook.accounts.store.users import UserRecord
from trainbook.accounts.tokens import access_tokens
from trainbook.eventstore.store import EventStore

pytestmark = pytest.mark.usefixtures("accounts")

ALA = {"email": "Ala.Nowak@Example.com", "password": "Pociag-do-Gdanska-7", "name": "Ala Nowak"}


def users_table() -> list[dict[str, Any]]:
    return scan(UserRecord.Meta.table_name)


def events_of(user_id: str) -> list[tuple[int, str]]:
    return [(e.version, e.type) for e in EventStore().read(f"user-{user_id}")]


def registered(**changes: Any) -> Answer:
    answer = call("POST", "/auth/register", {**ALA, **changes})
    assert answer.status == 201, answer.body
    return answer


def test_registering_stores_the_user_and_their_email_claim_and_appends_user_registered() -> None:
    answer = registered(phone="+48 600 100 200", default_discount="u51")
    user = answer.body["user"]
    assert {k: user[k] for k in ("email", "name", "display_name", "role", "phone", "default_discount")} == {
        "email": "ala.nowak@example.com",
        "name": "Ala Nowak",
        "display_name": "Ala",
        "role": "passenger",
        "phone": "+48600100200",
        "default_discount": "U51",
    }
    assert answer.headers["Location"] == "/me"
    claims = access_tokens().verify(answer.body["access_token"])
    assert (claims.user_id, claims.role.value, answer.body["expires_in"]) == (user["id"], "passenger", 900)
    keys = sorted(item["pk"] for item in users_table())
    assert [k for k in keys if k.startswith(("user#", "email#"))] == sorted(
        [f"user#{user['id']}", "email#ala.nowak@example.com"]
    )
    assert [k.partition("#")[0] for k in keys if not k.startswith(("user#", "email#"))] == [
        "refresh",
        "session",
    ]
    assert answer.body["refresh_token"] not in str(users_table())  # stored hashed only
    stored = UserRecord.get(f"user#{user['id']}")
    assert stored.password_hash.startswith("$argon2id$") and "Pociag" not in stored.password_hash
    assert events_of(user["id"]) == [(1, "UserRegistered")]
    [event] = EventStore().read(f"user-{user['id']}")
    assert event.event.role == "passenger"  # type: ignore[attr-defined]
    assert event.meta.correlation_id == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_the_same_email_in_another_case_is_refused_and_nothing_is_written() -> None:
    registered()
    items_before = users_table()
    events_before = len(list(EventStore().all_events()))
    answer = call("POST", "/auth/register", {**ALA, "email": " ALA.NOWAK@example.COM", "name": "Impostor"})
    assert (answer.status, answer.error_code) == (409, "email_taken")
    assert users_table() == items_before
    assert len(list(EventStore().all_events())) == events_before


def test_a_weak_password_is_refused_saying_why_and_nothing_is_written() -> None:
    answer = call("POST", "/auth/register", {**ALA, "password": "onlyletterstoolong"})
    assert (answer.status, answer.error_code) == (400, "weak_password")
    assert "two kinds of characters" in answer.body["error"]["message"]
    assert users_table() == [] and list(EventStore().all_events()) == []


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"password": "Pociag-do-Gdanska-7", "name": "Ala"}, "email"),
        ({**ALA, "password": "short-1"}, "password"),
        ({**ALA, "role": "admin"}, "role"),
        ({**ALA, "phone": "call me maybe"}, "phone"),
        ({**ALA, "email": "not-an-email"}, "e-mail"),
    ],
    ids=["missing email", "short password", "role at sign-up", "bad phone", "bad email"],
)
def test_bad_sign_up_input_is_a_400_naming_the_problem(body: dict[str, Any], named: str) -> None:
    answer = call("POST", "/auth/register", body)
    assert answer.status == 400 and named in answer.body["error"]["message"], answer.body
    assert users_table() == []


def test_signing_in_answers_a_token_for_the_account() -> None:
    user_id = registered().body["user"]["id"]
    answer = call("POST", "/auth/login", {"email": "ala.nowak@example.com", "password": ALA["password"]})
    assert answer.status == 200
    assert answer.body["token_type"] == "Bearer" and answer.body["user"]["id"] == user_id
    assert access_tokens().verify(answer.body["access_token"]).user_id == user_id


def test_a_wrong_password_and_an_unknown_email_get_the_same_401() -> None:
    registered()
    wrong = call("POST", "/auth/login", {"email": ALA["email"], "password": "Pociag-do-Krakowa-7"})
    unknown = call("POST", "/auth/login", {"email": "ola@example.com", "password": ALA["password"]})
    assert (wrong.status, wrong.body) == (unknown.status, unknown.body) == (401, wrong.body)
    assert wrong.error_code == "invalid_credentials"


def test_me_is_the_callers_own_account() -> None:
    user = registered().body["user"]
    answer = call("GET", "/me", caller=(user["id"], "passenger"))
    assert (answer.status, answer.body) == (200, user)


def test_me_without_an_identity_from_the_authorizer_is_a_401() -> None:
    answer = call("GET", "/me")
    assert (answer.status, answer.error_code) == (401, "unauthenticated")


def test_a_profile_update_changes_the_given_fields_and_clears_the_nulls() -> None:
    user = registered(phone="+48600100200", default_discount="U51").body["user"]
    me = (user["id"], "passenger")
    answer = call(
        "PATCH", "/me", {"display_name": "Ola", "phone": None, "default_discount": "U37"}, caller=me
    )
    assert answer.status == 200, answer.body
    expected = {**user, "display_name": "Ola", "phone": None, "default_discount": "U37"}
    assert answer.body == expected
    assert call("GET", "/me", caller=me).body == expected
    stored = UserRecord.get(f"user#{user['id']}")
    assert stored.phone is None and (stored.default_discount, stored.role) == ("U37", "passenger")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"role": "admin"}, "role cannot be changed"),
        ({"name": None}, "name cannot be removed"),
        ({"email": "other@example.com"}, "email"),
        ({"default_discount": "U50"}, "unknown discount"),
    ],
    ids=["role", "name cleared", "email", "unknown discount"],
)
def test_a_refused_profile_update_is_a_400_and_changes_nothing(body: dict[str, Any], message: str) -> None:
    user = registered().body["user"]
    answer = call("PATCH", "/me", body, caller=(user["id"], "passenger"))
    assert answer.status == 400 and message in answer.body["error"]["message"], answer.body
    assert call("GET", "/me", caller=(user["id"], "passenger")).body == user


def test_the_sample_events_register_sign_in_and_read_the_profile() -> None:
    registered_answer = sample("accounts-register.json")
    assert registered_answer.status == 201, registered_answer.body
    assert sample("accounts-login.json").status == 200
    # accounts-me.json names a fixed user id: it exists only in samples, so the answer is a clean 404.
    assert (sample("accounts-me.json").status, sample("accounts-me.json").error_code) == (404, "unknown_user")


def test_each_email_claim_points_at_its_user() -> None:
    first = registered().body["user"]["id"]
    second = registered(email="ola@example.com").body["user"]["id"]
    items = {item["pk"]: item for item in users_table()}
    assert {pk: item["user_id"] for pk, item in items.items() if pk.startswith("email#")} == {
        "email#ala.nowak@example.com": first,
        "email#ola@example.com": second,
    }
    assert items[f"user#{second}"]["email"] == "ola@example.com"
