"""Test-wide settings: never reach real AWS, whatever the developer's shell says."""

from __future__ import annotations

import os
from typing import Any

import pytest

for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "eu-central-1"

from tests.support.template_tables import TABLE_VARIABLES as TEST_TABLES  # noqa: E402

for variable, logical_id in TEST_TABLES.items():
    os.environ[variable] = f"test-{logical_id}"


# `make test` runs the suite on two pytest-xdist workers. The tests that share a running local cloud (a
# package-wide fixture) stay together on one worker, as do a module's tests (module-wide fixtures), so no
# cloud, browser or fixture site is started twice. Units go out in collection order, the end-to-end
# packages (the longest) first, so the short unit tests fill in at the end.
SHARED_BY_PACKAGE = ("tests/e2e/booking/", "tests/e2e/webapp/", "tests/e2e/localcloud/")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixturesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return next((package for package in SHARED_BY_PACKAGE if module.startswith(package)), module)

    config.option.loadscopereorder = False
    return SharedFixturesTogether(config, log)
