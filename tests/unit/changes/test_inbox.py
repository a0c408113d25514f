"""Reading a notice is recorded once, on the notice's own stream."""

from __future__ import annotations

from tests.unit.fakes import FakeEventStore
from trainbook.changes.events import NotificationRead
from trainbook.changes.service.inbox import mark_notification_read


def test_a_notice_read_twice_is_recorded_once_as_its_second_version() -> None:
    events = FakeEventStore()
    mark_notification_read(events, "user-ala", "n-1")
    mark_notification_read(events, "user-ala", "n-1")
    [read] = events.read("notification-n-1")
    assert read.version == 2
    assert read.event == NotificationRead("n-1", "user-ala")
    assert read.meta.actor == "user:user-ala"
