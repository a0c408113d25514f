"""Time to Live on `trainbook up`: expired items are deleted, and stream consumers see DynamoDB's REMOVE."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.localcloud.running import RunningCloud, wait_for

TABLE = "fixture-test-items"  # TimeToLiveSpecification: expires; its stream feeds the fixture projector
DELIVERIES = "trainbook-DeliveriesTable"


def _item(cloud: RunningCloud, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] | None = cloud.client("dynamodb").get_item(TableName=table, Key=key).get("Item")
    return found


def test_an_expired_item_is_deleted_and_consumers_see_the_services_remove(cloud: RunningCloud) -> None:
    ddb = cloud.client("dynamodb")
    now = int(time.time())
    expired = {"pk": {"S": "session-expired"}, "version": {"N": "1"}}
    alive = {"pk": {"S": "session-alive"}, "version": {"N": "1"}}
    ddb.put_item(TableName=TABLE, Item={**expired, "expires": {"N": str(now + 2)}})
    ddb.put_item(TableName=TABLE, Item={**alive, "expires": {"N": str(now + 3600)}})
    wait_for(lambda: _item(cloud, TABLE, expired) is None, deadline=60)
    removal = wait_for(
        lambda: _item(cloud, DELIVERIES, {"pk": {"S": "removed-session-expired-1"}}), deadline=30
    )
    assert removal["user_identity"] == {
        "M": {"type": {"S": "Service"}, "principalId": {"S": "dynamodb.amazonaws.com"}}
    }
    assert _item(cloud, TABLE, alive) is not None
    assert _item(cloud, DELIVERIES, {"pk": {"S": "removed-session-alive-1"}}) is None
