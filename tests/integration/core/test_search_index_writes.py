"""The search index writes a run's rows in one transaction and keeps every row's newer-version guard."""

from __future__ import annotations

import dataclasses

import pytest

from tests.support.builders import RUN, scheduled_run
from trainbook.eventstore.events import RecordedEvent
from trainbook.projections.search_index import SearchIndexProjection, SearchRow

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def scheduled() -> RecordedEvent:
    return scheduled_run()


def rows() -> dict[tuple[str, str], dict[str, object]]:
    return {(row.route, row.departure): row.attribute_values for row in SearchRow.scan()}


def test_a_scheduled_run_writes_one_row_per_ordered_pair_of_its_stations(scheduled: RecordedEvent) -> None:
    SearchIndexProjection().apply(scheduled)

    written = rows()
    assert len(written) > 1
    assert {row["run_id"] for row in written.values()} == {RUN}
    assert {row["version"] for row in written.values()} == {scheduled.version}


def test_redelivery_after_a_partial_write_completes_the_rows_and_changes_nothing_else(
    scheduled: RecordedEvent,
) -> None:
    projection = SearchIndexProjection()
    projection.apply(scheduled)
    complete = rows()
    lost = next(iter(SearchRow.scan()))
    lost.delete()  # as if the first delivery had stopped half-way

    projection.apply(scheduled)
    projection.apply(scheduled)

    assert rows() == complete


def test_an_older_version_never_replaces_a_newer_row(scheduled: RecordedEvent) -> None:
    projection = SearchIndexProjection()
    newer = dataclasses.replace(scheduled, version=scheduled.version + 1)
    projection.apply(newer)
    written = rows()
    first = next(iter(SearchRow.scan()))
    first.delete()

    projection.apply(scheduled)  # late delivery of the older version: only the missing row is written

    after = rows()
    assert after.keys() == written.keys()
    restored = (first.route, first.departure)
    assert after[restored]["version"] == scheduled.version
    assert all(after[key] == written[key] for key in written if key != restored)
