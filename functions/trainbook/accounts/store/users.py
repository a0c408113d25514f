"""DynamoDB adapter of the accounts: the Users table, where DynamoDB itself keeps e-mails unique.

One table, two kinds of item under the key `pk`:
- `user#<id>`: the profile, role, argon2id hash and the version of the user's event stream;
- `email#<email>`: the claim of an e-mail by one user id.
Registration puts both with `attribute_not_exists(pk)`, together with the `UserRegistered` event,
in ONE TransactWriteItems: two sign-ups with the same e-mail cannot both win, and a refused one
writes nothing. (The user item is read by e-mail through the claim: two consistent reads.)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.models import Model

from trainbook import tables
from trainbook.accounts.domain import Account, Role, User
from trainbook.accounts.errors import EmailTaken, UnknownUser
from trainbook.accounts.events import UserRegistered, UserRoleChanged
from trainbook.eventstore.conditions import is_conditional_failure, refused_items
from trainbook.eventstore.events import (
    NO_META,
    ConcurrencyConflict,
    Meta,
    PendingEvent,
    format_instant,
    parse_instant,
)
from trainbook.eventstore.store import EventStore, transactions

USERS_TABLE_VARIABLE = "USERS_TABLE"


def user_key(user_id: str) -> str:
    return f"user#{user_id}"


def email_key(email: str) -> str:
    return f"email#{email}"


class UserRecord(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name(USERS_TABLE_VARIABLE)

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    display_name = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()  # UTC instant with microseconds, sortable as text
    phone = UnicodeAttribute(null=True)
    default_discount = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)  # absent: Polish
    password_hash = UnicodeAttribute()
    version = NumberAttribute()  # events on stream user-<id>: the next event is version + 1

    @classmethod
    def of(cls, user: User, password_hash: str, version: int) -> UserRecord:
        return cls(
            user_key(user.id),
            user_id=user.id,
            email=user.email,
            name=user.name,
            display_name=user.display_name,
            role=user.role.value,
            created_at=format_instant(user.created_at),
            phone=user.phone,
            default_discount=user.default_discount,
            language=user.language,
            password_hash=password_hash,
            version=version,
        )

    def account(self) -> Account:
        user = User(
            id=self.user_id,
            email=self.email,
            name=self.name,
            display_name=self.display_name,
            role=Role(self.role),
            created_at=parse_instant(self.created_at),
            phone=self.phone,
            default_discount=self.default_discount,
            language=self.language or "pl",
        )
        return Account(user, self.password_hash, int(self.version))


class EmailClaim(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name(USERS_TABLE_VARIABLE)

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class DynamoUsers:
    def __init__(self, events: EventStore | None = None) -> None:
        self.events = events or EventStore()

    def add(self, user: User, password_hash: str, meta: Meta = NO_META) -> None:
        registered = PendingEvent(user.stream, 1, UserRegistered(user.id, user.role.value), meta)
        puts = [
            UserRecord.of(user, password_hash, version=1).get_save_kwargs_from_instance(
                condition=UserRecord.pk.does_not_exist()
            ),
            EmailClaim(email_key(user.email), user_id=user.id).get_save_kwargs_from_instance(
                condition=EmailClaim.pk.does_not_exist()
            ),
            self.events.transact_put(registered)["Put"],
        ]
        try:
            _transact(puts=puts)
        except TransactWriteError as error:
            refused = refused_items(error)
            if 1 in refused:
                raise EmailTaken(f"{user.email} already has an account: sign in instead") from None
            if refused:
                raise ConcurrencyConflict(f"user id {user.id} is already taken; try again") from None
            raise

    def get(self, user_id: str) -> Account:
        try:
            return UserRecord.get(user_key(user_id), consistent_read=True).account()
        except UserRecord.DoesNotExist:
            raise UnknownUser(f"no user {user_id}") from None

    def by_email(self, email: str) -> Account | None:
        try:
            claim = EmailClaim.get(email_key(email), consistent_read=True)
        except EmailClaim.DoesNotExist:
            return None
        return self.get(claim.user_id)

    def save_profile(self, user: User) -> None:
        record = UserRecord(user_key(user.id))
        actions: list[Any] = [
            UserRecord.name.set(user.name),
            UserRecord.display_name.set(user.display_name),
            UserRecord.phone.set(user.phone) if user.phone else UserRecord.phone.remove(),
            UserRecord.default_discount.set(user.default_discount)
            if user.default_discount
            else UserRecord.default_discount.remove(),
            UserRecord.language.set(user.language),
        ]
        try:
            record.update(actions=actions, condition=UserRecord.pk.exists())
        except UpdateError as error:
            if is_conditional_failure(error):
                raise UnknownUser(f"no user {user.id}") from None
            raise

    def replace_password_hash(self, user_id: str, password_hash: str) -> None:
        record = UserRecord(user_key(user_id))
        try:
            record.update(
                actions=[UserRecord.password_hash.set(password_hash)], condition=UserRecord.pk.exists()
            )
        except UpdateError as error:
            if is_conditional_failure(error):
                raise UnknownUser(f"no user {user_id}") from None
            raise

    def change_role(self, account: Account, role: Role, meta: Meta = NO_META) -> User:
        user = account.user
        changed = PendingEvent(
            user.stream, account.version + 1, UserRoleChanged(user.id, role.value, user.role.value), meta
        )
        update = UserRecord(user_key(user.id)).get_update_kwargs_from_instance(
            actions=[UserRecord.role.set(role.value), UserRecord.version.set(account.version + 1)],
            condition=UserRecord.version == account.version,
        )
        try:
            _transact(puts=[self.events.transact_put(changed)["Put"]], updates=[update])
        except TransactWriteError as error:
            if refused_items(error):
                raise ConcurrencyConflict(f"user {user.id} changed meanwhile; try again") from None
            raise
        return replace(user, role=role)


def _transact(puts: list[dict[str, Any]], updates: list[dict[str, Any]] | None = None) -> None:
    """One TransactWriteItems (cancellation reasons come back in order: puts, then updates)."""
    transactions().transact_write_items(
        condition_check_items=[], delete_items=[], put_items=puts, update_items=updates or []
    )
