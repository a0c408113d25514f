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
