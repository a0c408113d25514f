"""TransactWriteItems honours ClientRequestToken for 10 minutes, as DynamoDB does (moto ignores it).

botocore fills the token in once per call and resends it on every retry, so a transaction whose answer was
lost (a client read timeout) is answered with success on the retry instead of being applied twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import OrderedDict
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
from moto.dynamodb.responses import DynamoHandler

from localcloud.layer.patching import Patches

TOKEN_LIFETIME_SECONDS = 600.0
# Tokens remembered at most; beyond this the oldest are forgotten early (a local cloud, not a ledger).
MAX_TOKENS = 100_000


class IdempotentParameterMismatch(DynamodbException):
    def __init__(self) -> None:
        super().__init__(
            ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException",
            "Request token was already used with a different set of parameters",
        )


class TokenRecord:
    """Committed transactions by (account, region, token): the request's fingerprint and when it expires."""

    def __init__(self, lifetime: float = TOKEN_LIFETIME_SECONDS, clock: Any = time.monotonic) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: OrderedDict[tuple[str, str, str], tuple[str, float]] = OrderedDict()

    def _forget_expired(self, now: float) -> None:
        while self._tokens:
            slot, (_, expires) = next(iter(self._tokens.items()))
            if expires > now and len(self._tokens) <= MAX_TOKENS:
                return
            del self._tokens[slot]

    def seen(self, slot: tuple[str, str, str], fingerprint: str) -> bool:
        """True if this token committed this very request; a different request raises the mismatch."""
        with self._lock:
            self._forget_expired(self.clock())
            known = self._tokens.get(slot)
        if known is None:
            return False
        if known[0] != fingerprint:
            raise IdempotentParameterMismatch()
        return True

    def remember(self, slot: tuple[str, str, str], fingerprint: str) -> None:
        with self._lock:
            self._tokens[slot] = (fingerprint, self.clock() + self.lifetime)
            self._tokens.move_to_end(slot)


TOKENS = TokenRecord()


def fingerprint(body: dict[str, Any]) -> str:
    """Every parameter but the token itself: a change in any of them is a different request. Kept as a
    digest of their canonical JSON (32 hex digits), not the JSON: up to MAX_TOKENS transactions of a few
    KB each are remembered for 10 minutes."""
    parameters = {k: v for k, v in body.items() if k != "ClientRequestToken"}
    canonical = json.dumps(parameters, sort_keys=True, default=_binary_text)
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


def _binary_text(value: Any) -> str:
    """Binary attributes (`B`, `BS`) arrive as bytes: their base64 text stands for them."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} in a transaction's parameters")


def patch_client_request_tokens(patches: Patches, tokens: TokenRecord = TOKENS) -> None:
    original = DynamoHandler.transact_write_items

    def transact_write_items(self: DynamoHandler) -> ActionResult:
        body: dict[str, Any] = self.body
        token = body.get("ClientRequestToken")
        if not token:
            return original(self)
        slot = (self.current_account, self.region, str(token))
        request = fingerprint(body)
        # Requests are serialised by the layer's lock, so a retry arriving during the first attempt waits
        # for it and then finds its token (DynamoDB would answer TransactionInProgressException meanwhile).
        if tokens.seen(slot, request):
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = original(self)
        tokens.remember(slot, request)
        return result

    patches.replace(DynamoHandler, "transact_write_items", transact_write_items)
