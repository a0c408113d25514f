"""Which DynamoDB requests a read replica may answer: eventually consistent reads, as DynamoDB defines them.

DynamoDB answers a `GetItem`, `BatchGetItem`, `Query` or `Scan` without `ConsistentRead: true` from any
of a partition's replicas, so it may miss a write acknowledged just before. Such a read may go to the
engine's replica (`follower.py`); every write, every strongly consistent read and every other request
goes to the engine itself. Both sides decide with this one function: the Lambda workers' transport
(`runtime/lean_calls.py`) to pick the endpoint, the replica to refuse what it must not answer.
"""

from __future__ import annotations

import re

TARGET_PREFIX = "DynamoDB_20120810."
EVENTUAL_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})
# Anywhere in the body: a BatchGetItem asks it per table, and one consistent table makes the request go to
# the engine whole.
_CONSISTENT = re.compile(rb'"ConsistentRead"\s*:\s*true')
# The variable that gives a Lambda worker the replica's URL (set by the local cloud, read by its runtime).
REPLICA_URL_VARIABLE = "LOCALCLOUD_DYNAMODB_READ_REPLICA"


def eventually_consistent_read(target: str, body: bytes) -> bool:
    """Whether a request with this X-Amz-Target and body is a read DynamoDB may answer from a replica."""
    if not target.startswith(TARGET_PREFIX) or target[len(TARGET_PREFIX) :] not in EVENTUAL_ACTIONS:
        return False
    return _CONSISTENT.search(body) is None
