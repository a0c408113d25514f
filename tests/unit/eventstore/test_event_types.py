"""Every event type the system writes can be decoded by any reader, whatever it imported first."""

from __future__ import annotations

import subprocess
import sys


def test_a_fresh_reader_decodes_events_of_every_context() -> None:
    # A new interpreter: only the event store is imported, as in a projector Lambda's cold start.
    script = (
        "from trainbook.eventstore.events import decode\n"
        'print(decode(\'UserRegistered\', 1, \'{"user_id": "u1", "role": "passenger"}\'))\n'
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "UserRegistered" in result.stdout
