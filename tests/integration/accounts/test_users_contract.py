"""The USERS port (`UserStore`): the in-memory fake the unit tests use and the DynamoDB adapter on moto
answer every case the same way, so a unit test on the fake proves what the adapter would do."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from moto import mock_aws

from tests.support.template_tables import create_tables
from tests.unit.accounts.support import FakeUsers
from trainbook.accounts.domain import Account, Role, User
from trainbook.accounts.errors import EmailTaken, UnknownUser
from trainbook.accounts.events import UserRegistered, UserRoleChanged
from trainbook.accounts.service import UserStore
from trainbook.accounts.store.users import DynamoUsers
from trainbook.eventstore.events import ConcurrencyConflict, Event, Meta
from trainbook.eventstore.store import EventStore

CREATED = datetime(2026, 11, 24, 12, 0, 0, 123456, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
META = Meta(correlation_id="req-1", causation_id="cmd-1", actor="user-u1")


@dataclass
class Users:
    """One implementation of the port, and how to see the events it appended to a stream."""

    store: UserStore
    events_of: Callable[[str], list[tuple[int, Event, Meta]]]


def _fake() -> Iterator[Users]:
    fake = FakeUsers()
    yield Users(fake, lambda stream: [(v, e, m) for s, v, e, m in fake.events if s == stream])


def _dynamodb() -> Iterator[Users]:
    with mock_aws():
        create_tables({"EventsTable": os.environ["EVENTS_TABLE"], "UsersTable": os.environ["USERS_TABLE"]})
        events = EventStore()
        yield Users(
            DynamoUsers(events), lambda stream: [(r.version, r.event, r.meta) for r in events.read(stream)]
        )


@pytest.fixture(params=[_fake, _dynamodb], ids=["in-memory fake", "DynamoDB adapter"])
def users(request: pytest.FixtureRequest) -> Iterator[Users]:
    yield from request.param()


def user(user_id: str = "u1", email: str = "ala@example.com", **fields: object) -> User:
    base = User(
        id=user_id,
        email=email,
        name="Ala Kowalska",
        display_name="Ala",
        role=Role.PASSENGER,
        created_at=CREATED,
        phone="+48600100200",
        default_discount="U51",
        language="en",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_an_added_user_is_found_by_id_and_by_email_with_a_registration_event(users: Users) -> None:
    users.store.add(user(), HASH, META)

    assert users.store.get("u1") == Account(user(), HASH, 1)
    assert users.store.by_email("ala@example.com") == Account(user(), HASH, 1)
    assert users.events_of("user-u1") == [(1, UserRegistered("u1", "passenger"), META)]


def test_optional_fields_left_out_come_back_empty(users: Users) -> None:
    plain = user(phone=None, default_discount=None, language="pl")

    users.store.add(plain, HASH)

    assert users.store.get("u1").user == plain


def test_an_unknown_user_is_an_error_by_id_and_nothing_by_email(users: Users) -> None:
    with pytest.raises(UnknownUser):
        users.store.get("nobody")
    assert users.store.by_email("nobody@example.com") is None


def test_a_taken_email_is_refused_and_nothing_of_the_second_user_is_written(users: Users) -> None:
    users.store.add(user(), HASH)

    with pytest.raises(EmailTaken):
        users.store.add(user("u2"), HASH)

    assert users.store.by_email("ala@example.com") == Account(user(), HASH, 1)
    with pytest.raises(UnknownUser):
        users.store.get("u2")
    assert users.events_of("user-u2") == []


def test_a_taken_user_id_is_a_conflict_and_the_first_user_is_kept(users: Users) -> None:
    users.store.add(user(), HASH)

    with pytest.raises(ConcurrencyConflict):
        users.store.add(user(email="other@example.com"), HASH)

    assert users.store.get("u1") == Account(user(), HASH, 1)
    assert users.store.by_email("other@example.com") is None
    assert len(users.events_of("user-u1")) == 1


def test_saving_a_profile_changes_the_profile_fields_only(users: Users) -> None:
    users.store.add(user(), HASH)
    edited = user(
        name="Ala Nowak",
        display_name="Alicja",
        phone=None,
        default_discount=None,
        language="pl",
        # Not profile fields: an edit cannot change them.
        email="changed@example.com",
        role=Role.ADMIN,
        created_at=datetime(2020, 1, 1, tzinfo=UTC),
    )

    users.store.save_profile(edited)

    expected = user(name="Ala Nowak", display_name="Alicja", phone=None, default_discount=None, language="pl")
    assert users.store.get("u1") == Account(expected, HASH, 1)
    assert users.store.by_email("ala@example.com") == Account(expected, HASH, 1)
    assert users.store.by_email("changed@example.com") is None
    assert len(users.events_of("user-u1")) == 1  # a profile edit is not an event


def test_saving_the_profile_of_an_unknown_user_is_an_error(users: Users) -> None:
    with pytest.raises(UnknownUser):
        users.store.save_profile(user("nobody"))


def test_a_replaced_password_hash_is_the_one_read_back(users: Users) -> None:
    users.store.add(user(), HASH)

    users.store.replace_password_hash("u1", HASH + "-rehashed")

    assert users.store.get("u1") == Account(user(), HASH + "-rehashed", 1)
    with pytest.raises(UnknownUser):
        users.store.replace_password_hash("nobody", HASH)


def test_a_role_change_bumps_the_version_and_appends_its_event(users: Users) -> None:
    users.store.add(user(), HASH)

    changed = users.store.change_role(users.store.get("u1"), Role.ADMIN, META)

    assert changed == user(role=Role.ADMIN)
    assert users.store.get("u1") == Account(user(role=Role.ADMIN), HASH, 2)
    assert users.events_of("user-u1")[1:] == [(2, UserRoleChanged("u1", "admin", "passenger"), META)]


def test_a_role_change_on_a_stale_account_is_a_conflict_and_changes_nothing(users: Users) -> None:
    users.store.add(user(), HASH)
    stale = users.store.get("u1")
    users.store.change_role(stale, Role.ADMIN)

    with pytest.raises(ConcurrencyConflict):
        users.store.change_role(stale, Role.PASSENGER)

    assert users.store.get("u1") == Account(user(role=Role.ADMIN), HASH, 2)
    assert [version for version, _, _ in users.events_of("user-u1")] == [1, 2]
