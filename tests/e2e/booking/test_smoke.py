"""`trainbook smoke` against `trainbook up` (real template): it passes, cleans up, names a broken step."""

from __future__ import annotations

import os
import subprocess
import uuid

from tests.e2e.booking.conftest import Trainbook
from tests.e2e.booking.test_operator_tools import TRAINBOOK, tool_environment

DECLINING = "4000 0000 0000 0002"


def smoke(trainbook: Trainbook, *args: str) -> subprocess.CompletedProcess[str]:
    ws = trainbook.cloud.url.replace("http", "ws", 1) + "/ws"
    return subprocess.run(
        [TRAINBOOK, "smoke", "--api", trainbook.cloud.api_url, "--ws", ws, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "250"},
    )


def an_admin(trainbook: Trainbook) -> tuple[str, str]:
    email, password = f"ops-{uuid.uuid4().hex[:8]}@trainbook.example", f"Admin-{uuid.uuid4().hex}"
    environment = {**tool_environment(trainbook), "USERS_TABLE": "trainbook-dev-users"}
    done = subprocess.run(
        [TRAINBOOK, "admin", "create", "--email", email, "--password", password, "--name", "Smoke Operator"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return email, password


def test_the_whole_journey_passes_and_leaves_nothing_booked(trainbook: Trainbook) -> None:
    email, password = an_admin(trainbook)

    done = smoke(trainbook, "--admin-email", email, "--admin-password", password)

    assert done.returncode == 0, done.stdout + done.stderr
    for step in (
        "tokenize card",
        "follow to CONFIRMED (live)",
        "cancel and refund",
        "declined card",
        "schedule change reaches passenger",
    ):
        assert step in done.stdout
    assert "smoke test failed" not in done.stdout and "clean up" not in done.stdout
    assert "smoke test passed" in done.stdout


def test_read_only_changes_nothing(trainbook: Trainbook) -> None:
    done = smoke(trainbook, "--read-only")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "search" in done.stdout and "seat map" in done.stdout
    steps = [line.split("│")[1].strip() for line in done.stdout.splitlines() if line.startswith("│")]
    assert steps == ["stations", "API documents", "search", "seat map"]


def test_a_card_that_should_approve_but_declines_fails_the_follow_step_and_is_cleaned_up(
    trainbook: Trainbook,
) -> None:
    done = smoke(trainbook, "--approve-card", DECLINING)

    assert done.returncode == 1, done.stdout
    assert "smoke test failed at step: follow to CONFIRMED (live)" in " ".join(done.stdout.split())
    assert "card_declined" in done.stdout
    assert "clean up" not in done.stdout  # the failed booking holds nothing: nothing was left to undo
