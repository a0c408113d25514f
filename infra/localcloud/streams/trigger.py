"""A stream trigger's settings, as the template's AWS::Lambda::EventSourceMapping declares them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localcloud.template.errors import TemplateError


@dataclass(frozen=True)
class StreamTrigger:
    """One event-source mapping from a table's stream to a function."""

    logical_id: str
    function_name: str
    table_name: str
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    maximum_retry_attempts: int = -1  # -1: retry until the record expires, as AWS does
    bisect_on_error: bool = False
    report_batch_item_failures: bool = False
    on_failure_queue_url: str | None = None
    on_failure_arn: str | None = None
    enabled: bool = True
    function_response_types: list[str] = field(default_factory=list)
    filters: list[dict[str, Any]] = field(default_factory=list)  # FilterCriteria patterns, parsed
    # Batches of the shard in flight at once (1-10); records of one partition key stay in order.
    parallelization_factor: int = 1
    # `MaximumBatchingWindowInSeconds` (0-300): how long the poller may gather records before invoking.
    batching_window_seconds: int = 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StreamTrigger:
        return cls(**data)


def parallelization_factor(logical_id: str, properties: dict[str, Any]) -> int:
    """`ParallelizationFactor` of an event-source mapping: 1 by default, 1-10 as Lambda accepts."""
    value = properties.get("ParallelizationFactor", 1)
    try:
        factor = int(value)
    except (TypeError, ValueError):
        factor = 0
    if not 1 <= factor <= 10:
        raise TemplateError(
            f"{logical_id}: ParallelizationFactor must be a number from 1 to 10, not {value!r}"
        )
    return factor


def batching_window(logical_id: str, properties: dict[str, Any]) -> int:
    """`MaximumBatchingWindowInSeconds` of an event-source mapping: 0 by default for streams, 0-300."""
    value = properties.get("MaximumBatchingWindowInSeconds", 0)
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = -1
    if not 0 <= seconds <= 300 or str(seconds) != str(value).strip():
        raise TemplateError(
            f"{logical_id}: MaximumBatchingWindowInSeconds must be a whole number of seconds from 0 to 300, "
            f"not {value!r}"
        )
    return seconds
