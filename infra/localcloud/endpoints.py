"""Where a running `trainbook up` can be reached: a small file in its data dir, for invoke and saga."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

ENDPOINTS_FILE = "endpoints.json"


def write(data_dir: Path, engine_url: str, gateway_url: str, region: str, template: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / ENDPOINTS_FILE).write_text(
        json.dumps(
            {
                "engine_url": engine_url,
                "gateway_url": gateway_url,
                "region": region,
                "template": str(template.resolve()),
            }
        )
    )


def remove(data_dir: Path) -> None:
    (data_dir / ENDPOINTS_FILE).unlink(missing_ok=True)


def running(data_dir: Path) -> dict[str, Any] | None:
    """The endpoints of a local cloud that answers on them, or None."""
    path = data_dir / ENDPOINTS_FILE
    if not path.exists():
        return None
    found: dict[str, Any] = json.loads(path.read_text())
    try:
        request = urllib.request.Request(
            f"{found['engine_url']}/_localcloud/health", data=b"{}", method="POST"
        )
        with urllib.request.urlopen(request, timeout=3):
            return found
    except OSError:
        return None
