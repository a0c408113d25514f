"""Saves and restores the engine's data (DynamoDB tables, SQS, SSM, Secrets, stream positions) in the data dir.

Kept: every DynamoDB table with its items and unread stream records, SQS queues and their messages,
SSM parameters, secrets, stream-trigger positions. Not kept: Step Functions executions and their
history, WebSocket connections, Lambda workers (all rebuilt from the template at start).
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sqs.models import sqs_backends
from moto.ssm.models import ssm_backends

from localcloud.layer.serialize import DYNAMODB_LOCK

log = logging.getLogger("localcloud.persistence")

SNAPSHOT = "engine-state.pickle"
_PARTS: dict[str, tuple[Any, str]] = {
    "dynamodb": (dynamodb_backends, "tables"),
    "sqs": (sqs_backends, "queues"),
    "ssm": (ssm_backends, "_parameters"),
    "secretsmanager": (secretsmanager_backends, "secrets"),
}


def save(data_dir: Path, account: str, region: str, extra: dict[str, Any]) -> None:
    """Write the snapshot atomically (write a temp file, then rename over the old one)."""
    state: dict[str, Any] = {"extra": extra}
    with DYNAMODB_LOCK:
        for part, (backends, attribute) in _PARTS.items():
            try:
                state[part] = pickle.dumps(getattr(backends[account][region], attribute))
            except Exception as error:  # one part that does not pickle must not lose the others
                log.warning("not saving %s: %r", part, error)
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / (SNAPSHOT + ".tmp")
    with temporary.open("wb") as file:
        pickle.dump(state, file)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(data_dir / SNAPSHOT)


def load(data_dir: Path, account: str, region: str) -> dict[str, Any]:
    """Restore a snapshot if there is one; returns its `extra` (stream positions)."""
    path = data_dir / SNAPSHOT
    if not path.exists():
        return {}
    with path.open("rb") as file:
        state: dict[str, Any] = pickle.load(file)  # noqa: S301 - our own file in the user's data dir
    with DYNAMODB_LOCK:
        for part, (backends, attribute) in _PARTS.items():
            if part in state:
                setattr(backends[account][region], attribute, pickle.loads(state[part]))  # noqa: S301
    log.info("restored %s from %s", ", ".join(p for p in _PARTS if p in state), path)
    extra: dict[str, Any] = state.get("extra", {})
    return extra
