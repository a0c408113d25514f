"""Provisioning updates a function that exists already only when the template says something else."""

from __future__ import annotations

from typing import Any

from localcloud.provision import _function_changed

WANTED: dict[str, Any] = {
    "Runtime": "python3.11",
    "Handler": "app.handler",
    "Timeout": 10,
    "MemorySize": 256,
    "Environment": {"Variables": {"TABLE": "t"}},
}


def test_the_same_configuration_is_not_updated() -> None:
    current = {**WANTED, "FunctionName": "f", "LastModified": "2026-12-01"}
    assert not _function_changed(current, WANTED)


def test_a_changed_setting_or_variable_is_updated() -> None:
    assert _function_changed({**WANTED, "Timeout": 3}, WANTED)
    assert _function_changed({**WANTED, "Environment": {"Variables": {"TABLE": "old"}}}, WANTED)
    assert _function_changed({k: v for k, v in WANTED.items() if k != "Environment"}, WANTED)


def test_no_variables_on_either_side_is_no_change() -> None:
    wanted = {**WANTED, "Environment": {"Variables": {}}}
    assert not _function_changed({k: v for k, v in WANTED.items() if k != "Environment"}, wanted)
