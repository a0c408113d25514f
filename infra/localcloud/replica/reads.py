"""Which DynamoDB requests the engine's read replica answers: `GetItem`, `BatchGetItem`, `Query`, `Scan`.

The replica answers each of them, strongly consistent or not, with every write acknowledged before the
read was sent (`follower.py` says why), so a read loses nothing by going there. Everything else goes
to the engine: every write, `TransactGetItems` (isolated from the transactions being applied, which
the engine's lock provides), the Streams API, and every other service. Both sides decide with this one
function: the Lambda workers' transport (`runtime/lean_calls.py`) to pick the endpoint, the replica to
refuse what it must not answer.
"""

from __future__ import annotations

TARGET_PREFIX = "DynamoDB_20120810."
REPLICA_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})
# The variable that gives a Lambda worker the replica's URL (set by the local cloud, read by its runtime).
REPLICA_URL_VARIABLE = "LOCALCLOUD_DYNAMODB_READ_REPLICA"


def replica_read(target: str) -> bool:
    """Whether a request with this X-Amz-Target is a read the replica answers."""
    return target.startswith(TARGET_PREFIX) and target[len(TARGET_PREFIX) :] in REPLICA_ACTIONS
