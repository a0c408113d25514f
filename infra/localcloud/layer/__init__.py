"""The correctness layer over moto's DynamoDB: install it in the process that runs moto's backends."""

from __future__ import annotations

from localcloud.layer.idempotency import patch_client_request_tokens
from localcloud.layer.partition_query import patch_partition_query
from localcloud.layer.patching import Patches
from localcloud.layer.serialize import DYNAMODB_LOCK, patch_serialized_requests
from localcloud.layer.stream_log import patch_stream_log
from localcloud.layer.transactions import patch_item_level_transactions
from localcloud.layer.ttl import patch_service_identity
from localcloud.layer.validation import patch_validation

__all__ = ["DYNAMODB_LOCK", "install"]


def install() -> Patches:
    """Apply every fix (EMULATION_NOTES defects 1-5, then docs/local-cloud.md's DynamoDB differences);
    `.undo()` restores unpatched moto."""
    patches = Patches()
    patch_serialized_requests(patches)
    patch_item_level_transactions(patches)
    patch_partition_query(patches)
    patch_stream_log(patches)
    patch_validation(patches)
    patch_client_request_tokens(patches)
    patch_service_identity(patches)
    return patches
