"""Defect 1: moto's DynamoDB is not thread-safe, so every DynamoDB (and Streams) request holds one lock."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

from localcloud.layer.patching import Patches

# Reentrant: the stream poller and snapshots take it around calls that may take it again.
DYNAMODB_LOCK = threading.RLock()


def _serialized(action: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(action)
    def call_action(self: Any) -> Any:
        with DYNAMODB_LOCK:
            return action(self)

    return call_action


def patch_serialized_requests(patches: Patches) -> None:
    for handler in (DynamoHandler, DynamoDBStreamsHandler):
        original = handler.call_action
        patches.replace(handler, "call_action", _serialized(original))
