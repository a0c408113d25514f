"""moto's handler method names, listed once per class instead of on every request.

`BaseResponse.call_action` asks `method_names_from_class(type(self))` (an `inspect.getmembers` walk
over a few hundred attributes, 3-4 % of the engine's CPU) whether the action is a method of its
handler. The answer changes only if a class gains or loses a function: the layer and the journal
replace existing methods at the engine's start, before any request, and add none.
"""

from __future__ import annotations

import functools

from moto.core import responses as moto_responses
from moto.core.utils import method_names_from_class

from localcloud.layer.patching import Patches


@functools.cache
def _names(clazz: type) -> frozenset[str]:
    return frozenset(method_names_from_class(clazz))


def handler_method_names(clazz: object) -> frozenset[str]:
    return _names(clazz) if isinstance(clazz, type) else frozenset(method_names_from_class(clazz))


def patch_handler_method_names(patches: Patches) -> None:
    _names.cache_clear()  # a class's functions as they are now (after the layer's patches)
    patches.replace(moto_responses, "method_names_from_class", handler_method_names)
