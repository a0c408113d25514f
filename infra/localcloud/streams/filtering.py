"""Event filtering of a stream trigger (`FilterCriteria`), as Lambda applies it before invoking.

A record is delivered when any filter's pattern matches it; records no filter matches are dropped and the
trigger moves past them, as on AWS. The patterns are Lambda's filter rule syntax, the part a template here
uses: nested keys down to a list of accepted values, each an exact value or `{"prefix": ...}`,
`{"anything-but": [...]}` or `{"exists": true|false}`. Anything else is refused when the trigger is built,
so a pattern is never silently read as "match nothing".
"""

from __future__ import annotations

from typing import Any

Pattern = dict[str, Any]

_OPERATORS = {"prefix", "anything-but", "exists"}


def check_pattern(pattern: Pattern) -> None:
    """Raise ValueError on a pattern this emulation does not implement."""
    for value in pattern.values():
        if isinstance(value, dict):
            check_pattern(value)
            continue
        if not isinstance(value, list):
            raise ValueError(f"a filter pattern's leaf is a list of accepted values, not {value!r}")
        for accepted in value:
            if isinstance(accepted, dict) and not set(accepted) <= _OPERATORS:
                raise ValueError(f"filter operator {sorted(set(accepted) - _OPERATORS)} is not emulated")


def delivered(record: dict[str, Any], patterns: list[Pattern]) -> bool:
    """Whether a trigger with these filters invokes its function with this record (no filter: always)."""
    return not patterns or any(_matches(record, pattern) for pattern in patterns)


def _matches(value: Any, pattern: Pattern) -> bool:
    if not isinstance(value, dict):
        return False
    for key, rule in pattern.items():
        present = key in value
        if isinstance(rule, dict):
            # An absent object matches only rules that accept absence ({"exists": false}).
            if not _matches(value[key] if present else {}, rule):
                return False
        elif not any(_accepts(accepted, present, value.get(key)) for accepted in rule):
            return False
    return True


def _accepts(accepted: Any, present: bool, actual: Any) -> bool:
    if not isinstance(accepted, dict):
        return present and actual == accepted
    if "exists" in accepted:
        return present is bool(accepted["exists"])
    if not present:
        return False
    if "prefix" in accepted:
        return isinstance(actual, str) and actual.startswith(accepted["prefix"])
    excluded = accepted["anything-but"]
    return actual not in (excluded if isinstance(excluded, list) else [excluded])
