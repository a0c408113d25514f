"""Changes read model: every schedule change of a day's runs, newest first, for `GET /changes`.

One item per change event, keyed by the run's date and `<instant appended>#<stream>#<version>`; a
redelivered event writes the same item again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from trainbook import tables
from trainbook.catalog.events import (
    PlatformChanged,
    ScheduleChangeEvent,
    TrainDelayed,
    TrainRunAdded,
    TrainRunArrived,
    TrainRunCancelled,
    TrainRunRemoved,
    TrainRunRestored,
)
from trainbook.eventstore.batch import Plan, Write, apply_events
from trainbook.eventstore.events import RecordedEvent, format_instant

KINDS: dict[type[ScheduleChangeEvent], str] = {
    TrainDelayed: "delay",
    PlatformChanged: "platform",
    TrainRunCancelled: "cancel",
    TrainRunRestored: "restore",
    TrainRunArrived: "arrived",
    TrainRunAdded: "added",
    TrainRunRemoved: "removed",
}


class ChangeItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("CHANGE_LOG_TABLE")

    day = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)  # "<recorded at>#<stream>#<version>": sorts in time order
    change_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    run_id = UnicodeAttribute()
    train = UnicodeAttribute()
    station = UnicodeAttribute(null=True)
    minutes = NumberAttribute(null=True)
    platform = UnicodeAttribute(null=True)
    track = UnicodeAttribute(null=True)
    from_station = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    recorded_at = UnicodeAttribute()


def change_view(recorded: RecordedEvent) -> dict[str, Any]:
    """A change event as the API shows it (`POST /admin/runs/{id}/changes` and `GET /changes`)."""
    event = recorded.event
    assert isinstance(event, ScheduleChangeEvent)
    view: dict[str, Any] = {
        "change_id": event.change_id,
        "kind": KINDS[type(event)],
        "run_id": event.run_id,
        "train": event.label,
        "date": event.day,
        "source": event.source,
        "recorded_at": format_instant(recorded.at),
        "version": recorded.version,
    }
    if isinstance(event, TrainDelayed):
        view |= {"station": event.station, "minutes": event.minutes, "reason": event.reason}
    elif isinstance(event, PlatformChanged):
        view |= {"station": event.station, "platform": event.platform, "track": event.track}
    elif isinstance(event, TrainRunCancelled):
        view |= {"from_station": event.from_station, "reason": event.reason}
    return view


class ChangeLogProjection:
    name = "change-log"
    model = ChangeItem

    def apply(self, recorded: RecordedEvent) -> None:
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """One item per change event; a plain put (the item is the event's), so any number go together."""
        items: dict[tuple[str, str], tuple[ChangeItem, list[int]]] = {}
        for position, recorded in enumerate(batch):
            item = self.item(recorded)
            if item is not None:
                kept = items.get((item.day, item.key))
                items[(item.day, item.key)] = (item, [*(kept[1] if kept else []), position])
        plan = Plan()
        for key, (item, positions) in items.items():
            plan.writes.append(_put(item, positions, (self.name, *key)))
        return plan

    def item(self, recorded: RecordedEvent) -> ChangeItem | None:
        if not isinstance(recorded.event, ScheduleChangeEvent) or type(recorded.event) not in KINDS:
            return None
        view = change_view(recorded)
        return ChangeItem(
            view["date"],
            f"{view['recorded_at']}#{recorded.stream}#{recorded.version:09d}",
            change_id=view["change_id"],
            kind=view["kind"],
            run_id=view["run_id"],
            train=view["train"],
            station=view.get("station"),
            minutes=view.get("minutes"),
            platform=view.get("platform"),
            track=view.get("track"),
            from_station=view.get("from_station"),
            reason=view.get("reason") or None,
            source=view["source"],
            recorded_at=view["recorded_at"],
        )

    def on(self, day: str) -> list[dict[str, Any]]:
        """The day's changes, newest first (one Query)."""
        views = []
        for item in ChangeItem.query(day, scan_index_forward=False):
            view: dict[str, Any] = {
                "change_id": item.change_id,
                "kind": item.kind,
                "run_id": item.run_id,
                "train": item.train,
                "date": item.day,
                "source": item.source,
                "recorded_at": item.recorded_at,
                "version": int(item.key.rsplit("#", 1)[1]),
            }
            if item.kind == "delay":
                view |= {"station": item.station, "minutes": int(item.minutes), "reason": item.reason or ""}
            elif item.kind == "platform":
                view |= {"station": item.station, "platform": item.platform, "track": item.track}
            elif item.kind == "cancel":
                view |= {"from_station": item.from_station, "reason": item.reason or ""}
            views.append(view)
        return views


def _put(item: ChangeItem, positions: list[int], key: tuple[str, ...]) -> Write:
    return Write(
        positions=tuple(positions),
        keys=frozenset({key}),
        together=lambda tx: tx.save(item),
        alone=lambda: _save(item),
    )


def _save(item: ChangeItem) -> None:
    item.save()
