"""Errors of the accounts context: what the API answers when a sign-up, sign-in or token is refused."""

from __future__ import annotations

from trainbook.errors import Conflict, DomainError, NotFound


class InvalidEmail(DomainError):
    code = "invalid_email"


class WeakPassword(DomainError):
    code = "weak_password"


class InvalidProfile(DomainError):
    code = "invalid_profile"


class EmailTaken(Conflict):
    code = "email_taken"


class InvalidCredentials(DomainError):
    """Wrong e-mail or wrong password: one message for both, so nobody can probe who has an account."""

    code = "invalid_credentials"
    status = 401

    def __init__(self, message: str = "the e-mail or password is not correct") -> None:
        super().__init__(message)


class InvalidToken(DomainError):
    """A missing, expired, tampered or foreign access token."""

    code = "invalid_token"
    status = 401


class UnknownUser(NotFound):
    code = "unknown_user"


class InvalidRefreshToken(DomainError):
    """A refresh token that is unknown, expired, spent (then its family is revoked) or signed out."""

    code = "invalid_refresh_token"
    status = 401


class WrongPassword(DomainError):
    """The current password given to change it is not correct."""

    code = "wrong_password"
    status = 400

    def __init__(self, message: str = "the current password is not correct") -> None:
        super().__init__(message)
