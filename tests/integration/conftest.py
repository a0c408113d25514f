"""Integration fixtures: a fresh moto DynamoDB with the template's tables for each test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.conftest import TEST_TABLES
from tests.support.template_tables import create_tables
from trainbook.booking import delivered


@pytest.fixture
def aws() -> Iterator[None]:
    # A new, empty event store: what the projectors' containers folded from the last one no longer exists.
    delivered.forget()
    with mock_aws():
        create_tables({logical: os.environ[var] for var, logical in TEST_TABLES.items()})
        yield
