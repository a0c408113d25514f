"""Lambda entry point: the search counter, fed by a CloudWatch Logs subscription on the query function's
log group (template.yaml `SearchesSubscription`, matching `{ $.message = "search" }`).

CloudWatch Logs invokes it asynchronously with `{"awslogs": {"data": <base64 of gzipped JSON>}}`; a
failure makes Lambda retry the same delivery, and every line is counted once (`store.count_searches`).
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.analytics.domain import searches_in
from trainbook.analytics.store import count_searches as add_searches

logger = Logger(service="analytics")


@logger.inject_lambda_context
def count_searches(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    delivery = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if delivery.get("messageType") != "DATA_MESSAGE":
        return {"lines": 0, "counted": 0}  # CONTROL_MESSAGE: CloudWatch Logs checking the destination
    logged = delivery.get("logEvents") or []
    lines = searches_in((str(e["id"]), str(e["message"])) for e in logged)
    counted = add_searches(lines)
    # Not a search line per call: this function's own log group has no subscription.
    logger.info("searches counted", extra={"lines": len(logged), "searches": len(lines), "counted": counted})
    return {"lines": len(logged), "counted": counted}
