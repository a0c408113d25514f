"""A subscription filter's `FilterPattern`, as CloudWatch Logs matches it against one log event.

Emulated: the empty pattern (every event) and JSON patterns: `{ SELECTOR OP VALUE }` with a selector
`$.a`, `$.a.b`, `$.a[0]`; `=` / `!=` against a string (`"x"`, or a bare word; `*` is a wildcard in both)
or a number, `<`, `<=`, `>`, `>=` against a number; terms combined with `&&`, `||` (`&&` binds tighter)
and parentheses. A JSON pattern matches only an event whose whole message is a JSON object. Anything else
(text terms, space-delimited `[...]` patterns, `IS NULL`, `EXISTS`, `[*]`) raises `UnsupportedPattern` when
the filter is built, so a pattern is never silently read as "match nothing".

The test runs on the invocation path, so each pattern has a cheap pre-check (the line looks like a JSON
object and holds the literal text every match needs) before the line is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<punct>&&|\|\||!=|<=|>=|[{}()=<>])
      | (?P<selector>\$(?:\.[A-Za-z0-9_@-]+|\[\d+\])*)
      | "(?P<quoted>(?:[^"\\]|\\.)*)"
      | (?P<bare>[^\s{}()=<>!&|"]+)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
_SELECTOR_STEP = re.compile(r"\.([A-Za-z0-9_@-]+)|\[(\d+)\]")
_MISSING = object()
# Literal text that appears unchanged in any JSON encoding of a string holding it.
_PLAIN_NEEDLE = re.compile(r"[ !#-.0-\[\]-~]+")

Test = Callable[[Any], bool]


class UnsupportedPattern(ValueError):
    """A FilterPattern this emulation does not implement."""


@dataclass(frozen=True)
class FilterPattern:
    """A compiled pattern: `matches(line)` for one line; `test(document)` for a line parsed once."""

    text: str
    everything: bool
    test: Test
    needles: tuple[str, ...] = ()

    def might_match(self, line: str) -> bool:
        """The cheap part: False only for a line that cannot match."""
        return line.lstrip()[:1] == "{" and all(needle in line for needle in self.needles)

    def matches(self, line: str) -> bool:
        if self.everything:
            return True
        if not self.might_match(line):
            return False
        document = parse_object(line)
        return document is not None and self.test(document)


def parse_object(line: str) -> dict[str, Any] | None:
    """The line as a JSON object, or None if it is not one."""
    try:
        document = json.loads(line)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def compile_pattern(text: str) -> FilterPattern:
    """Raise UnsupportedPattern (naming the pattern) for anything not emulated."""
    stripped = text.strip()
    if not stripped:
        return FilterPattern(text, True, lambda _: True)
    if not (stripped.startswith("{") and stripped.endswith("}")):
        raise UnsupportedPattern(
            f"FilterPattern {text!r} is not supported locally: only the empty pattern and JSON patterns "
            "({ $.field = value }) are emulated"
        )
    try:
        parser = _Parser(_tokens(stripped[1:-1]))
        test, needles = parser.expression()
        if parser.position != len(parser.tokens):
            raise UnsupportedPattern(f"unexpected {parser.tokens[parser.position][1]!r}")
    except UnsupportedPattern as error:
        raise UnsupportedPattern(f"FilterPattern {text!r} is not supported locally: {error}") from None
    return FilterPattern(text, False, test, needles)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise UnsupportedPattern(f"cannot read {text[position:].strip()!r}")
        kind = str(found.lastgroup)
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    """expression := conjunction ('||' conjunction)*; conjunction := term ('&&' term)*;
    term := '(' expression ')' | selector operator value. Each returns (test, needles)."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise UnsupportedPattern("the pattern ends too early")
        self.position += 1
        return token

    def expression(self) -> tuple[Test, tuple[str, ...]]:
        alternatives = [self._conjunction()]
        while self._peek() == ("punct", "||"):
            self._take()
            alternatives.append(self._conjunction())
        if len(alternatives) == 1:
            return alternatives[0]
        tests = [test for test, _ in alternatives]
        return (lambda document: any(test(document) for test in tests)), ()

    def _conjunction(self) -> tuple[Test, tuple[str, ...]]:
        terms = [self._term()]
        while self._peek() == ("punct", "&&"):
            self._take()
            terms.append(self._term())
        if len(terms) == 1:
            return terms[0]
        tests = [test for test, _ in terms]
        return (lambda document: all(test(document) for test in tests)), tuple(
            needle for _, needles in terms for needle in needles
        )

    def _term(self) -> tuple[Test, tuple[str, ...]]:
        kind, value = self._take()
        if (kind, value) == ("punct", "("):
            inner = self.expression()
            if self._take() != ("punct", ")"):
                raise UnsupportedPattern("a '(' is not closed")
            return inner
        if kind != "selector":
            raise UnsupportedPattern(f"expected a selector such as $.field, found {value!r}")
        path = _selector_path(value)
        operator_kind, operator = self._take()
        if operator_kind != "punct" or operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise UnsupportedPattern(f"operator {operator!r} after {value} is not emulated")
        value_kind, operand = self._take()
        if value_kind not in ("quoted", "bare"):
            raise UnsupportedPattern(f"expected a value after {value} {operator}, found {operand!r}")
        return _comparison(path, operator, value_kind, operand)


