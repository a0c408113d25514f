"""Time to Live: expired items are deleted, as DynamoDB's background process does (moto never deletes).

The sweeper finds expired items as a Scan filtered by the TTL condition would (reading moto's tables under
the DynamoDB lock) and removes each with a conditional DeleteItem over HTTP, as a client of the engine, so
the deletion takes the very path a client's DeleteItem takes (lock, validation, stream record, the
journal). Its requests carry a header that makes
their stream records say `userIdentity: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from werkzeug.datastructures import Headers

from localcloud.layer.patching import Patches
from localcloud.layer.serialize import DYNAMODB_LOCK
from localcloud.layer.stream_log import SERVICE_IDENTITY, acting_as

log = logging.getLogger("localcloud.ttl")

DEFAULT_INTERVAL_SECONDS = 30.0
SERVICE_HEADER = "X-Localcloud-Service-Principal"
# DynamoDB ignores TTL values more than five years in the past (likely not epoch seconds).
OLDEST_SECONDS = 5 * 365 * 24 * 3600


def _header(headers: Any, name: str) -> Any:
    """A header's value by its name in any case (werkzeug's headers look up that way themselves)."""
    if isinstance(headers, Headers):
        return headers.get(name)
    folded = name.lower()
    return next((value for key, value in dict(headers or {}).items() if str(key).lower() == folded), None)


def patch_service_identity(patches: Patches) -> None:
    """Requests from the sweeper append their stream records under DynamoDB's service identity."""
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        if _header(self.headers, SERVICE_HEADER) != SERVICE_IDENTITY["principalId"]:
            return original(self)
        with acting_as(SERVICE_IDENTITY):
            return original(self)

    patches.replace(DynamoHandler, "call_action", call_action)


class TtlSweeper:
    """Every `interval` seconds, deletes the items whose TTL attribute (epoch seconds) is in the past."""

    def __init__(
        self,
        endpoint_url: str,
        region: str,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
        account: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self.region = region
        self.account = account
        self.interval = interval
        self.clock = clock
        self.deleted = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.client: Any = boto3.client(
            "dynamodb",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 2}),
        )
        self.client.meta.events.register("before-sign.dynamodb.DeleteItem", _mark_as_service)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ttl-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:
                log.exception("TTL sweep failed")

    def sweep(self) -> int:
        """One pass over every table with TTL enabled; returns how many items it deleted."""
        deleted = 0
        for table, expired, keys in self._expired_items():
            if self._stop.is_set():
                break
            deleted += self._delete(table, expired, keys)
        self.deleted += deleted
        return deleted

    def _expired_items(self) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
        """Per table with TTL enabled (in ListTables order): the delete's condition, and the keys of the
        items that a Scan filtered by that condition returns (in the Scan's order).

        Read from moto's backend under the DynamoDB lock, as the Scan would read it, without a Scan's
        copy of every item of the table (a sweep's Scans were 2 % of the engine's CPU under the booking
        bench), nor the ListTables and Describe calls. The deletion is still a client's DeleteItem."""
        now = int(self.clock())
        found: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
        with DYNAMODB_LOCK:
            backend = dynamodb_backends[self.account][self.region]
            for name, table in list(backend.tables.items()):
                if table.ttl.get("TimeToLiveStatus") != "ENABLED":
                    continue
                expired = _expired_condition(str(table.ttl["AttributeName"]), now)
                condition = get_filter_expression(
                    expired["ConditionExpression"],
                    expired["ExpressionAttributeNames"],
                    expired["ExpressionAttributeValues"],
                )
                keys = [_key_of(table, item) for item in table.all_items() if condition.expr(item)]
                found.append((name, expired, keys))
        return found

    def _delete(self, table: str, expired: dict[str, Any], keys: list[dict[str, Any]]) -> int:
        deleted = 0
        for key in keys:
            try:
                # The condition again: an item whose TTL was extended since it was found stays.
                self.client.delete_item(TableName=table, Key=key, **expired)
                deleted += 1
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        if deleted:
            log.info("TTL deleted %d expired items from %s", deleted, table)
        return deleted


def _expired_condition(attribute: str, now: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "#ttl BETWEEN :oldest AND :now",
        "ExpressionAttributeNames": {"#ttl": attribute},
        "ExpressionAttributeValues": {":oldest": {"N": str(now - OLDEST_SECONDS)}, ":now": {"N": str(now)}},
    }


def _key_of(table: Table, item: Item) -> dict[str, Any]:
    key = {table.hash_key_attr: item.hash_key.to_json()}
    if table.range_key_attr is not None and item.range_key is not None:
        key[table.range_key_attr] = item.range_key.to_json()
    return key


def _mark_as_service(request: Any, **_: Any) -> None:
    request.headers[SERVICE_HEADER] = SERVICE_IDENTITY["principalId"]
