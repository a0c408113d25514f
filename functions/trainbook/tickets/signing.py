"""Signing tickets so a conductor's app can verify them offline: Ed25519 over the ticket's claims.

The QR payload is a compact JWS (a JWT with `alg` EdDSA): base64url(header).base64url(claims).
base64url(signature). The private key never leaves the signing function: its 32-byte seed is
derived from a secret string with HKDF-SHA-256, so every instance derives the same key and
nothing but the secret has to be stored. Ed25519 signatures are deterministic: the same ticket
always gets the same QR payload. Anyone holding the public key can check a payload, and no one
without the private key can make one that checks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trainbook.tickets.domain import InvalidTicket, Ticket

ISSUER = "trainbook"
ALGORITHM = "EdDSA"
HKDF_SALT = b"trainbook/tickets"
HKDF_INFO = b"ed25519 ticket signing key v1"
MIN_SECRET_LENGTH = 32
REQUIRED_CLAIMS = ("ver", "tn", "bid", "run", "from", "to", "day", "dep", "seats", "pax")


def derive_signing_key(secret: str) -> Ed25519PrivateKey:
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the ticket signing secret must have at least {MIN_SECRET_LENGTH} characters")
    seed = HKDF(algorithm=SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(secret.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode()


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short name of the key pair (first 16 hex digits of SHA-256 of the raw public key): the `kid`."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class _Utf8Json(json.JSONEncoder):
    """Names as UTF-8 rather than \\u escapes: "Gęślą" costs 7 bytes, not 22, in the QR code."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**{**options, "ensure_ascii": False})


def sign_ticket(ticket: Ticket, key: Ed25519PrivateKey) -> str:
    claims = {"iss": ISSUER, **ticket.claims()}
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": key_id(key)}, json_encoder=_Utf8Json)


@dataclass(frozen=True)
class TicketClaims:
    """What a verified QR code proves about a ticket."""

    ticket_number: str
    booking_id: str
    run_id: str
    origin: str
    destination: str
    day: str  # ISO date of travel
    departs: str  # "HH:MM" at the origin
    seats: tuple[str, ...]
    passengers: tuple[tuple[str, str], ...]  # (name, discount)
    key_id: str

    def valid_on(self, day: date) -> bool:
        return self.day == day.isoformat()


def verify(qr_payload: str, public_key: Ed25519PublicKey | str | bytes) -> TicketClaims:
    """The claims of a QR payload signed by the matching private key; InvalidTicket otherwise."""
    key = _public_key(public_key)
    try:
        header = jwt.get_unverified_header(qr_payload)
        claims: dict[str, Any] = jwt.decode(
            qr_payload,
            key,
            algorithms=[ALGORITHM],  # never anything else: no "none", no HMAC with the public key
            issuer=ISSUER,
            options={"require": ["iss", *REQUIRED_CLAIMS]},
        )
        if claims["ver"] != 1:
            raise InvalidTicket(f"unknown ticket payload version {claims['ver']!r}")
        return TicketClaims(
            ticket_number=str(claims["tn"]),
            booking_id=str(claims["bid"]),
            run_id=str(claims["run"]),
            origin=str(claims["from"]),
            destination=str(claims["to"]),
            day=str(claims["day"]),
            departs=str(claims["dep"]),
            seats=tuple(str(s) for s in claims["seats"]),
            passengers=tuple((str(name), str(discount)) for name, discount in claims["pax"]),
            key_id=str(header.get("kid", "")),
        )
    except jwt.PyJWTError as error:
        raise InvalidTicket(f"the ticket does not verify: {error}") from None
    except (TypeError, ValueError) as error:
        raise InvalidTicket(f"the ticket's claims are malformed: {error}") from None


def _public_key(key: Ed25519PublicKey | str | bytes) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    loaded = serialization.load_pem_public_key(key.encode() if isinstance(key, str) else key)
    if not isinstance(loaded, Ed25519PublicKey):
        raise InvalidTicket("the verification key is not an Ed25519 public key")
    return loaded
