"""The correctness layer over moto's DynamoDB: install it in the process that runs moto's backends."""

from __future__ import annotations

from localcloud.layer.partition_query import patch_partition_query
from localcloud.layer.patching import Patches
from localcloud.layer.serialize import DYNAMODB_LOCK, patch_serialized_requests
from localcloud.layer.stream_log import patch_stream_log
from localcloud.layer.transactions import patch_item_level_transactions

__all__ = ["DYNAMODB_LOCK", "install"]


def install() -> Patches:
    """Apply every fix from EMULATION_NOTES (defects 1-5); `.undo()` restores unpatched moto."""
    patches = Patches()
    patch_serialized_requests(patches)
    patch_item_level_transactions(patches)
    patch_partition_query(patches)
    patch_stream_log(patches)
    return patches
