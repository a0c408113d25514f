"""What the engine did, counted: requests by kind, Lambda invocations, state transitions, bytes stored.

One process-wide `STATS`, read (and optionally reset) through the control endpoint
`POST /_localcloud/stats` so that benches divide counted work by bookings instead of estimating it.
Counting is a dict increment under a lock of its own, never under the DynamoDB lock's critical path.
"""

from __future__ import annotations

import functools
import threading
from typing import Any


class Stats:
    """Counters by kind plus per-function Lambda usage.

    Kinds: `<service>:<Action>` for each HTTP request to the engine (`dynamodb:PutItem`); `history:<type>`
    for each Step Functions history event (`history:TaskStateEntered`); `internal:<what>` for work that
    never crosses HTTP (a stream trigger's read, a Lambda invoked by Step Functions in-process);
    `stored:<table>:items|bytes` and `journal:rows|bytes` for what was written."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, float] = {}
        self._functions: dict[str, dict[str, float]] = {}

    def count(self, kind: str, amount: float = 1) -> None:
        with self._lock:
            self._counts[kind] = self._counts.get(kind, 0) + amount

    def count_many(self, amounts: dict[str, float]) -> None:
        with self._lock:
            for kind, amount in amounts.items():
                self._counts[kind] = self._counts.get(kind, 0) + amount

    def invoked(self, function: str, memory_mb: int, duration_ms: float, cold: bool) -> None:
        with self._lock:
            usage = self._functions.setdefault(
                function, {"invocations": 0, "duration_ms": 0.0, "cold_starts": 0, "memory_mb": memory_mb}
            )
            usage["invocations"] += 1
            usage["duration_ms"] += duration_ms
            usage["cold_starts"] += int(cold)
            usage["memory_mb"] = memory_mb

    def snapshot(self, reset: bool = False) -> dict[str, Any]:
        with self._lock:
            counts = dict(sorted(self._counts.items()))
            functions = {name: dict(usage) for name, usage in sorted(self._functions.items())}
            if reset:
                self._counts.clear()
                self._functions.clear()
        return {"counts": counts, "functions": functions}


STATS = Stats()


def signed_scope(environ: dict[str, Any]) -> tuple[str, str]:
    """(region, service) of a SigV4-signed request's credential scope; ("", "") if it is not signed.

    `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...`"""
    return _scope_of(str(environ.get("HTTP_AUTHORIZATION", "")))


@functools.lru_cache(maxsize=4096)
def _scope_of(authorization: str) -> tuple[str, str]:
    """Kept per header text: a request is asked three times (counting, routing, journaling), and a
    Lambda worker sends the same header on every call (`runtime/unsigned.py`)."""
    if "Credential=" not in authorization:
        return "", ""
    scope = authorization.split("Credential=", 1)[1].split(",", 1)[0].strip().split("/")
    if len(scope) != 5:
        return "", ""
    return scope[2], scope[3]


def request_kind(environ: dict[str, Any]) -> str:
    """`service:Action` of one HTTP request to the engine, from X-Amz-Target, the path or the query."""
    service = signed_scope(environ)[1]
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return f"{service or target.split('_', 1)[0].lower()}:{target.rsplit('.', 1)[-1]}"
    path = str(environ.get("PATH_INFO", ""))
    if service == "lambda" and path.endswith("/invocations"):
        return "lambda:Invoke"
    query = str(environ.get("QUERY_STRING", ""))
    for part in query.split("&"):
        if part.startswith("Action="):
            return f"{service}:{part[len('Action=') :]}"
    first = path.split("/", 2)[1] if path.count("/") else path
    return f"{service or 'unknown'}:{environ.get('REQUEST_METHOD', '')} /{first}"
