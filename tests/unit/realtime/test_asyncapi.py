"""The AsyncAPI document validates against the official AsyncAPI 3.0.0 schema and lists the whole protocol."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from trainbook.realtime.asyncapi import asyncapi_document
from trainbook.realtime.domain import ACTIONS, MESSAGE_KINDS, REPLY_KINDS, TOPICS

SCHEMA = Path(__file__).parents[2] / "support" / "asyncapi" / "asyncapi-3.0.0.schema.json"


def errors_of(document: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [error.message for error in validator.iter_errors(document)]


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_the_document_is_valid_asyncapi_3() -> None:
    assert errors_of(asyncapi_document()) == []


def test_the_schema_check_catches_a_broken_document() -> None:
    broken = asyncapi_document()
    broken["channels"]["run"]["address"] = 42
    del broken["info"]
    assert len(errors_of(broken)) >= 2


def test_every_topic_and_message_kind_is_listed_and_every_reference_resolves() -> None:
    document = asyncapi_document()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert set(TOPICS) <= addresses
    for kind, kinds in MESSAGE_KINDS.items():
        channel = document["channels"][kind]
        assert set(channel["messages"]) == set(kinds)
        for reference in channel["messages"].values():
            message = resolve(document, reference["$ref"])
            assert set(message["payload"]["required"]) == {"topic", "type", "data", "at", "seq"}
    control = document["channels"]["control"]["messages"]
    assert set(control) == set(ACTIONS) | set(REPLY_KINDS)
    for operation in document["operations"].values():
        resolve(document, operation["channel"]["$ref"])
        for reference in operation["messages"]:
            resolve(document, reference["$ref"])
