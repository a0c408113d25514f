"""`trainbook up` spawns the engine before it imports what only the later phases need.

The engine takes about two seconds to start; the command's own heavy imports (boto3 for provisioning,
the SAM translator, YAML, the gateway's web stack) are made while it starts, not before it is spawned.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("boto3", "botocore", "samtranslator", "yaml", "moto", "uvicorn", "starlette", "pynamodb", "httpx")


def test_the_command_reaches_the_engine_spawn_without_the_heavy_modules() -> None:
    code = (
        "import json, sys\n"
        "import trainbook_cli.main, localcloud.serve, localcloud.cloud, localcloud.engine_process\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
