"""Every event type the system writes can be decoded by any reader, whatever it imported first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import trainbook
from trainbook.event_types import EVENT_MODULES


def test_a_fresh_reader_decodes_events_of_every_context() -> None:
    # A new interpreter: only the event store is imported, as in a projector Lambda's cold start.
    script = (
        "from trainbook.eventstore.events import decode\n"
        'print(decode(\'UserRegistered\', 1, \'{"user_id": "u1", "role": "passenger"}\'))\n'
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "UserRegistered" in result.stdout


def test_a_fresh_reader_decodes_a_change_event_without_importing_the_changes_context() -> None:
    # A projector that never imported `changes` meets a schedule change on a run stream.
    script = (
        "import sys\n"
        "from trainbook.eventstore.events import decode\n"
        "assert not any(m.startswith('trainbook.changes') for m in sys.modules)\n"
        "print(type(decode('NotificationRead', 1, "
        '\'{"user_id": "u1", "notification_id": "n1"}\')).__name__)\n'
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NotificationRead"


def test_every_module_that_defines_events_is_in_the_registry() -> None:
    package = Path(trainbook.__file__).parent
    defining = {
        "trainbook." + ".".join(path.relative_to(package).with_suffix("").parts)
        for path in package.rglob("*.py")
        if "@event_type(" in path.read_text(encoding="utf-8")
    }
    assert defining == set(EVENT_MODULES)
