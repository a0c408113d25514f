"""TTL on the real template: refresh tokens and realtime connections expire locally within a minute."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.booking.conftest import Trainbook
from tests.e2e.localcloud.running import wait_for


def _table(trainbook: Trainbook, suffix: str) -> str:
    names = trainbook.client("dynamodb").list_tables()["TableNames"]
    return next(name for name in names if name.endswith(f"-{suffix}"))


def _exists(trainbook: Trainbook, table: str, key: dict[str, Any]) -> bool:
    return "Item" in trainbook.client("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True)


def test_an_expired_refresh_token_and_a_stale_connection_are_deleted_by_ttl(trainbook: Trainbook) -> None:
    ddb = trainbook.client("dynamodb")
    users, connections = _table(trainbook, "users"), _table(trainbook, "connections")
    soon, later = int(time.time()) + 2, int(time.time()) + 3600
    # Shaped as the session store and the realtime store write them; only `expires` is brought forward.
    expired_refresh = {"pk": {"S": "refresh#ttl-probe-expired"}}
    live_refresh = {"pk": {"S": "refresh#ttl-probe-live"}}
    for key, expires in ((expired_refresh, soon), (live_refresh, later)):
        ddb.put_item(
            TableName=users,
            Item={
                **key,
                "family_id": {"S": "ttl-probe"},
                "user_id": {"S": "ttl-probe"},
                "spent": {"BOOL": False},
                "expires": {"N": str(expires)},
            },
        )
    stale = {"connection_id": {"S": "ttl-probe-conn"}, "entry": {"S": "connection"}}
    ddb.put_item(
        TableName=connections,
        Item={**stale, "user_id": {"S": "ttl-probe"}, "expires": {"N": str(soon)}},
    )

    wait_for(lambda: not _exists(trainbook, users, expired_refresh), deadline=60)
    wait_for(lambda: not _exists(trainbook, connections, stale), deadline=60)
    assert _exists(trainbook, users, live_refresh)
