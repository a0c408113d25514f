"""Every function of template.yaml has a sample event in events/, and every sample is valid JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.template_tables import TEMPLATE, _CfnLoader

EVENTS = TEMPLATE.parent / "events"


def _functions() -> set[str]:
    import yaml

    resources = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)["Resources"]
    return {rid for rid, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}


def test_every_function_has_a_sample_event_that_exists() -> None:
    index = (EVENTS / "README.md").read_text()
    rows = {
        function: re.findall(r"`([\w-]+\.json)`", line)
        for line in index.splitlines()
        if line.startswith("| ") and ".json" in line
        for function in re.findall(r"\b([A-Z]\w+)\b", line.split("|")[1])
    }

    assert _functions() <= set(rows), f"no sample event for {sorted(_functions() - set(rows))}"
    for files in rows.values():
        assert files and all((EVENTS / f).is_file() for f in files), files


def test_every_sample_event_is_valid_json() -> None:
    for path in Path(EVENTS).glob("*.json"):
        assert isinstance(json.loads(path.read_text()), dict), path.name
