"""The read models' hot reads: items as botocore would hand them back, decoded as PynamoDB decodes them."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser

from trainbook.catalog.domain import LegSpan
from trainbook.projections import reads
from trainbook.projections.search_index import FoundRow, SearchRow
from trainbook.projections.seat_map import Occupant, RunState, SeatMapItem, _entry
from trainbook.projections.seat_map_queries import state_of

# Every attribute type the read models store (no binary), nested as the seat-map items nest them.
ITEM = {
    "run": {"S": "run-3500-2026-11-25"},
    "bookings": {
        "M": {
            "b1": {
                "M": {
                    "v": {"N": "7"},
                    "seats": {"L": [{"S": "05-045"}, {"S": "05-046"}]},
                    "state": {"S": "held"},
                    "gone": {"NULL": True},
                }
            }
        }
    },
    "cancelled": {"BOOL": False},
    "km": {"N": "290.5"},
    "tags": {"SS": ["a", "b"]},
    "counts": {"NS": ["1", "2.5"]},
}


def answer(operation: str, body: dict[str, Any], status: int = 200) -> tuple[Any, dict[str, Any]]:
    """An HTTP answer to a DynamoDB operation, as botocore's endpoint hands it to its parser."""
    model = botocore.session.get_session().get_service_model("dynamodb").operation_model(operation)
    response = {"status_code": status, "headers": {}, "body": json.dumps(body).encode()}
    return model, response


def parsed(operation: str, body: dict[str, Any], hooked: bool, status: int = 200) -> dict[str, Any]:
    """What botocore returns for the answer: with the read client's hook run before its parser, or not."""
    model, response = answer(operation, body, status)
    customized: dict[str, Any] = {}
    if hooked:
        reads._plain_json(response_dict=response, customized_response_dict=customized)
    result: dict[str, Any] = create_parser("json").parse(response, model.output_shape)
    result.update(customized)
    result.pop("ResponseMetadata")
    return result


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("Query", {"Items": [ITEM], "Count": 1, "ScannedCount": 1, "LastEvaluatedKey": {"run": ITEM["run"]}}),
        ("Query", {"Items": [], "Count": 0, "ScannedCount": 0}),
        (
            "BatchGetItem",
            {
                "Responses": {"seat-map": [ITEM]},
                "UnprocessedKeys": {"seat-map": {"Keys": [{"run": {"S": "run-1"}}]}},
            },
        ),
    ],
)
def test_a_read_answer_is_what_botocore_parses_it_to(operation: str, body: dict[str, Any]) -> None:
    assert parsed(operation, body, hooked=True) == parsed(operation, body, hooked=False)


def test_an_error_answer_is_left_to_botocore() -> None:
    error = {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "no table"}
    _, response = answer("Query", error, status=400)
    customized: dict[str, Any] = {}
    reads._plain_json(response_dict=response, customized_response_dict=customized)
    assert customized == {}
    assert json.loads(response["body"]) == error


def test_a_number_reads_as_pynamodb_reads_it() -> None:
    for text in ("0", "7", "-3", "1764000000", "290.5", "3.0", "1E+2", "12345678901234567890"):
        number = reads.attribute_number({"N": text})
        assert number == json.loads(text) and type(number) is type(json.loads(text)), text


