"""Time to Live: expired items are deleted, as DynamoDB's background process does (moto never deletes).

The sweeper is a client of the engine: it finds expired items with a Scan and removes each with a
conditional DeleteItem over HTTP, so the deletion takes the very path a client's DeleteItem takes (lock,
validation, stream record, the journal). Its requests carry a header that makes
their stream records say `userIdentity: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.dynamodb.responses import DynamoHandler
from werkzeug.datastructures import Headers

from localcloud.layer.patching import Patches
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
    ) -> None:
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
        for table in self._tables():
            if self._stop.is_set():
                break
            attribute = self._ttl_attribute(table)
            if attribute is not None:
                deleted += self._sweep_table(table, attribute)
        self.deleted += deleted
        return deleted

    def _tables(self) -> Iterator[str]:
        request: dict[str, Any] = {}
        while True:
            page = self.client.list_tables(**request)
            yield from page.get("TableNames", [])
            if "LastEvaluatedTableName" not in page:
                return
            request["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]

    def _ttl_attribute(self, table: str) -> str | None:
        try:
            ttl = self.client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        except ClientError:
            return None  # deleted meanwhile
        if ttl.get("TimeToLiveStatus") != "ENABLED":
            return None
        return str(ttl["AttributeName"])

    def _sweep_table(self, table: str, attribute: str) -> int:
        now = int(self.clock())
        expired: dict[str, Any] = {
            "ConditionExpression": "#ttl BETWEEN :oldest AND :now",
            "ExpressionAttributeNames": {"#ttl": attribute},
            "ExpressionAttributeValues": {
                ":oldest": {"N": str(now - OLDEST_SECONDS)},
                ":now": {"N": str(now)},
            },
        }
        key_names = [
            k["AttributeName"] for k in self.client.describe_table(TableName=table)["Table"]["KeySchema"]
        ]
        scan: dict[str, Any] = {
            "TableName": table,
            "FilterExpression": expired["ConditionExpression"],
            "ExpressionAttributeNames": {
                **expired["ExpressionAttributeNames"],
                **{f"#k{i}": name for i, name in enumerate(key_names)},
            },
            "ExpressionAttributeValues": expired["ExpressionAttributeValues"],
            "ProjectionExpression": ", ".join(f"#k{i}" for i in range(len(key_names))),
        }
        deleted = 0
        while True:
            page = self.client.scan(**scan)
            for key in page.get("Items", []):
                try:
                    # The condition again: an item whose TTL was extended since the scan stays.
                    self.client.delete_item(TableName=table, Key=key, **expired)
                    deleted += 1
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        if deleted:
            log.info("TTL deleted %d expired items from %s", deleted, table)
        return deleted


def _mark_as_service(request: Any, **_: Any) -> None:
    request.headers[SERVICE_HEADER] = SERVICE_IDENTITY["principalId"]
