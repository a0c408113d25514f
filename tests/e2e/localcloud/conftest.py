"""One local cloud on the fixture template for the whole e2e module (starting one takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.localcloud.running import FIXTURE_TEMPLATE, RunningCloud


@pytest.fixture(scope="package")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    # TTL sweeps every second, so expiry is observable within a test (the default is 30 s).
    running = RunningCloud(
        FIXTURE_TEMPLATE, Path(tmp_path_factory.mktemp("localcloud")), "--ttl-interval", "1"
    )
    yield running
    running.stop()
