"""Test-wide settings: never reach real AWS, whatever the developer's shell says."""

from __future__ import annotations

import os

for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "eu-central-1"

from tests.support.template_tables import TABLE_VARIABLES as TEST_TABLES  # noqa: E402

for variable, logical_id in TEST_TABLES.items():
    os.environ[variable] = f"test-{logical_id}"