def _selector_path(selector: str) -> tuple[str | int, ...]:
    steps = tuple(name if name else int(index) for name, index in _SELECTOR_STEP.findall(selector[1:]))
    if not steps:
        raise UnsupportedPattern(f"selector {selector!r} names no field")
    return steps


def _lookup(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(document, list) or step >= len(document):
                return _MISSING
            document = document[step]
        elif isinstance(document, dict) and step in document:
            document = document[step]
        else:
            return _MISSING
    return document


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparison(
    path: tuple[str | int, ...], operator: str, kind: str, operand: str
) -> tuple[Test, tuple[str, ...]]:
    if kind == "bare" and _NUMBER.match(operand):
        number = float(operand)
        compare: Callable[[float], bool] = {
            "=": lambda found: found == number,
            "!=": lambda found: found != number,
            "<": lambda found: found < number,
            "<=": lambda found: found <= number,
            ">": lambda found: found > number,
            ">=": lambda found: found >= number,
        }[operator]

        def numeric(document: Any) -> bool:
            found = _lookup(document, path)
            return _is_number(found) and compare(found)

        return numeric, ()
    if operator not in ("=", "!="):
        raise UnsupportedPattern(f"{operator} needs a number, not {operand!r}")
    if kind == "bare" and operand in ("true", "false", "null"):
        raise UnsupportedPattern(f"{operand} (CloudWatch's IS TRUE / IS FALSE / IS NULL) is not emulated")
    try:
        text = str(json.loads(f'"{operand}"')) if kind == "quoted" else operand
    except ValueError:
        raise UnsupportedPattern(f"cannot read the string {operand!r}") from None
    if "*" in text:
        wildcard = re.compile(".*".join(re.escape(part) for part in text.split("*")), re.DOTALL)
        equal: Callable[[str], bool] = lambda found: wildcard.fullmatch(found) is not None  # noqa: E731
    else:
        equal = text.__eq__
    if operator == "=":

        def string_equal(document: Any) -> bool:
            found = _lookup(document, path)
            return isinstance(found, str) and equal(found)

        longest = max(text.split("*"), key=len)
        plain = longest if _PLAIN_NEEDLE.fullmatch(longest) else ""
        return string_equal, (plain,) if plain else ()

    def string_differs(document: Any) -> bool:
        found = _lookup(document, path)
        return found is not _MISSING and not (isinstance(found, str) and equal(found))

    return string_differs, ()
