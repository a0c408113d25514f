"""The base of every domain event, the registry of event types, and their JSON codec.

An event is a frozen dataclass registered under a type name and a schema version. Its fields are
JSON values (str, int, bool, None, lists, dicts) or tuples of them; amounts are integer grosze,
instants are ISO strings. Decoding a type the registry does not know fails loudly: a consumer
that silently skipped events would drift from the truth.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeVar

from trainbook.errors import Conflict, DomainError
from trainbook.event_types import EVENT_MODULES


class UnknownEventType(DomainError):
    code = "unknown_event_type"


class ConcurrencyConflict(Conflict):
    """Another writer appended to the stream first: reload and decide again."""

    code = "concurrency_conflict"


@dataclass(frozen=True)
class Event:
    TYPE: ClassVar[str] = ""
    SCHEMA: ClassVar[int] = 1


E = TypeVar("E", bound=type[Event])
_REGISTRY: dict[tuple[str, int], type[Event]] = {}


def event_type(name: str, schema: int = 1) -> typing.Callable[[E], E]:
    """Register an Event subclass under `name` and `schema` (a class decorator)."""

    def register(cls: E) -> E:
        key = (name, schema)
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"event type {name} v{schema} registered twice")
        cls.TYPE, cls.SCHEMA = name, schema
        _REGISTRY[key] = cls
        return cls

    return register


@dataclass(frozen=True)
class Meta:
    """Why an event happened: the request or booking it belongs to, what caused it, who did it."""

    correlation_id: str = ""
    causation_id: str = ""
    actor: str = "system"


NO_META = Meta()


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: its place in a stream, when it was appended, and why."""

    stream: str
    version: int
    event: Event
    at: datetime
    meta: Meta = Meta()

    @property
    def type(self) -> str:
        return self.event.TYPE


@dataclass(frozen=True)
class PendingEvent:
    """An event about to be appended as version `version` of `stream` (0 < version)."""

    stream: str
    version: int
    event: Event
    meta: Meta = Meta()


@dataclass
class Riders:
    """Events of another stream to append in the same transaction as a use case's own write.

    A use case given riders adds them to the write it makes and sets `written` once that write
    succeeded; when it writes nothing (the step was already recorded), or the riders' versions were
    taken meanwhile, it writes its own change alone and `written` stays False: the caller appends them.
    The events may be given as a function, called once when the write is made: what they are may still
    be in the making while the use case reads (a saga step's Started being written, saga_progress.py).
    """

    given: tuple[PendingEvent, ...] | typing.Callable[[], tuple[PendingEvent, ...]]
    written: bool = False

    @property
    def events(self) -> tuple[PendingEvent, ...]:
        if callable(self.given):
            self.given = self.given()
        return self.given


def write_with_riders(
    riders: Riders | None,
    write: typing.Callable[[typing.Sequence[PendingEvent]], None],
    refusals: tuple[type[Exception], ...] = (ConcurrencyConflict,),
) -> None:
    """Make a use case's `write`, given the events to append with it: the riders', then (if one of
    `refusals` says the write was refused and so wrote nothing) none, so the write's own outcome decides.
    `riders.written` tells the caller whether it still has the riders to append (none to write: False)."""
    events = riders.events if riders is not None else ()
    if riders is None or not events:
        write(())
        return
    try:
        write(events)
    except refusals:
        write(())  # refused for its own sake or the riders': alone, the write says which
        return
    riders.written = True


def pending_after(
    stream: str, expected_version: int, events: typing.Sequence[Event], meta: Meta = NO_META
) -> list[PendingEvent]:
    """`events` as the next versions of `stream`, which the writer saw at `expected_version`."""
    return [PendingEvent(stream, expected_version + i, e, meta) for i, e in enumerate(events, 1)]


class EventLog(Protocol):
    """What use cases need of an event store; the DynamoDB store and the in-memory fake both fit.

    `append(stream, expected_version, events)` appends to one stream that must still be at
    `expected_version`; `append(pending)` appends exact (stream, version) pairs in one transaction.
    """

    @typing.overload
    def append(
        self, stream: str, expected_version: int, events: typing.Sequence[Event], meta: Meta = ...
    ) -> list[RecordedEvent]: ...

    @typing.overload
    def append(self, stream: typing.Sequence[PendingEvent]) -> list[RecordedEvent]: ...

    def read(
        self, stream: str, after: int = 0, up_to: datetime | None = None, consistent: bool = True
    ) -> list[RecordedEvent]: ...


def encode(event: Event) -> str:
    """The event's fields as compact JSON with sorted keys: what `dataclasses.asdict` would give, without
    its deep copy of every value (a scheduled run's stops made it 1 ms an event, most of publishing)."""
    values = field_values(event)
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_nested)


def field_values(value: Any) -> dict[str, Any]:
    """A dataclass's fields by name, values as they are: `dataclasses.asdict` without its deep copy."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return {name: getattr(value, name) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _nested(value: Any) -> Any:
    """A dataclass inside an event's field, as `dataclasses.asdict` writes it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def decode(type_name: str, schema: int, data: str) -> Event:
    cls = _REGISTRY.get((type_name, schema))
    if cls is None:
        _import_event_modules()
        cls = _REGISTRY.get((type_name, schema))
    if cls is None:
        raise UnknownEventType(f"no event type {type_name} v{schema} is registered")
    values: dict[str, Any] = json.loads(data)
    for name in _tuple_fields(cls):
        if isinstance(values.get(name), list):
            values[name] = tuple(values[name])
    return cls(**values)


_TUPLE_FIELDS: dict[type[Event], frozenset[str]] = {}


def _tuple_fields(cls: type[Event]) -> frozenset[str]:
    """The fields of `cls` typed as tuples, which JSON gives back as lists.

    Once per class: resolving the type hints costs more than decoding the event (7 % of a worker's CPU).
    """
    if cls not in _TUPLE_FIELDS:
        hints = typing.get_type_hints(cls)
        _TUPLE_FIELDS[cls] = frozenset(n for n, hint in hints.items() if typing.get_origin(hint) is tuple)
    return _TUPLE_FIELDS[cls]


def _import_event_modules() -> None:
    """Import every module that defines events (by path: the event store depends on no context)."""
    for module in EVENT_MODULES:
        importlib.import_module(module)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_instant(at: datetime) -> str:
    """UTC with microseconds and a Z: sorts as text in time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: str) -> datetime:
    """The instant `format_instant` wrote (and only that form). `fromisoformat` is a tenth of `strptime`'s
    cost, which every decoded event paid (2.6 % of the Lambda workers' CPU under load)."""
    if len(text) != 27 or text[10] != "T" or text[-1] != "Z":
        raise ValueError(f"not an instant of the event store: {text!r}")
    return datetime.fromisoformat(text)
