"""The Events stream's filters against what each consumer does: a record a trigger's FilterCriteria drops
must be one its function does nothing with.

Every consumer of the Events stream in template.yaml is given the records of runs opened for sale (the
1 600 records of a 30-day window at every fresh start). A consumer whose filter drops them must write
nothing and report nothing failed; a consumer that writes something with them must have a filter that
delivers them. The filters are evaluated by the local cloud's own implementation of Lambda's rules.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest

from localcloud.streams.filtering import delivered
from localcloud.template.loader import load_template
from tests.conftest import TEST_TABLES
from tests.support.streams import FakeContext, stream_records
from timetable_file import location, reading
from trainbook.eventstore.store import EventStore
from trainbook_cli.publish import publish_new_runs

pytestmark = pytest.mark.usefixtures("aws")

TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"


def events_consumers() -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Function logical id -> (handler, filter patterns) for every trigger on the Events table's stream."""
    resources = load_template(TEMPLATE)["Resources"]
    found = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for source in (resource["Properties"].get("Events") or {}).values():
            properties = source.get("Properties", {})
            if source["Type"] == "DynamoDB" and "EventsTable" in json.dumps(properties["Stream"]):
                filters = (properties.get("FilterCriteria") or {}).get("Filters", [])
                patterns = [json.loads(f["Pattern"]) for f in filters]
                found[logical_id] = (resource["Properties"]["Handler"], patterns)
    return found


def handler_of(path: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    module, _, name = path.rpartition(".")
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = getattr(importlib.import_module(module), name)
    return handler


def every_item() -> dict[str, list[dict[str, Any]]]:
    client = boto3.client("dynamodb")
    return {
        os.environ[variable]: client.scan(TableName=os.environ[variable])["Items"]
        for variable in TEST_TABLES
        if variable != "EVENTS_TABLE"
    }


def test_a_consumer_whose_filter_drops_the_runs_opened_for_sale_does_nothing_with_them() -> None:
    timetable = reading.read(location.shipped_timetable_path())
    publish_new_runs(EventStore(), timetable, [date(2026, 12, 14)])
    records = stream_records()
    assert len(records) > 20 and {r["dynamodb"]["NewImage"]["type"]["S"] for r in records} == {
        "TrainRunScheduled"
    }
    consumers = events_consumers()
    assert len(consumers) >= 7  # the projectors, the change reactor and the broadcaster

    dropped_by, writers = [], []
    for logical_id, (handler, patterns) in consumers.items():
        before = every_item()
        answer = handler_of(handler)({"Records": records}, FakeContext())
        wrote = every_item() != before
        if wrote:
            writers.append(logical_id)
        kept = [delivered(record, patterns) for record in records]
        assert len(set(kept)) == 1, f"{logical_id}: its filter keeps some runs opened for sale, not others"
        if not kept[0]:
            dropped_by.append(logical_id)
            assert not wrote, f"{logical_id} writes for runs opened for sale, but its filter drops them"
            assert answer.get("batchItemFailures") == [], logical_id
    # The read models that list runs write them (so a write is seen) and still get them; the rest are not
    # invoked for them at all.
    assert {"SearchIndexProjector", "AnalyticsProjector"} <= set(writers)
    assert {"SearchIndexProjector", "AnalyticsProjector"}.isdisjoint(dropped_by)
    assert {"SeatMapProjector", "ChangesProjector", "ChangeReactor", "BroadcasterFunction"} <= set(dropped_by)
