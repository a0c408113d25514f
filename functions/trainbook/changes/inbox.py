"""Notifications read model (the inbox): one item per notice, under its user, newest first.

`PassengerNotified` sets the texts and leaves `read` as it is (false when new); `NotificationRead`
sets `read`. Both are plain updates of one item, so any order and any number of deliveries converge.
Notification ids start with the instant of the change, so the sort key orders the inbox by time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from trainbook import tables
from trainbook.changes.events import NotificationRead, PassengerNotified
from trainbook.eventstore.batch import Plan, Write, apply_events
from trainbook.eventstore.events import RecordedEvent, format_instant

INBOX_SIZE = 100  # the newest notices a user sees


class NotificationItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("NOTIFICATIONS_TABLE")

    user_id = UnicodeAttribute(hash_key=True)
    notification_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    run_id = UnicodeAttribute(null=True)
    text_pl = UnicodeAttribute(null=True)
    text_en = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    read = BooleanAttribute(null=True)


@dataclass(frozen=True)
class Inbox:
    notifications: list[dict[str, Any]]
    unread: int


class InboxProjection:
    name = "notifications"
    model = NotificationItem

    def apply(self, recorded: RecordedEvent) -> None:
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """One update per notice: its texts (from any of its `PassengerNotified`), read if any says so."""
        notices: dict[tuple[str, str], tuple[list[Action], bool, list[int]]] = {}
        for position, recorded in enumerate(batch):
            event = recorded.event
            if not isinstance(event, PassengerNotified | NotificationRead):
                continue
            key = (event.user_id, event.notification_id)
            texts, read, positions = notices.get(key, ([], False, []))
            if isinstance(event, PassengerNotified):
                texts = [
                    NotificationItem.kind.set(event.kind),
                    NotificationItem.booking_id.set(event.booking_id),
                    NotificationItem.run_id.set(event.run_id),
                    NotificationItem.text_pl.set(event.text_pl),
                    NotificationItem.text_en.set(event.text_en),
                    NotificationItem.at.set(format_instant(recorded.at)),
                ]
            notices[key] = (texts, read or isinstance(event, NotificationRead), [*positions, position])
        plan = Plan()
        for key, (texts, read, positions) in notices.items():
            # A notice keeps `read` as it is (false when new) until a NotificationRead sets it.
            mark = NotificationItem.read.set(True if read else NotificationItem.read | False)
            plan.writes.append(_update(NotificationItem(*key), [*texts, mark], positions, (self.name, *key)))
        return plan

    def inbox(self, user_id: str, language: str, consistent: bool = False) -> Inbox:
        notifications = []
        unread = 0
        for item in NotificationItem.query(
            user_id, scan_index_forward=False, limit=INBOX_SIZE, consistent_read=consistent
        ):
            if item.text_pl is None:
                continue  # only a read mark has arrived so far
            unread += 0 if item.read else 1
            notifications.append(view(item, language))
        return Inbox(notifications, unread)

    def notification(self, user_id: str, notification_id: str, language: str) -> dict[str, Any] | None:
        """One notice as the inbox shows it, read strongly consistent; None until its texts are there."""
        try:
            item = NotificationItem.get(user_id, notification_id, consistent_read=True)
        except NotificationItem.DoesNotExist:
            return None
        return view(item, language) if item.text_pl is not None else None

    def find(self, user_id: str, notification_id: str) -> bool:
        try:
            item = NotificationItem.get(user_id, notification_id, consistent_read=True)
        except NotificationItem.DoesNotExist:
            return False
        return item.text_pl is not None


def mark_read(user_id: str, notification_id: str) -> None:
    NotificationItem(user_id, notification_id).update(actions=[NotificationItem.read.set(True)])


def _update(
    item: NotificationItem, actions: list[Action], positions: list[int], key: tuple[str, ...]
) -> Write:
    return Write(
        positions=tuple(positions),
        keys=frozenset({key}),
        together=lambda tx: tx.update(item, actions=actions),
        alone=lambda: item.update(actions=actions),
    )


def view(item: NotificationItem, language: str) -> dict[str, Any]:
    """A notice as `GET /me/notifications` (and the live `notification` message) shows it."""
    return {
        "id": item.notification_id,
        "kind": item.kind,
        "booking_id": item.booking_id,
        "run_id": item.run_id,
        "text": item.text_en if language == "en" else item.text_pl,
        "texts": {"pl": item.text_pl, "en": item.text_en},
        "at": item.at,
        "read": bool(item.read),
    }
