"""The line a Lambda worker reads is `json.dumps` of its request, whether the event came encoded or not."""

from __future__ import annotations

import json

from localcloud.runtime.worker import EncodedEvent, event_of, request_line

ARN = "arn:aws:lambda:eu-central-1:123456789012:function:trainbook-dev-hold-seats"


def expected(event: object, deadline: float) -> bytes:
    request = {"id": "r-1", "request_id": "r-1", "event": event, "function_arn": ARN, "deadline": deadline}
    return (json.dumps(request) + "\n").encode()


def test_a_plain_event_is_encoded_as_json_dumps_of_the_request() -> None:
    for event in ({"bookingId": "b-1", "seats": ["12A"], "price": 12.5}, [1, "two"], "x", None, {}):
        assert request_line("r-1", event, ARN, 1764633600.123456) == expected(event, 1764633600.123456)


def test_an_encoded_event_is_spliced_as_its_text() -> None:
    event = {"Records": [{"k": "é\n\u2028"}], "n": 1.5}
    line = request_line("r-1", EncodedEvent(event, json.dumps(event)), ARN, 1764633600.5)
    assert line == expected(event, 1764633600.5)
    assert line.count(b"\n") == 1
    assert json.loads(line)["event"] == event


def test_an_encoded_event_reads_as_the_event_it_holds() -> None:
    event = {"Records": [{"eventName": "INSERT"}]}
    encoded = EncodedEvent(event, json.dumps(event))
    assert encoded == event
    assert encoded["Records"][0]["eventName"] == "INSERT"
    assert json.dumps(encoded) == encoded.text


def test_a_payload_s_event_keeps_its_text_when_the_request_line_can_carry_it() -> None:
    one_line = '{"bookingId": "b-1",\t"n": 1.50, "s": "a\\nb"}'
    event = event_of(one_line)
    assert isinstance(event, EncodedEvent) and event.text == one_line
    assert event == json.loads(one_line)
    assert json.loads(request_line("r-1", event, ARN, 1.0))["event"] == json.loads(one_line)
    for payload, expected in [("", {}), ('{\n"a": 1}', {"a": 1}), ("[1, 2]", [1, 2]), ('"text"', "text")]:
        parsed = event_of(payload)
        assert parsed == expected and not isinstance(parsed, EncodedEvent)
        assert request_line("r-1", parsed, ARN, 1.0).count(b"\n") == 1


def test_an_encoded_event_with_other_than_ascii_is_encoded_as_json_dumps_does() -> None:
    event = {"name": "Żółć"}
    line = request_line("r-1", EncodedEvent(event, '{"name": "Żółć"}'), ARN, 2.0)
    assert line == expected(event, 2.0) and line.isascii()
