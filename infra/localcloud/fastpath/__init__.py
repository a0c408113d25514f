"""Speed-ups of the engine's hot paths that give moto's answers unchanged (each proven by a test)."""

from __future__ import annotations

from localcloud.fastpath.json_paths import patch_json_paths
from localcloud.fastpath.json_serializer import patch_json_serializer
from localcloud.layer.patching import Patches


def install(patches: Patches) -> None:
    """Apply every speed-up; `patches.undo()` takes them back with the layer's fixes."""
    patch_json_serializer(patches)
    patch_json_paths(patches)
