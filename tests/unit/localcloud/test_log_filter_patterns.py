"""Subscription filter patterns match log lines as CloudWatch Logs does, and unknown syntax is refused."""

from __future__ import annotations

import json

import pytest

from localcloud.logs.patterns import UnsupportedPattern, compile_pattern

SEARCH = json.dumps({"message": "search", "origin": "KRK", "legs": 2, "user": {"tier": "gold"}})
BOOKING = json.dumps({"message": "booking", "origin": "WAW", "legs": 5})


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ('{ $.message = "search" }', SEARCH, True),
        ('{ $.message = "search" }', BOOKING, False),
        ('{$.message="search"}', SEARCH, True),
        ("{ $.message = search }", SEARCH, True),
        ("{ $.message = sea* }", SEARCH, True),
        ('{ $.message = "*arch" }', SEARCH, True),
        ("{ $.message = sea* }", BOOKING, False),
        ('{ $.user.tier = "gold" }', SEARCH, True),
        ('{ $.user.tier = "silver" }', SEARCH, False),
        ("{ $.legs = 2 }", SEARCH, True),
        ("{ $.legs = 2.0 }", SEARCH, True),
        ("{ $.legs > 3 }", SEARCH, False),
        ("{ $.legs > 3 }", BOOKING, True),
        ("{ $.legs <= 2 }", SEARCH, True),
        ("{ $.legs != 2 }", BOOKING, True),
        ('{ $.message != "search" }', BOOKING, True),
        ('{ $.message != "search" }', SEARCH, False),
        ('{ $.missing != "x" }', SEARCH, False),
        ("{ $.origin = 2 }", SEARCH, False),
        ('{ $.message = "search" && $.origin = "KRK" }', SEARCH, True),
        ('{ $.message = "search" && $.origin = "WAW" }', SEARCH, False),
        ('{ $.message = "search" || $.origin = "WAW" }', BOOKING, True),
        ('{ ($.legs = 2 || $.legs = 5) && $.origin = "WAW" }', BOOKING, True),
        ('{ ($.legs = 2 || $.legs = 5) && $.origin = "WAW" }', SEARCH, False),
        ('{ $.items[1] = "b" }', json.dumps({"items": ["a", "b"]}), True),
        ('{ $.message = "search" }', "search started", False),
        ('{ $.message = "search" }', '["search"]', False),
        ('{ $.message = "search" }', '{"message": "search"', False),
        ('{ $.message = "zażółć" }', json.dumps({"message": "zażółć"}), True),
        ('{ $.message = "a/b" }', json.dumps({"message": "a/b"}).replace("/", "\\/"), True),
        ("{ $.sourceIPAddress != 123.123.* }", json.dumps({"sourceIPAddress": "10.0.0.1"}), True),
        ("{ $.sourceIPAddress != 123.123.* }", json.dumps({"sourceIPAddress": "123.123.4.5"}), False),
        ("", "any line at all", True),
        ("   ", "START RequestId: 1", True),
    ],
)
def test_a_pattern_matches_what_cloudwatch_would_deliver(pattern: str, line: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(line) is expected


def test_the_pre_check_skips_a_line_without_the_literal_a_match_needs() -> None:
    pattern = compile_pattern('{ $.message = "search" && $.legs > 1 }')

    assert pattern.might_match(BOOKING) is False
    assert pattern.might_match(SEARCH) is True
    assert pattern.might_match("plain text with search in it") is False


@pytest.mark.parametrize(
    "pattern",
    [
        "ERROR",
        '"search"',
        "[ip, user, status = 404]",
        "{ $.message IS NULL }",
        "{ $.message NOT EXISTS }",
        "{ $.flag = true }",
        '{ $.message < "x" }',
        '{ $.message = "search" ',
        '{ ($.message = "search" }',
        "{ $.items[*] = 1 }",
        '{ $ = "x" }',
        "{ }",
    ],
)
def test_an_unsupported_pattern_is_refused_naming_it(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern) as refused:
        compile_pattern(pattern)

    assert repr(pattern) in str(refused.value)
