"""Saves and restores the engine's data (DynamoDB, SQS, SSM, Secrets, stream positions) in the data dir.

Kept: every DynamoDB table with its items and unread stream records, SQS queues and their messages,
SSM parameters, secrets, stream-trigger positions, and which Step Functions executions were running
(started again under their names at the next start). Not kept: the history of executions, WebSocket
connections, Lambda workers (all rebuilt from the template at start).
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
from pathlib import Path
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sqs.models import Queue, sqs_backends
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


def _queue_state(queue: Queue) -> dict[str, Any]:
    # A queue's only unpicklable part is the Condition guarding its messages; a new one is made on load.
    state = dict(queue.__dict__)
    state.pop("_messages_lock", None)
    return state


def _set_queue_state(queue: Queue, state: dict[str, Any]) -> None:
    queue.__dict__.update(state)
    queue._messages_lock = threading.Condition()


setattr(Queue, "__getstate__", _queue_state)  # noqa: B010 - mypy refuses assigning to a method
setattr(Queue, "__setstate__", _set_queue_state)  # noqa: B010


def save(data_dir: Path, account: str, region: str, extra: dict[str, Any]) -> None:
    """Write the snapshot atomically (write a temp file, then rename over the old one)."""
    state: dict[str, Any] = {"extra": extra}
    with DYNAMODB_LOCK:
        for part, (backends, attribute) in _PARTS.items():
            try:
                value = getattr(backends[account][region], attribute)
                # Plain dict: moto's dict subclasses (ParameterDict) cannot be rebuilt by pickle.
                state[part] = pickle.dumps(dict(value) if isinstance(value, dict) else value)
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
        state: dict[str, Any] = pickle.load(file)
    with DYNAMODB_LOCK:
        for part, (backends, attribute) in _PARTS.items():
            if part not in state:
                continue
            try:
                loaded = pickle.loads(state[part])
            except Exception as error:  # one unreadable part must not stop the others
                log.warning("not restoring %s: %r", part, error)
                continue
            current = getattr(backends[account][region], attribute)
            if isinstance(current, dict):
                current.clear()
                current.update(loaded)
            else:
                setattr(backends[account][region], attribute, loaded)
    log.info("restored %s from %s", ", ".join(p for p in _PARTS if p in state), path)
    extra: dict[str, Any] = state.get("extra", {})
    return extra
