"""Base of every domain error: a railway meaning, a stable code for the API, and a clear message."""

from __future__ import annotations


class DomainError(Exception):
    """A request the railway refuses. The API maps `status` and `code` to a 4xx answer once."""

    code: str = "invalid_request"
    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409
