"""Reversible monkey-patches, so contract tests can run the same scenario on patched and unpatched moto."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_INHERITED = object()


class Patches:
    """Remembers every attribute it replaced so `undo` restores moto exactly as shipped."""

    def __init__(self) -> None:
        self._originals: list[tuple[object, str, Any]] = []

    def replace(self, owner: object, name: str, value: Any) -> Any:
        """Set `owner.name = value`; return the attribute it shadows (inherited ones included)."""
        shadowed = getattr(owner, name)
        own = vars(owner).get(name, _INHERITED) if isinstance(owner, type) else shadowed
        self._originals.append((owner, name, own))
        setattr(owner, name, value)
        return shadowed

    def undo(self) -> None:
        for owner, name, own in reversed(self._originals):
            if own is _INHERITED:
                delattr(owner, name)
            else:
                setattr(owner, name, own)
        self._originals.clear()


@contextmanager
def applied(*installs: Callable[[Patches], object]) -> Iterator[Patches]:
    """The patches `installs` make, in force inside the block and undone after it (as it ends or raises)."""
    patches = Patches()
    try:
        for install in installs:
            install(patches)
        yield patches
    finally:
        patches.undo()
