"""Step Functions' JSONPath expressions are parsed once per text, not at every evaluation.

moto's ASL interpreter calls `jsonpath_ng.ext.parse(path)` each time it evaluates a path (`InputPath`,
`Parameters` bindings, `ResultSelector`, `OutputPath`, Choice variables) and `jsonpath_ng.parse` for each
`ResultPath`. Each call builds a new parser, PLY's LR tables included (4.5 % of the engine's CPU under
the booking bench). A parsed expression is only read afterwards (`find`, `update_or_create` change the
data, never the expression), so one per text serves every execution and thread.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonpath_ng.ext.parser import parse as parse_ext_text
from jsonpath_ng.parser import parse as parse_text
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.utils import json_path

from localcloud.layer.patching import Patches

PARSED_PATHS = 4096  # distinct path texts kept (a template has a few dozen)


@functools.lru_cache(maxsize=PARSED_PATHS)
def parse_extended(path: str) -> Any:
    return parse_ext_text(path)


@functools.lru_cache(maxsize=PARSED_PATHS)
def parse_plain(path: str) -> Any:
    return parse_text(path)


def patch_json_paths(patches: Patches) -> None:
    patches.replace(json_path, "parse", parse_extended)
    patches.replace(result_path, "parse", parse_plain)
