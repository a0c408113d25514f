"""moto's modules the engine needs, without the EC2 backend two of them import and never use here.

Importing `moto.ec2` costs about 1.5 CPU-s at every start (its availability zones and regions ask botocore
for every service's endpoints, and it loads the instance types): half of the engine's start. Nothing the
engine serves uses EC2, but two imports pull it in:

- the Step Functions interpreter imports `moto.batch.utils` for one enum (`JobStatus`), and the package
  `moto.batch` imports its models, which import `moto.ec2`;
- `moto.ssm.models` does `from moto.ec2 import ec2_backends`, read only by maintenance-window targets and
  `aws:ec2:image` parameters, which Trainbook's template has none of.

`preload()` runs before any other moto import: the interpreter's Batch task is loaded under a bare
`moto.batch` package (its `__init__` skipped), and `moto.ssm.models` under a `moto.ec2` whose
`ec2_backends` imports the real EC2 backend the first time it is read. Both stand-ins leave
`sys.modules` at once, with the submodules loaded under them, so a later `import moto.batch` or
`import moto.ec2` (a test, another service) gets the whole real package. The Batch task keeps its own
copy of `JobStatus`, which it compares only with the strings of Batch's answers.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()


class LazyBackends:
    """`ec2_backends` as `from moto.ec2 import ec2_backends` would bind it, imported on first use."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _real(self) -> Any:
        return getattr(importlib.import_module(self._module), self._name)

    def __getitem__(self, key: str) -> Any:
        return self._real()[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __iter__(self) -> Any:
        return iter(self._real())

    def __contains__(self, key: object) -> bool:
        return key in self._real()


def _under_stand_in(package: str, stand_in: types.ModuleType, load: Callable[[], object]) -> None:
    """Run `load` while `package` is `stand_in` in `sys.modules`, then forget the stand-in."""
    had = sys.modules.get(package)
    if had is not None:  # the real package is already there: nothing to save
        load()
        return
    parent_name, _, child = package.rpartition(".")
    before = set(sys.modules)
    sys.modules[package] = stand_in
    try:
        load()
    finally:
        for name in set(sys.modules) - before:
            if name == package or name.startswith(f"{package}."):
                del sys.modules[name]
        parent = sys.modules.get(parent_name)
        if parent is not None and getattr(parent, child, None) is stand_in:
            delattr(parent, child)


def _bare_package(package: str) -> types.ModuleType:
    """The package's module object without running its `__init__` (its submodules still import)."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations is not None
    module = types.ModuleType(package)
    module.__path__ = list(spec.submodule_search_locations)
    module.__spec__ = spec
    return module


# The two modules that import moto.ec2's packages for nothing the engine uses.
SFN_BATCH = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_batch"
SSM_MODELS = "moto.ssm.models"


def preload() -> None:
    """Import the Step Functions interpreter's Batch task and `moto.ssm.models` without `moto.ec2`."""
    with _lock:
        if SFN_BATCH not in sys.modules:
            batch = _bare_package("moto.batch")
            _under_stand_in("moto.batch", batch, lambda: importlib.import_module(SFN_BATCH))
        if SSM_MODELS not in sys.modules:
            ec2 = _bare_package("moto.ec2")
            ec2.ec2_backends = LazyBackends("moto.ec2", "ec2_backends")  # type: ignore[attr-defined]
            _under_stand_in("moto.ec2", ec2, lambda: importlib.import_module(SSM_MODELS))
