"""Errors the timetable raises when a request names something the railway does not run."""

from __future__ import annotations

from trainbook.errors import DomainError, NotFound


class UnknownStation(NotFound):
    code = "unknown_station"


class UnknownTrainRun(NotFound):
    code = "unknown_train_run"


class UnknownSeat(NotFound):
    code = "unknown_seat"


class DateOutsideSalesWindow(DomainError):
    code = "date_outside_sales_window"


class NotServed(DomainError):
    """The train does not call at both stations in that order."""

    code = "not_served"


class InvalidTimetable(DomainError):
    """A timetable file that breaks the format; never loaded partly."""

    code = "invalid_timetable"

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        # Every problem found, each "<service and field>: <what is wrong>"; the message shows the first few.
        self.problems = problems or (message,)


class UnknownComposition(NotFound):
    """A rolling stock or formation code the catalog does not know."""

    code = "unknown_composition"


class InvalidFareRequest(DomainError):
    """A fare question the tariff cannot answer: bad class, distance, category or passenger list."""

    code = "invalid_fare_request"


class UnknownDiscount(InvalidFareRequest):
    code = "unknown_discount"


class InvalidInstant(DomainError):
    """An instant the API cannot place on the timeline: one without its time zone offset."""

    code = "invalid_instant"
