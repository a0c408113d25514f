"""Where the ticket signing key comes from: the secret in Secrets Manager named by TICKET_SIGNING_SECRET_ARN.

The secret is read once per ARN and process (a rotated secret takes effect on the next cold start).
"""

from __future__ import annotations

import os
from functools import cache

import boto3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trainbook.tickets import signing


def signing_key() -> Ed25519PrivateKey:
    arn = os.environ.get("TICKET_SIGNING_SECRET_ARN")
    if not arn:
        raise RuntimeError("TICKET_SIGNING_SECRET_ARN is not set: template.yaml provides it")
    return _key_from_secret(arn)


def public_key_pem() -> str:
    """The PEM (SubjectPublicKeyInfo) a conductor's app verifies ticket QR codes with."""
    return signing.public_key_pem(signing_key())


def key_id() -> str:
    return signing.key_id(signing_key())


@cache
def _key_from_secret(arn: str) -> Ed25519PrivateKey:
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    return signing.derive_signing_key(secret)
