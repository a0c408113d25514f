"""Lambda workers sign their AWS requests without the HMAC work: the local engine verifies no signature.

botocore's SigV4 signing (canonical request, SHA-256 of the payload, four chained HMACs per request) was
12 % of the workers' CPU under the booking bench, for a signature the engine (moto, no IAM) never checks.
Here `SigV4Auth.add_auth` still runs botocore's own steps that shape the request (the date, the security
token, the unsigned-payload header, the `Authorization` header with its credential scope
`<key>/<date>/<region>/<service>/aws4_request` and the signed headers' names, which the engine routes and
counts by) and writes a fixed placeholder instead of the signature. Everything else of boto3's pipeline
(endpoint resolution, serialization, retries, event hooks) runs as on AWS, and the handler's code is the
same. Only plain SigV4 is affected: S3's variant (payload hash header), presigned URLs (query signing)
and other signers keep their full work. docs/decisions.md records why this is honest emulation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from botocore.auth import SIGNED_HEADERS_BLACKLIST, SIGV4_TIMESTAMP, SigV4Auth
from botocore.exceptions import NoCredentialsError

# 64 hex digits like a real signature, recognisable in a log as not one.
UNVERIFIED_SIGNATURE = "0" * 64

_original_add_auth = SigV4Auth.add_auth


def _add_auth_unsigned(self: SigV4Auth, request: Any) -> None:
    if type(self) is not SigV4Auth:  # subclasses (S3's) add headers the engine may read: sign fully
        _original_add_auth(self, request)
        return
    if self.credentials is None:
        raise NoCredentialsError()
    signer: Any = self  # botocore's own steps, private and untyped in its stubs
    timestamp = datetime.now(UTC).strftime(SIGV4_TIMESTAMP)
    request.context["timestamp"] = timestamp
    signer._modify_request_before_signing(request)
    # botocore's `_inject_signature_to_request` rebuilt a header map of the request to list the signed
    # headers' names (5 % of a worker's CPU): the names depend only on the header names, so they are
    # worked out once per set of names, the same list botocore's `headers_to_sign` would give.
    scope = f"{self.credentials.access_key}/{timestamp[:8]}/{signer._region_name}/{signer._service_name}"
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={scope}/aws4_request, "
        f"SignedHeaders={_signed_headers(tuple(request.headers.keys()))}, "
        f"Signature={UNVERIFIED_SIGNATURE}"
    )


@lru_cache(maxsize=512)
def _signed_headers(names: tuple[str, ...]) -> str:
    """`SigV4Auth.signed_headers(headers_to_sign(request))` for a request with these header names."""
    lowered = {name.lower() for name in names}
    signed = {name.strip() for name in lowered if name not in SIGNED_HEADERS_BLACKLIST}
    return ";".join(sorted(signed | {"host"}))  # botocore adds the host from the URL when it is absent


def install() -> None:
    """Sign without HMACs in this process (a Lambda worker of the local cloud only)."""
    SigV4Auth.add_auth = _add_auth_unsigned  # type: ignore[method-assign]


def uninstall() -> None:
    SigV4Auth.add_auth = _original_add_auth  # type: ignore[method-assign]
