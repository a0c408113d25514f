"""A DynamoDB update expression is parsed once per text, not at every UpdateItem.

moto tokenizes and parses each `UpdateExpression` twice per update (in the handler, to list the names and
values it uses, then in the backend), for every update of a transaction too: 2.6 % of the engine's CPU
under the booking bench. The tree depends only on the text (names and values stay placeholders until
validation), and nothing writes to it: the handler only lists its clauses, and the backend's
`Validator` deep-copies it before its processors replace nodes. So one tree per text serves every
request and thread; a text that fails to parse is never kept, and fails the same way each time.

The validation itself runs ten tree walkers over that copy, and each asks, at every node, which node
classes it processes: `nodes_to_be_processed()` builds the walker's processing map (a dict of bound
methods) and a tuple of its keys each time (2 % of the engine's CPU). Every walker moto's update
validation uses returns a literal map with fixed classes as keys, so the tuple is kept per walker class;
a walker not in that list asks as moto does.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.dynamodb.parsing import validators
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

from localcloud.layer.patching import Patches

PARSED_EXPRESSIONS = 4096  # distinct texts kept (Trainbook's updates have a few dozen shapes)


def patch_update_expression_parses(patches: Patches) -> None:
    make = UpdateExpressionParser.make  # the bound classmethod

    @functools.lru_cache(maxsize=PARSED_EXPRESSIONS)
    def parsed(expression: str) -> Any:
        return make(expression)

    def remembered_make(cls: type, expression: Any) -> Any:
        if cls is not UpdateExpressionParser or type(expression) is not str:
            return make.__func__(cls, expression)
        return parsed(expression)

    patches.replace(UpdateExpressionParser, "make", classmethod(remembered_make))


# The walkers of moto 5.2.5's `UpdateExpressionValidator`, each checked to return `{Class: self.method}`.
FIXED_MAP_WALKERS = frozenset(
    getattr(validators, name)
    for name in (
        "ActionCountValidator",
        "OverlappingPathsValidator",
        "UpdateHashRangeKeyValidator",
        "ExpressionAttributeValueProcessor",
        "ExpressionAttributeResolvingProcessor",
        "UpdateExpressionFunctionEvaluator",
        "NoneExistingPathChecker",
        "ExecuteOperations",
        "TypeMismatchValidator",
        "EmptyStringKeyValueValidator",
    )
)


def patch_walker_node_kinds(patches: Patches) -> None:
    asked = DepthFirstTraverser.nodes_to_be_processed
    kinds: dict[type, tuple[type, ...]] = {}

    def kept_node_kinds(self: Any) -> tuple[type, ...]:
        walker = type(self)
        found = kinds.get(walker)
        if found is None:
            found = tuple(asked(self))
            if walker in FIXED_MAP_WALKERS:
                kinds[walker] = found
        return found

    patches.replace(DepthFirstTraverser, "nodes_to_be_processed", kept_node_kinds)
