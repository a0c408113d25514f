"""A DynamoDB condition expression is parsed once per request, not two or three times.

moto parses each `ConditionExpression` in the handler (to validate the names and values it uses), then
again in the backend to evaluate it, and a transaction's layer check parses it a third time (together
3-4 % of the engine's CPU under the booking bench). The parse depends only on the expression text, its
`#names` and its `:values`, and the operator tree it returns is only read when evaluated; so each thread
keeps its last few parses by that content. A hit gives the same tree and records the same names and
values as found on the new parser, as moto's parse does; a failing parse is never kept.

Across requests the values differ (a booking id, a version), so the parse itself runs again; its first
step, the lexer (a regular expression per token kind, tried token by token: 3 % of the engine's CPU), reads
only the text. Its tokens are kept per text and each parse gets new ones (new tuples, new empty `children`
lists), equal to what the lexer returns; a text the lexer refuses is refused again every time.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from moto.dynamodb.comparisons import ConditionExpressionParser

from localcloud.layer.patching import Patches

KEPT_PER_THREAD = 32  # a request parses one to a few hundred (a large transaction) distinct conditions

Parsed = tuple[Any, list[str], list[str]]


def patch_condition_parses(patches: Patches) -> None:
    parse: Callable[[ConditionExpressionParser], Any] = ConditionExpressionParser.parse
    kept = threading.local()

    def remembered_parse(self: ConditionExpressionParser) -> Any:
        memo: dict[tuple[Any, str, str], Parsed] | None = getattr(kept, "memo", None)
        if memo is None:
            memo = kept.memo = {}
        key = (
            self.condition_expression,
            repr(self.expression_attribute_names),
            repr(self.expression_attribute_values),
        )
        found = memo.get(key)
        if found is None:
            op = parse(self)
            if len(memo) >= KEPT_PER_THREAD:
                memo.clear()
            memo[key] = (op, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
            return op
        op, names, values = found
        self.expr_attr_names_found.extend(names)
        self.expr_attr_values_found.extend(values)
        return op

    patches.replace(ConditionExpressionParser, "parse", remembered_parse)


LEXED_TEXTS = 4096  # distinct condition texts kept (Trainbook's have a few dozen shapes)


def patch_condition_lexing(patches: Patches) -> None:
    lex: Callable[[ConditionExpressionParser], Any] = ConditionExpressionParser._lex_condition_expression
    token = ConditionExpressionParser.Node
    kept: dict[str, tuple[tuple[Any, Any, Any, Any], ...]] = {}

    def remembered_lex(self: ConditionExpressionParser) -> Any:
        text = self.condition_expression
        tokens = kept.get(text) if type(text) is str else None
        if tokens is None:
            nodes = lex(self)
            if type(text) is not str or any(node.children != [] for node in nodes):
                return nodes  # nothing this path would rebuild as it was
            if len(kept) >= LEXED_TEXTS:
                kept.clear()
            kept[text] = tuple((n.nonterminal, n.kind, n.text, n.value) for n in nodes)
            return nodes
        return deque(token(nonterminal, kind, text_, value, []) for nonterminal, kind, text_, value in tokens)

    patches.replace(ConditionExpressionParser, "_lex_condition_expression", remembered_lex)
