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


class TooManyRequests(DomainError):
    """A client over its rate limit: answered 429 with `Retry-After` (whole seconds)."""

    code = "too_many_requests"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
