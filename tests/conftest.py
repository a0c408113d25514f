"""Test-wide settings: never reach real AWS, whatever the developer's shell says."""

from __future__ import annotations

import os

for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "eu-central-1"

# Table names the code reads from the environment, as template.yaml sets them in Lambda.
TEST_TABLES = {
    "EVENTS_TABLE": "EventsTable",
    "INVENTORY_TABLE": "InventoryTable",
    "SEARCH_INDEX_TABLE": "SearchIndexTable",
    "SEAT_MAP_TABLE": "SeatMapTable",
    "USER_BOOKINGS_TABLE": "UserBookingsTable",
    "SALES_TABLE": "SalesTable",
}
for variable, logical_id in TEST_TABLES.items():
    os.environ[variable] = f"test-{logical_id}"