class FakeClient:
    """A DynamoDB client answering from a list of prepared answers, recording what it was asked."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.asked: list[dict[str, Any]] = []

    def query(self, **request: Any) -> dict[str, Any]:
        self.asked.append(json.loads(json.dumps(request)))
        return self.answers.pop(0)

    def batch_get_item(self, **request: Any) -> dict[str, Any]:
        return self.query(**request)


def test_a_query_reads_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    last = {"route": {"S": "WAW#KRK#2026-11-25"}, "departure": {"S": "06:15#run-1"}}
    client = FakeClient(
        [{"Items": [{"n": {"N": "1"}}], "LastEvaluatedKey": last}, {"Items": [{"n": {"N": "2"}}]}]
    )
    monkeypatch.setattr(reads, "_client", lambda: client)
    items = list(reads.query_items("search-index", "route", "WAW#KRK#2026-11-25"))
    assert items == [{"n": {"N": "1"}}, {"n": {"N": "2"}}]
    assert "ExclusiveStartKey" not in client.asked[0]
    assert client.asked[1]["ExclusiveStartKey"] == last


def test_a_batch_get_asks_again_for_unprocessed_keys_and_at_most_100_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = [f"run-{n:03d}" for n in range(101)]
    client = FakeClient(
        [
            {
                "Responses": {"t": [{"run": {"S": r}} for r in runs[1:100]]},
                "UnprocessedKeys": {"t": {"Keys": [{"run": {"S": runs[0]}}]}},
            },
            {"Responses": {"t": [{"run": {"S": runs[0]}}]}, "UnprocessedKeys": {}},
            {"Responses": {"t": []}},  # run-100 does not exist
        ]
    )
    monkeypatch.setattr(reads, "_client", lambda: client)
    found = [item["run"]["S"] for item in reads.batch_get_items("t", "run", [*runs, runs[0]])]
    assert sorted(found) == runs[:100]
    assert [len(a["RequestItems"]["t"]["Keys"]) for a in client.asked] == [100, 1, 1]


def test_a_search_row_reads_as_its_pynamodb_model_reads_it() -> None:
    for upstream in (["GDG", "WAW"], None):
        row = SearchRow(
            "WAW#KRK#2026-11-25",
            "06:15#run-3500-2026-11-25",
            run_id="run-3500-2026-11-25",
            train="EIP 3500 Sedina",
            category="EIP",
            composition="ED250",
            departs_at="2026-11-25T06:15:00+01:00",
            arrives_at="2026-11-25T08:40:00+01:00",
            first_leg=2,
            end_leg=5,
            distance_km=290.5,
            first_class_seats=57,
            second_class_seats=345,
            version=3,
            upstream=upstream,
        )
        raw = row.serialize()
        model = SearchRow.from_raw_data(raw)
        found = FoundRow.of(raw)
        assert (found.run_id, found.train, found.category, found.composition) == (
            model.run_id,
            model.train,
            model.category,
            model.composition,
        )
        assert (found.departs_at, found.arrives_at) == (model.departs_at, model.arrives_at)
        assert found.span == LegSpan(int(model.first_leg), int(model.end_leg))
        assert found.distance_km == float(model.distance_km) == 290.5
        assert (found.first_class_seats, found.second_class_seats) == (57, 345)
        assert found.upstream == (model.upstream or ["WAW"])  # a row without upstream: its origin alone


def test_a_seat_map_item_reads_back_as_the_occupants_and_status_it_was_written_with() -> None:
    occupants = [
        Occupant("b1", 4, ("05-045", "05-046"), LegSpan(0, 3), "held", 1_764_000_600),
        Occupant("b2", 9, ("01-011",), LegSpan(2, 5), "sold", 0),
        Occupant("b0", 6, ("05-047",), LegSpan(0, 1), "released", 0),
    ]
    item = SeatMapItem(
        "run-3500-2026-11-25",
        bookings={o.booking: _entry(o) for o in occupants},
        cancelled=True,
        cancelled_v=3,
        delays={"WAW": {"m": 25, "v": 5}, "GDG": {"m": 0, "v": 2}},
    )
    state = state_of(item.serialize())
    assert state == RunState(sorted(occupants, key=lambda o: o.booking), True, {"WAW": 25, "GDG": 0})


def test_a_seat_map_item_without_maps_or_status_reads_as_an_empty_live_run() -> None:
    assert state_of({"run": {"S": "run-1"}}) == RunState([], False, {})
    assert state_of({"run": {"S": "run-1"}, "bookings": {"NULL": True}, "delays": {"M": {}}}) == RunState(
        [], False, {}
    )
