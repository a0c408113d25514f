"""The simulator's card vault: a card number is sealed (AES, Fernet) before it is stored with its token.

A real PSP keeps card numbers unreadable wherever they are stored (PCI DSS 3.5); so does the simulator.
The key is derived (HKDF-SHA-256) from a secret in Secrets Manager (CARD_VAULT_SECRET_ARN), fetched once
per warm container. Only the payment simulator's functions can read that secret.
"""

from __future__ import annotations

import base64
import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_LENGTH = 32


class CardVault:
    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the card vault secret must have at least {MIN_SECRET_LENGTH} characters")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trainbook card vault").derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, number: str) -> str:
        return self._fernet.encrypt(number.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The card number, or None when the sealed text was not made with this vault's key."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


@cache
def card_vault() -> CardVault:
    from aws_lambda_powertools.utilities import parameters

    name = os.environ.get("CARD_VAULT_SECRET_ARN")
    if not name:
        raise RuntimeError("CARD_VAULT_SECRET_ARN is not set: template.yaml sets it to the card vault secret")
    value = parameters.get_secret(name)
    return CardVault(value if isinstance(value, str) else value.decode())
