"""Password hashing with argon2id: hash on sign-up, verify on sign-in, rehash when parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# A hash of a password nobody knows: signing in with an unknown e-mail still costs one verification,
# so the answer time does not tell which e-mails have an account.
_NOBODY = "no account has this password; it only balances the work of a failed sign-in"


class Passwords:
    """argon2id (argon2-cffi's RFC 9106 low-memory defaults unless a hasher is given)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._nobody_hash: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than today's (or another argon2 type)."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def verify_nobody(self, password: str) -> None:
        """Spend the time of a verification that fails, for a sign-in with an unknown e-mail."""
        if self._nobody_hash is None:
            self._nobody_hash = self.hasher.hash(_NOBODY)
        self.verify(self._nobody_hash, password)
