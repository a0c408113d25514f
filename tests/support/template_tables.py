"""Create the DynamoDB tables exactly as template.yaml declares them, for tests on moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"

# The environment variable through which the code finds each table, as template.yaml sets it.
TABLE_VARIABLES = {
    "EVENTS_TABLE": "EventsTable",
    "INVENTORY_TABLE": "InventoryTable",
    "SEARCH_INDEX_TABLE": "SearchIndexTable",
    "SEAT_MAP_TABLE": "SeatMapTable",
    "USER_BOOKINGS_TABLE": "UserBookingsTable",
    "SALES_TABLE": "SalesTable",
    "RUN_BOOKINGS_TABLE": "RunBookingsTable",
    "CHANGE_LOG_TABLE": "ChangeLogTable",
    "NOTIFICATIONS_TABLE": "NotificationsTable",
    "ANALYTICS_TABLE": "AnalyticsTable",
    "SEARCH_STATS_TABLE": "SearchStatsTable",
    "USERS_TABLE": "UsersTable",
    "PAYMENTS_TABLE": "PaymentsTable",
    "TICKETS_TABLE": "TicketsTable",
    "CONNECTIONS_TABLE": "ConnectionsTable",
    "TOPICS_TABLE": "TopicsTable",
}


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags (!Ref, !Sub, !GetAtt ...) as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


def declared_tables() -> dict[str, dict[str, Any]]:
    resources = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)["Resources"]
    return {rid: r["Properties"] for rid, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"}


def create_tables(names: dict[str, str]) -> None:
    """Create every declared table named in `names` (logical id -> table name)."""
    client = boto3.client("dynamodb")
    for logical_id, props in declared_tables().items():
        if logical_id not in names:
            continue
        request: dict[str, Any] = {
            "TableName": names[logical_id],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for key in ("GlobalSecondaryIndexes", "StreamSpecification"):
            if key in props:
                request[key] = props[key]
        if "StreamSpecification" in request:
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        client.create_table(**request)
