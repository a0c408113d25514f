"""Table names come from their environment variables: an unset one is a clear error, never a default."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pynamodb.models import Model

import trainbook
from tests.support.template_tables import TABLE_VARIABLES
from trainbook.eventstore.store import EventRecord, EventStore
from trainbook.inventory.store import DynamoInventory
from trainbook.tables import MissingTableVariable, TableName


def all_models() -> list[type[Model]]:
    for module in pkgutil.walk_packages(trainbook.__path__, "trainbook."):
        importlib.import_module(module.name)
    found: list[type[Model]] = []
    pending = list(Model.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("trainbook."):
            found.append(model)
    return found


@pytest.fixture
def no_table_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in TABLE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def test_a_model_reads_its_table_name_from_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_TABLE", "trainbook-prod-events")

    assert EventRecord.Meta.table_name == "trainbook-prod-events"


@pytest.mark.usefixtures("no_table_variables")
def test_using_a_model_without_its_variable_names_the_missing_variable() -> None:
    with pytest.raises(MissingTableVariable, match="environment variable EVENTS_TABLE is not set"):
        list(EventRecord.query("booking-b1"))


@pytest.mark.usefixtures("no_table_variables")
def test_an_empty_variable_is_missing_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_TABLE", "")

    with pytest.raises(MissingTableVariable) as caught:
        EventRecord.get("booking-b1", 1)

    assert caught.value.variable == "EVENTS_TABLE"


@pytest.mark.usefixtures("no_table_variables")
def test_the_inventory_without_its_variable_names_the_missing_variable() -> None:
    with pytest.raises(MissingTableVariable, match="INVENTORY_TABLE is not set"):
        DynamoInventory(EventStore(), client=object())


@pytest.mark.usefixtures("no_table_variables")
def test_no_model_has_a_default_table_name() -> None:
    models = all_models()
    named: dict[str, str] = {}
    for model in models:
        with pytest.raises(MissingTableVariable) as caught:
            _ = model.Meta.table_name
        named[model.__name__] = caught.value.variable

    assert len(models) >= 10
    assert set(named.values()) <= set(TABLE_VARIABLES)


def test_every_table_variable_of_the_code_is_one_the_template_sets() -> None:
    variables = {
        meta_value.variable
        for model in all_models()
        for meta_value in vars(model.Meta).values()
        if isinstance(meta_value, TableName)
    }

    assert variables <= set(TABLE_VARIABLES)


def test_the_cli_names_a_missing_table_variable_in_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from trainbook_cli.main import main

    monkeypatch.delenv("EVENTS_TABLE", raising=False)
    monkeypatch.setattr("sys.argv", ["trainbook", "replay", "all"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "EVENTS_TABLE is not set" in err
    assert "Traceback" not in err
