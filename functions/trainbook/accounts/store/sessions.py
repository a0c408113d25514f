"""DynamoDB adapter of sign-in sessions and sign-in throttles, in the Users table (docs/decisions.md).

Items beside `user#<id>` and `email#<email>`:
- `refresh#<sha256 of the token>`: family, user, `spent`, `expires` (epoch seconds, the table's TTL
  attribute; correctness never waits for TTL: expiry is checked on read);
- `session#<family id>`: user, `epoch`, `revoked`, `expires`;
- `throttle#<account or address>#<window>`: failed sign-ins in a 15-minute window, `expires`.
A rotation spends the old token (condition: not spent), puts the new one and checks the family is not
revoked, in ONE transaction: two refreshes with the same token cannot both win.
"""

# PynamoDB's attribute constructors are untyped; the models are still checked.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.accounts.sessions import REFRESH_TTL, Family, RefreshRecord
from trainbook.accounts.store.users import USERS_TABLE_VARIABLE, UserRecord, user_key


class _Meta(tables.TableMeta):
    table_name = tables.table_name(USERS_TABLE_VARIABLE)


class RefreshItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    spent = BooleanAttribute(default=False)
    expires = NumberAttribute()


class SessionItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    epoch = NumberAttribute(default=0)
    revoked = BooleanAttribute(default=False)
    expires = NumberAttribute()


class ThrottleItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    expires = NumberAttribute()


class EpochView(Model):
    """The user item's `sessions_epoch` alone (absent until the first password change)."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sessions_epoch = NumberAttribute(null=True)


@cache
def _connection() -> Connection:
    return Connection(region=_Meta.region, host=_Meta.host)


def _epoch_seconds(at: datetime) -> int:
    return int(at.timestamp())


def _family_expires() -> int:
    # A family lives as long as its newest token may: refreshes push it forward.
    return _epoch_seconds(datetime.now(UTC) + REFRESH_TTL)


class DynamoSessions:
    def record(self, token_hash: str) -> RefreshRecord | None:
        try:
            item = RefreshItem.get(f"refresh#{token_hash}", consistent_read=True)
        except RefreshItem.DoesNotExist:
            return None
        expires_at = datetime.fromtimestamp(int(item.expires), UTC)
        return RefreshRecord(token_hash, item.family_id, item.user_id, expires_at, bool(item.spent))

    def family(self, family_id: str) -> Family | None:
        try:
            item = SessionItem.get(f"session#{family_id}", consistent_read=True)
        except SessionItem.DoesNotExist:
            return None
        return Family(family_id, item.user_id, int(item.epoch or 0), bool(item.revoked))

    def start(self, family: Family, first: RefreshRecord) -> None:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(
                SessionItem(
                    f"session#{family.family_id}",
                    user_id=family.user_id,
                    epoch=family.epoch,
                    revoked=False,
                    expires=_family_expires(),
                ),
                condition=SessionItem.pk.does_not_exist(),
            )
            tx.save(_refresh_item(first), condition=RefreshItem.pk.does_not_exist())

    def rotate(self, spent: RefreshRecord, new: RefreshRecord) -> bool:
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.update(
                    RefreshItem(f"refresh#{spent.token_hash}"),
                    actions=[RefreshItem.spent.set(True)],
                    condition=RefreshItem.spent == False,  # noqa: E712 (a PynamoDB condition, not a bool test)
                )
                tx.save(_refresh_item(new), condition=RefreshItem.pk.does_not_exist())
                tx.update(
                    SessionItem(f"session#{spent.family_id}"),
                    actions=[SessionItem.expires.set(_family_expires())],
                    condition=SessionItem.revoked == False,  # noqa: E712
                )
        except TransactWriteError:
            return False
        return True

    def revoke(self, family_id: str) -> None:
        SessionItem(f"session#{family_id}").update(
            actions=[SessionItem.revoked.set(True)], condition=SessionItem.pk.exists()
        )

    def sessions_epoch(self, user_id: str) -> int:
        try:
            item = EpochView.get(
                user_key(user_id), consistent_read=True, attributes_to_get=["pk", "sessions_epoch"]
            )
        except EpochView.DoesNotExist:
            return 0
        return int(item.sessions_epoch or 0)

    def revoke_others(self, user_id: str, keep_family: str | None) -> None:
        record = EpochView(user_key(user_id))
        record.update(actions=[EpochView.sessions_epoch.add(1)], condition=UserRecord.pk.exists())
        if keep_family is not None:
            SessionItem(f"session#{keep_family}").update(
                actions=[SessionItem.epoch.set(int(record.sessions_epoch or 0))],
                condition=SessionItem.pk.exists() & (SessionItem.user_id == user_id),
            )


class DynamoFailureCounter:
    def failures(self, key: str) -> int:
        try:
            return int(ThrottleItem.get(f"throttle#{key}", consistent_read=True).failures)
        except ThrottleItem.DoesNotExist:
            return 0

    def count_failure(self, key: str, expires: int) -> int:
        item = ThrottleItem(f"throttle#{key}")
        item.update(actions=[ThrottleItem.failures.add(1), ThrottleItem.expires.set(expires)])
        return int(item.failures)


def _refresh_item(record: RefreshRecord) -> RefreshItem:
    return RefreshItem(
        f"refresh#{record.token_hash}",
        family_id=record.family_id,
        user_id=record.user_id,
        spent=record.spent,
        expires=_epoch_seconds(record.expires_at),
    )
